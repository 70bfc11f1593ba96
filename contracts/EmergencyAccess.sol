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
/// Membership and the threshold k come from the consortium directory. Threshold both ways: k
/// approvals grant, k objections deny (while pending) or revoke (once granted), so no single
/// authority can grant or block an emergency. A request's own doctor never counts as an approver.
/// Time: a request waits at most approvalWindow for its approvals, and access lasts the requested
/// duration (at most maxDuration) from the grant, so an emergency ends at the latest
/// approvalWindow + maxDuration after the request; the doctor may end it earlier.
contract EmergencyAccess is EIP712, Nonces {
    /// @notice Lifecycle of a request. Expired is never stored: views report as Expired a Granted
    /// request whose time box is over and a Pending one whose approval deadline has passed (lapsed).
    /// Ended: its doctor ended a granted access early. Revoked: k authorities revoked it.
    enum RequestStatus {
        None,
        Pending,
        Granted,
        Denied,
        Expired,
        Ended,
        Revoked
    }

    /// @notice Longest approval window a deployment may choose: a break-glass request that has
    /// waited a day for its approvals is no longer an emergency (the doctor files a new one).
    uint64 public constant MAX_APPROVAL_WINDOW = 1 days;

    bytes32 private constant EMERGENCY_REQUEST_TYPEHASH =
        keccak256("EmergencyRequest(bytes32 patient,bytes32 reasonHash,uint64 duration,uint256 nonce,uint256 deadline)");
    /// @dev No nonce: an end applies once (the request is no longer Granted afterwards), and a
    /// nonce would make it race the doctor's next request for the same nonce.
    bytes32 private constant EMERGENCY_END_TYPEHASH = keccak256("EmergencyEnd(uint256 requestId,uint256 deadline)");

    /// @dev Practitioner role code of a doctor in IConsortiumDirectory.
    uint8 private constant _DOCTOR = 1;

    /// @dev One slot for everything votes and reads touch; duration fits 32 bits (maxDuration is
    /// checked), expiresAt 40 bits (until the year 36812). expiresAt is the approval deadline while
    /// the request is Pending, the end of the time box once Granted (kept when Ended or Revoked).
    /// objections counts deny votes while pending and revoke votes after: an authority objects once.
    struct Request {
        address doctor;
        uint32 duration;
        uint40 expiresAt;
        uint8 approvals;
        uint8 objections;
        RequestStatus status;
        bytes32 patient;
        bytes32 reasonHash;
    }

    /// @dev Bits of an authority's votes on one request.
    uint8 private constant _APPROVED = 1;
    uint8 private constant _OBJECTED = 2;

    IConsortiumDirectory private immutable _directory;
    uint64 private immutable _maxDuration;
    uint64 private immutable _approvalWindow;
    uint256 private _requestCount;
    mapping(uint256 requestId => Request) private _requests;
    mapping(uint256 requestId => mapping(address authority => uint8 votes)) private _votes;
    mapping(bytes32 patient => uint256[] requestIds) private _requestsOfPatient;
    mapping(bytes32 patient => mapping(address doctor => uint256 requestId)) private _grants;

    /// @notice The directory is the zero address.
    error EmergencyAccessInvalidDirectory();
    /// @notice The maximum duration is 0 or does not fit 32 bits.
    error EmergencyAccessInvalidMaxDuration(uint64 maxDuration);
    /// @notice The approval window is 0 or over `max`, the smaller of maxDuration and MAX_APPROVAL_WINDOW.
    error EmergencyAccessInvalidApprovalWindow(uint64 approvalWindow, uint64 max);
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
    /// @notice The authority already approved this request (it may not deny it too; it may revoke
    /// it once granted).
    error EmergencyAccessAlreadyApproved(uint256 requestId, address authority);
    /// @notice The authority already denied or revoked this request.
    error EmergencyAccessAlreadyObjected(uint256 requestId, address authority);
    /// @notice The authority is the request's own doctor: nobody approves their own emergency.
    error EmergencyAccessSelfApproval(uint256 requestId, address authority);
    /// @notice The request is not a live grant (its status as requestOf reports it): only a granted
    /// access whose time box is not over can be ended or revoked.
    error EmergencyAccessNotGranted(uint256 requestId, RequestStatus status);
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
    /// @notice An authority denied a pending request or voted to revoke a granted one;
    /// `objections` is the count including this one.
    event EmergencyObjected(uint256 indexed requestId, address indexed authority, uint256 objections);
    /// @notice The pending request reached k denials: it can no longer be granted.
    event EmergencyDenied(uint256 indexed requestId, bytes32 indexed patient, address indexed doctor);
    /// @notice The granted request reached k revocations: the doctor's access ended now.
    event EmergencyRevoked(uint256 indexed requestId, bytes32 indexed patient, address indexed doctor);
    /// @notice The doctor ended their granted access before its time box was over.
    event EmergencyEnded(uint256 indexed requestId, bytes32 indexed patient, address indexed doctor);

    modifier onlyAuthority() {
        if (!_directory.isAuthority(msg.sender)) revert EmergencyAccessNotAuthority(msg.sender);
        _;
    }

    /// @param directory_ The consortium directory (ConsortiumRegistry).
    /// @param maxDuration_ Longest access a request may ask for, in seconds (e.g. 86400), 1..2^32-1.
    /// @param approvalWindow_ Seconds a request waits for its k approvals (e.g. 7200), 1..the smaller
    /// of maxDuration_ and MAX_APPROVAL_WINDOW.
    constructor(IConsortiumDirectory directory_, uint64 maxDuration_, uint64 approvalWindow_)
        EIP712("EHRChain EmergencyAccess", "1")
    {
        if (address(directory_) == address(0)) revert EmergencyAccessInvalidDirectory();
        if (maxDuration_ == 0 || maxDuration_ > type(uint32).max) revert EmergencyAccessInvalidMaxDuration(maxDuration_);
        uint64 maxWindow = maxDuration_ < MAX_APPROVAL_WINDOW ? maxDuration_ : MAX_APPROVAL_WINDOW;
        if (approvalWindow_ == 0 || approvalWindow_ > maxWindow) {
            revert EmergencyAccessInvalidApprovalWindow(approvalWindow_, maxWindow);
        }
        _directory = directory_;
        _maxDuration = maxDuration_;
        _approvalWindow = approvalWindow_;
    }

    /// @notice Files a doctor's signed emergency request; anyone may relay it. The request must be
    /// approved (or denied) before its approval deadline, now + approvalWindow; after that it lapses
    /// and requestOf reports it Expired.
    /// @dev Requirements: `deadline` not passed; `duration` in 1..maxDuration; `patient` non-zero;
    /// `signature` is `doctor`'s EIP-712 signature of EmergencyRequest(patient, reasonHash, duration,
    /// nonces(doctor), deadline) (each signature works once: the nonce is consumed); `doctor` is an
    /// active practitioner with the Doctor role. Emits {EmergencyRequested}.
    /// @param patient The patient as this doctor knows them on chain: the handle of their
    /// relationship if they have one, else a pseudonym the gateway keeps for this patient and doctor
    /// (never a handle used with anyone else: the ledger must not join the two).
    /// @param reasonHash Salted commitment to the reason, whose text and salt stay off chain
    /// (`textCommitment` in gateway/src/chain/relationships.ts): a bare hash of a short reason is
    /// found by trying the likely ones.
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
            // Approval deadline while pending; the access expiry once granted.
            expiresAt: uint40(block.timestamp + _approvalWindow),
            approvals: 0,
            objections: 0,
            status: RequestStatus.Pending,
            patient: patient,
            reasonHash: reasonHash
        });
        _requestsOfPatient[patient].push(requestId);
        emit EmergencyRequested(requestId, patient, doctor, reasonHash, duration);
    }

    /// @notice Approves a pending request; the approval that reaches directory.authorityThreshold()
    /// grants access from now for the requested duration.
    /// @dev Requirements: caller is an authority that has neither approved nor denied this request,
    /// and is not its doctor (an authority registered as a doctor cannot approve its own
    /// request); the request exists, is pending and its approval deadline (the pending request's
    /// expiresAt) has not passed; its doctor is still an active Doctor. Emits {EmergencyApproved},
    /// and {EmergencyGranted} when the threshold is reached.
    /// @param requestId The request to approve.
    function approve(uint256 requestId) external onlyAuthority {
        Request storage stored = _pending(requestId);
        address doctor = stored.doctor;
        if (msg.sender == doctor) revert EmergencyAccessSelfApproval(requestId, msg.sender);
        uint8 votes = _firstVote(requestId);
        if (!_directory.isActivePractitioner(doctor, _DOCTOR)) revert EmergencyAccessNotActiveDoctor(doctor);

        _votes[requestId][msg.sender] = votes | _APPROVED;
        uint8 approvals = stored.approvals + 1;
        stored.approvals = approvals;
        emit EmergencyApproved(requestId, msg.sender, approvals);
        if (approvals >= _directory.authorityThreshold()) _grant(requestId, stored, doctor);
    }

    /// @notice Votes against a pending request; the denial that reaches directory.authorityThreshold()
    /// denies it for good. Like approval, denial takes k authorities: one authority cannot block
    /// an emergency that k others approve.
    /// @dev Requirements: caller is an authority that has neither approved nor denied this request;
    /// the request exists, is pending and its approval deadline (the pending request's expiresAt)
    /// has not passed: a lapsed request needs no denial. Emits {EmergencyObjected}, and
    /// {EmergencyDenied} when the threshold is reached.
    /// @param requestId The request to deny.
    function deny(uint256 requestId) external onlyAuthority {
        Request storage stored = _pending(requestId);
        if (_object(requestId, stored, _firstVote(requestId))) {
            stored.status = RequestStatus.Denied;
            emit EmergencyDenied(requestId, stored.patient, stored.doctor);
        }
    }

    /// @notice Votes to end a granted access now; the vote that reaches directory.authorityThreshold()
    /// revokes it. An authority that approved may revoke (it changed its mind); one that denied
    /// the request while pending already counts.
    /// @dev Requirements: caller is an authority that has not denied nor revoked this request; the
    /// request is granted and its time box is not over. Emits {EmergencyObjected}, and
    /// {EmergencyRevoked} when the threshold is reached.
    /// @param requestId The granted request to revoke.
    function revoke(uint256 requestId) external onlyAuthority {
        Request storage stored = _live(requestId);
        uint8 votes = _votes[requestId][msg.sender];
        if (votes & _OBJECTED != 0) revert EmergencyAccessAlreadyObjected(requestId, msg.sender);
        if (_object(requestId, stored, votes)) {
            stored.status = RequestStatus.Revoked;
            emit EmergencyRevoked(requestId, stored.patient, stored.doctor);
        }
    }

    /// @notice Ends the doctor's granted access now, before its time box is over; anyone may relay
    /// the doctor's signature (the doctor is done, or was granted more time than needed).
    /// @dev Requirements: `deadline` not passed; the request is granted and its time box is not
    /// over; `signature` is the request's doctor's EIP-712 signature of EmergencyEnd(requestId,
    /// deadline). The doctor need not be active any more. Emits {EmergencyEnded}.
    /// @param requestId The granted request to end.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature 65-byte ECDSA signature (r, s, v) by the request's doctor.
    function end(uint256 requestId, uint256 deadline, bytes calldata signature) external {
        if (block.timestamp > deadline) revert EmergencyAccessExpiredSignature(deadline);
        Request storage stored = _live(requestId);
        address doctor = stored.doctor;
        bytes32 structHash = keccak256(abi.encode(EMERGENCY_END_TYPEHASH, requestId, deadline));
        address signer = ECDSA.recoverCalldata(_hashTypedDataV4(structHash), signature);
        if (signer != doctor) revert EmergencyAccessInvalidSigner(signer, doctor);
        stored.status = RequestStatus.Ended;
        emit EmergencyEnded(requestId, stored.patient, doctor);
    }

    /// @notice Whether `doctor` may read `patient`'s records now under an emergency grant: true only
    /// before the grant's expiry, while it is neither ended nor revoked, and while the doctor is an
    /// active Doctor. Ending or revoking the grant this answers with also ends the doctor's access
    /// under any other, shorter grant for the same patient (the doctor files again if needed).
    /// @param patient The patient's on-chain handle.
    /// @param doctor The doctor's signing address.
    /// @return granted True while access is granted.
    /// @return requestId The request granting it (to cite in the access log); 0 when not granted.
    function isGranted(bytes32 patient, address doctor) external view returns (bool granted, uint256 requestId) {
        requestId = _grants[patient][doctor];
        Request storage stored = _requests[requestId];
        if (stored.status != RequestStatus.Granted || block.timestamp >= stored.expiresAt) return (false, 0);
        if (!_directory.isActivePractitioner(doctor, _DOCTOR)) return (false, 0);
        return (true, requestId);
    }

    /// @notice A request; all zero for an unknown id.
    /// @param requestId The request.
    /// @return patient The patient's handle.
    /// @return doctor The requesting doctor.
    /// @return reasonHash Hash of the off-chain reason.
    /// @return duration Seconds of access asked for.
    /// @return status Pending, Granted, Denied, Ended (by its doctor), Revoked (by k authorities),
    /// or Expired once a grant's time box is over or a pending request's approval deadline has
    /// passed (it lapsed).
    /// @return approvals Authority approvals so far.
    /// @return startsAt When access was granted; 0 unless granted (also when Ended or Revoked).
    /// @return expiresAt When access ends once granted (for an Ended or Revoked one, when its time
    /// box would have closed: the event's block tells when it did); for a pending (or lapsed)
    /// request, its approval deadline; for a denied one, the approval deadline it had.
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
        status = _statusOf(stored);
        expiresAt = stored.expiresAt;
        RequestStatus recorded = stored.status;
        if (recorded == RequestStatus.Granted || recorded == RequestStatus.Ended || recorded == RequestStatus.Revoked) {
            startsAt = expiresAt - stored.duration;
        }
        return (stored.patient, stored.doctor, stored.reasonHash, stored.duration, status, stored.approvals, startsAt, expiresAt);
    }

    /// @notice Authority objections so far: denials while pending, then revocations.
    /// @param requestId The request.
    /// @return The count; 0 for an unknown id.
    function objectionsOf(uint256 requestId) external view returns (uint256) {
        return _requests[requestId].objections;
    }

    /// @notice How many emergency requests were ever filed for `patient`: the length of the list
    /// requestsOfPatient pages through.
    /// @param patient The patient's on-chain handle.
    /// @return The count.
    function requestCountOfPatient(bytes32 patient) external view returns (uint256) {
        return _requestsOfPatient[patient].length;
    }

    /// @notice A page of the emergency requests filed for `patient`, oldest first: at most `limit`
    /// ids from position `offset`. Its cost depends on `limit`, not on how long the list is.
    /// @param patient The patient's on-chain handle.
    /// @param offset Position of the first id (0 is the oldest); at or past the end gives an empty page.
    /// @param limit Most ids to return.
    /// @return requestIds The ids, fewer than `limit` at the end of the list.
    function requestsOfPatient(bytes32 patient, uint256 offset, uint256 limit)
        external
        view
        returns (uint256[] memory requestIds)
    {
        uint256[] storage all = _requestsOfPatient[patient];
        uint256 length = all.length;
        if (offset >= length) return requestIds;
        uint256 count = length - offset;
        if (limit < count) count = limit;
        requestIds = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            requestIds[i] = all[offset + i];
        }
    }

    /// @notice Whether `authority` approved the request.
    /// @param requestId The request.
    /// @param authority The authority's account.
    function hasApproved(uint256 requestId, address authority) external view returns (bool) {
        return _votes[requestId][authority] & _APPROVED != 0;
    }

    /// @notice Whether `authority` objected to the request: denied it while pending or voted to
    /// revoke it once granted.
    /// @param requestId The request.
    /// @param authority The authority's account.
    function hasObjected(uint256 requestId, address authority) external view returns (bool) {
        return _votes[requestId][authority] & _OBJECTED != 0;
    }

    /// @notice The consortium directory this contract asks for authorities, threshold and doctors.
    function directory() external view returns (IConsortiumDirectory) {
        return _directory;
    }

    /// @notice Longest access a request may ask for, in seconds.
    function maxDuration() external view returns (uint64) {
        return _maxDuration;
    }

    /// @notice Seconds a request waits for its approvals before it lapses.
    function approvalWindow() external view returns (uint64) {
        return _approvalWindow;
    }

    function _grant(uint256 requestId, Request storage stored, address doctor) private {
        uint40 expiresAt = uint40(block.timestamp) + stored.duration;
        stored.status = RequestStatus.Granted;
        stored.expiresAt = expiresAt;
        bytes32 patient = stored.patient;
        // Several live grants for one doctor and patient: keep the one that lasts longest.
        uint256 current = _grants[patient][doctor];
        if (current == 0) {
            _grants[patient][doctor] = requestId;
        } else {
            Request storage held = _requests[current];
            if (held.expiresAt <= expiresAt || held.status != RequestStatus.Granted) _grants[patient][doctor] = requestId;
        }
        emit EmergencyGranted(requestId, patient, doctor, expiresAt);
    }

    /// @dev The caller's votes on a pending request, which must hold none yet.
    function _firstVote(uint256 requestId) private view returns (uint8 votes) {
        votes = _votes[requestId][msg.sender];
        if (votes & _APPROVED != 0) revert EmergencyAccessAlreadyApproved(requestId, msg.sender);
        if (votes & _OBJECTED != 0) revert EmergencyAccessAlreadyObjected(requestId, msg.sender);
    }

    /// @dev Records the caller's objection; true when it is the one that reaches the threshold.
    function _object(uint256 requestId, Request storage stored, uint8 votes) private returns (bool reached) {
        _votes[requestId][msg.sender] = votes | _OBJECTED;
        uint8 objections = stored.objections + 1;
        stored.objections = objections;
        emit EmergencyObjected(requestId, msg.sender, objections);
        return objections >= _directory.authorityThreshold();
    }

    /// @dev A granted request whose time box is not over.
    function _live(uint256 requestId) private view returns (Request storage stored) {
        stored = _requests[requestId];
        RequestStatus status = _statusOf(stored);
        if (status != RequestStatus.Granted) revert EmergencyAccessNotGranted(requestId, status);
    }

    /// @dev The status as views report it: Expired for a time box or approval window that is over.
    function _statusOf(Request storage stored) private view returns (RequestStatus status) {
        status = stored.status;
        if ((status == RequestStatus.Granted || status == RequestStatus.Pending) && block.timestamp >= stored.expiresAt) {
            status = RequestStatus.Expired;
        }
    }

    function _pending(uint256 requestId) private view returns (Request storage stored) {
        stored = _requests[requestId];
        RequestStatus status = stored.status;
        if (status == RequestStatus.None) revert EmergencyAccessUnknownRequest(requestId);
        if (status != RequestStatus.Pending) revert EmergencyAccessNotPending(requestId, status);
        uint40 approvalDeadline = stored.expiresAt;
        if (block.timestamp >= approvalDeadline) revert EmergencyAccessRequestLapsed(requestId, approvalDeadline);
    }
}
