// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IConsortiumDirectory} from "./interfaces/IConsortiumDirectory.sol";

/// @title EmergencyAccess
/// @notice Break-glass access to a patient's records. A doctor signs a request (EIP-712) with the
/// hash of a reason kept off chain; anyone relays it; once k-of-n consortium authorities approve,
/// the doctor may read for a bounded time. Every request stays listed under the patient, so the
/// patient sees it and reviewers can go through them afterwards.
/// @dev Doctors have keys but no chain accounts, hence signatures; authorities call directly.
/// Membership and the threshold k come from the consortium directory.
contract EmergencyAccess is EIP712, Nonces {
    /// @notice Lifecycle of a request. Expired is never stored: views report as Expired a Granted
    /// request whose time box is over and a Pending one whose approval deadline has passed (lapsed).
    enum RequestStatus {
        None,
        Pending,
        Granted,
        Denied,
        Expired
    }

    bytes32 private constant EMERGENCY_REQUEST_TYPEHASH =
        keccak256("EmergencyRequest(bytes32 patient,bytes32 reasonHash,uint64 duration,uint256 nonce,uint256 deadline)");

    /// @dev Practitioner role code of a doctor in IConsortiumDirectory.
    uint8 private constant _DOCTOR = 1;

    /// @dev One slot for everything approvals and reads touch; duration fits 32 bits (maxDuration is checked).
    /// expiresAt is the approval deadline while the request is Pending, the access expiry once Granted.
    struct Request {
        address doctor;
        uint32 duration;
        uint48 expiresAt;
        uint8 approvals;
        RequestStatus status;
        bytes32 patient;
        bytes32 reasonHash;
    }

    IConsortiumDirectory private immutable _directory;
    uint64 private immutable _maxDuration;
    uint256 private _requestCount;
    mapping(uint256 requestId => Request) private _requests;
    mapping(uint256 requestId => mapping(address authority => bool)) private _approvedBy;
    mapping(bytes32 patient => uint256[] requestIds) private _requestsOfPatient;
    mapping(bytes32 patient => mapping(address doctor => uint256 requestId)) private _grants;

    /// @notice The directory is the zero address.
    error EmergencyAccessInvalidDirectory();
    /// @notice The maximum duration is 0 or does not fit 32 bits.
    error EmergencyAccessInvalidMaxDuration(uint64 maxDuration);
    /// @notice The signed request's deadline has passed.
    error EmergencyAccessExpiredSignature(uint256 deadline);
    /// @notice The requested duration is 0 or over the maximum.
    error EmergencyAccessInvalidDuration(uint64 duration, uint64 maxDuration);
    /// @notice The patient handle is zero.
    error EmergencyAccessInvalidPatient(bytes32 patient);
    /// @notice The signature is not the doctor's over these values and the doctor's current nonce.
    error EmergencyAccessInvalidSigner(address signer, address doctor);
    /// @notice The doctor is not an active practitioner with the Doctor role.
    error EmergencyAccessNotActiveDoctor(address doctor);
    /// @notice The caller is not a consortium authority.
    error EmergencyAccessNotAuthority(address account);
    /// @notice No request has this id.
    error EmergencyAccessUnknownRequest(uint256 requestId);
    /// @notice The request was already granted or denied.
    error EmergencyAccessNotPending(uint256 requestId, RequestStatus status);
    /// @notice The authority already approved this request.
    error EmergencyAccessAlreadyApproved(uint256 requestId, address authority);
    /// @notice The pending request was not approved before its approval deadline and has lapsed.
    error EmergencyAccessRequestLapsed(uint256 requestId, uint64 approvalDeadline);

    /// @notice A doctor asked for emergency access to a patient's records.
    event EmergencyRequested(
        uint256 indexed requestId, bytes32 indexed patient, address indexed doctor, bytes32 reasonHash, uint64 duration
    );
    /// @notice An authority approved a request; `approvals` is the count including this one.
    event EmergencyApproved(uint256 indexed requestId, address indexed authority, uint256 approvals);
    /// @notice The request reached the threshold: the doctor may read until `expiresAt`.
    event EmergencyGranted(uint256 indexed requestId, bytes32 indexed patient, address indexed doctor, uint64 expiresAt);
    /// @notice An authority denied a pending request; it can no longer be granted.
    event EmergencyDenied(uint256 indexed requestId, bytes32 indexed patient, address indexed doctor, address authority);

    modifier onlyAuthority() {
        if (!_directory.isAuthority(msg.sender)) revert EmergencyAccessNotAuthority(msg.sender);
        _;
    }

    /// @param directory_ The consortium directory (ConsortiumRegistry).
    /// @param maxDuration_ Longest access a request may ask for, in seconds (e.g. 86400), 1..2^32-1.
    constructor(IConsortiumDirectory directory_, uint64 maxDuration_) EIP712("EHRChain EmergencyAccess", "1") {
        if (address(directory_) == address(0)) revert EmergencyAccessInvalidDirectory();
        if (maxDuration_ == 0 || maxDuration_ > type(uint32).max) revert EmergencyAccessInvalidMaxDuration(maxDuration_);
        _directory = directory_;
        _maxDuration = maxDuration_;
    }

    /// @notice Files a doctor's signed emergency request; anyone may relay it. The request must be
    /// approved (or denied) before its approval deadline, now + maxDuration; after that it lapses
    /// and requestOf reports it Expired.
    /// @dev Requirements: `deadline` not passed; `duration` in 1..maxDuration; `patient` non-zero;
    /// `signature` is `doctor`'s EIP-712 signature of EmergencyRequest(patient, reasonHash, duration,
    /// nonces(doctor), deadline) (each signature works once: the nonce is consumed); `doctor` is an
    /// active practitioner with the Doctor role. Emits {EmergencyRequested}.
    /// @param patient The patient's on-chain handle.
    /// @param reasonHash Hash of the reason, whose text stays off chain.
    /// @param duration Seconds of access asked for, counted from the grant.
    /// @param doctor The requesting doctor's signing address.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature 65-byte ECDSA signature (r, s, v) by `doctor`.
    /// @return requestId The new request's id (ids start at 1).
    function request(
        bytes32 patient,
        bytes32 reasonHash,
        uint64 duration,
        address doctor,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 requestId) {
        if (block.timestamp > deadline) revert EmergencyAccessExpiredSignature(deadline);
        if (duration == 0 || duration > _maxDuration) revert EmergencyAccessInvalidDuration(duration, _maxDuration);
        if (patient == bytes32(0)) revert EmergencyAccessInvalidPatient(patient);

        bytes32 structHash = keccak256(
            abi.encode(EMERGENCY_REQUEST_TYPEHASH, patient, reasonHash, duration, _useNonce(doctor), deadline)
        );
        address signer = ECDSA.recoverCalldata(_hashTypedDataV4(structHash), signature);
        if (signer != doctor) revert EmergencyAccessInvalidSigner(signer, doctor);
        if (!_directory.isActivePractitioner(doctor, _DOCTOR)) revert EmergencyAccessNotActiveDoctor(doctor);

        requestId = ++_requestCount;
        _requests[requestId] = Request({
            doctor: doctor,
            duration: uint32(duration),
            // Approval deadline while pending (maxDuration fits 32 bits); the access expiry once granted.
            expiresAt: uint48(block.timestamp) + uint32(_maxDuration),
            approvals: 0,
            status: RequestStatus.Pending,
            patient: patient,
            reasonHash: reasonHash
        });
        _requestsOfPatient[patient].push(requestId);
        emit EmergencyRequested(requestId, patient, doctor, reasonHash, duration);
    }

    /// @notice Approves a pending request; the approval that reaches directory.authorityThreshold()
    /// grants access from now for the requested duration.
    /// @dev Requirements: caller is an authority that has not approved this request; the request
    /// exists, is pending and its approval deadline (the pending request's expiresAt) has not
    /// passed; its doctor is still an active Doctor. Emits {EmergencyApproved}, and
    /// {EmergencyGranted} when the threshold is reached.
    /// @param requestId The request to approve.
    function approve(uint256 requestId) external onlyAuthority {
        Request storage stored = _pending(requestId);
        if (_approvedBy[requestId][msg.sender]) revert EmergencyAccessAlreadyApproved(requestId, msg.sender);
        address doctor = stored.doctor;
        if (!_directory.isActivePractitioner(doctor, _DOCTOR)) revert EmergencyAccessNotActiveDoctor(doctor);

        _approvedBy[requestId][msg.sender] = true;
        uint8 approvals = stored.approvals + 1;
        stored.approvals = approvals;
        emit EmergencyApproved(requestId, msg.sender, approvals);
        if (approvals >= _directory.authorityThreshold()) _grant(requestId, stored, doctor);
    }

    /// @notice Denies a pending request, which then can never be granted.
    /// @dev Requirements: caller is an authority; the request exists, is pending and its approval
    /// deadline (the pending request's expiresAt) has not passed: a lapsed request needs no denial.
    /// One authority's denial suffices: break-glass access needs k approvals and no objection.
    /// Emits {EmergencyDenied}.
    /// @param requestId The request to deny.
    function deny(uint256 requestId) external onlyAuthority {
        Request storage stored = _pending(requestId);
        stored.status = RequestStatus.Denied;
        emit EmergencyDenied(requestId, stored.patient, stored.doctor, msg.sender);
    }

    /// @notice Whether `doctor` may read `patient`'s records now under an emergency grant: true only
    /// before the grant's expiry and while the doctor is an active Doctor.
    /// @param patient The patient's on-chain handle.
    /// @param doctor The doctor's signing address.
    /// @return granted True while access is granted.
    /// @return requestId The request granting it (to cite in the access log); 0 when not granted.
    function isGranted(bytes32 patient, address doctor) external view returns (bool granted, uint256 requestId) {
        requestId = _grants[patient][doctor];
        if (requestId == 0 || block.timestamp >= _requests[requestId].expiresAt) return (false, 0);
        if (!_directory.isActivePractitioner(doctor, _DOCTOR)) return (false, 0);
        return (true, requestId);
    }

    /// @notice A request; all zero for an unknown id.
    /// @param requestId The request.
    /// @return patient The patient's handle.
    /// @return doctor The requesting doctor.
    /// @return reasonHash Hash of the off-chain reason.
    /// @return duration Seconds of access asked for.
    /// @return status Pending, Granted, Denied, or Expired once a grant's time box is over or a
    /// pending request's approval deadline has passed (it lapsed).
    /// @return approvals Authority approvals so far.
    /// @return startsAt When access was granted; 0 unless granted.
    /// @return expiresAt When access ends once granted; for a pending (or lapsed) request, its
    /// approval deadline; for a denied one, the approval deadline it had.
    function requestOf(uint256 requestId)
        external
        view
        returns (
            bytes32 patient,
            address doctor,
            bytes32 reasonHash,
            uint64 duration,
            RequestStatus status,
            uint256 approvals,
            uint64 startsAt,
            uint64 expiresAt
        )
    {
        Request storage stored = _requests[requestId];
        status = stored.status;
        expiresAt = stored.expiresAt;
        if (status == RequestStatus.Granted) {
            startsAt = expiresAt - stored.duration;
            if (block.timestamp >= expiresAt) status = RequestStatus.Expired;
        } else if (status == RequestStatus.Pending && block.timestamp >= expiresAt) {
            status = RequestStatus.Expired;
        }
        return (stored.patient, stored.doctor, stored.reasonHash, stored.duration, status, stored.approvals, startsAt, expiresAt);
    }

    /// @notice Every emergency request ever filed for `patient`, oldest first.
    /// @param patient The patient's on-chain handle.
    /// @return The request ids.
    function requestsOfPatient(bytes32 patient) external view returns (uint256[] memory) {
        return _requestsOfPatient[patient];
    }

    /// @notice Whether `authority` approved the request.
    /// @param requestId The request.
    /// @param authority The authority's account.
    function hasApproved(uint256 requestId, address authority) external view returns (bool) {
        return _approvedBy[requestId][authority];
    }

    /// @notice The consortium directory this contract asks for authorities, threshold and doctors.
    function directory() external view returns (IConsortiumDirectory) {
        return _directory;
    }

    /// @notice Longest access a request may ask for, in seconds.
    function maxDuration() external view returns (uint64) {
        return _maxDuration;
    }

    function _grant(uint256 requestId, Request storage stored, address doctor) private {
        uint48 expiresAt = uint48(block.timestamp) + stored.duration;
        stored.status = RequestStatus.Granted;
        stored.expiresAt = expiresAt;
        bytes32 patient = stored.patient;
        // Several live grants for one doctor and patient: keep the one that lasts longest.
        uint256 current = _grants[patient][doctor];
        if (current == 0 || _requests[current].expiresAt <= expiresAt) _grants[patient][doctor] = requestId;
        emit EmergencyGranted(requestId, patient, doctor, expiresAt);
    }

    function _pending(uint256 requestId) private view returns (Request storage stored) {
        stored = _requests[requestId];
        RequestStatus status = stored.status;
        if (status == RequestStatus.None) revert EmergencyAccessUnknownRequest(requestId);
        if (status != RequestStatus.Pending) revert EmergencyAccessNotPending(requestId, status);
        uint48 approvalDeadline = stored.expiresAt;
        if (block.timestamp >= approvalDeadline) revert EmergencyAccessRequestLapsed(requestId, approvalDeadline);
    }
}
