// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IConsortiumDirectory} from "./interfaces/IConsortiumDirectory.sol";
import {ConsentGrants} from "./ConsentGrants.sol";

/// @title ConsentManager
/// @notice The patient's consents (ConsentGrants) and doctors' requests for them: a doctor signs a
/// request, the patient approves (a grant of what the patient chooses) or denies it with the
/// consent key. Also the patient registry (PatientRegistry, PatientGuardians: its bases), so a
/// consent is checked against the patient's signer without a call to another contract.
/// @dev Doctors' requests use OpenZeppelin Nonces; the patient's answers the (patient, doctor)
/// pair's nonce, like grants. A request names the handle of the patient's relationship with this
/// doctor, which the patient's software registered and gave the doctor (ConsentGrants).
contract ConsentManager is ConsentGrants, Nonces {
    /// @notice A consent request's life cycle, as ABDM names it.
    /// @dev Revoked and Expired are derived when read: a granted request reads Revoked once the
    /// consent it produced is revoked or replaced by a newer consent to the same doctor.
    enum RequestStatus {
        None,
        Requested,
        Granted,
        Denied,
        Revoked,
        Expired
    }

    /// @dev Two slots; the requested scope is in the ConsentRequested event and the doctor's message.
    struct Request {
        bytes32 patient;
        address doctor;
        uint40 expiry;
        RequestStatus status;
    }

    uint8 private constant DOCTOR_ROLE = 1;

    bytes32 private constant CONSENT_REQUEST_TYPEHASH = keccak256(
        "ConsentRequest(bytes32 patient,address doctor,uint8 categories,uint8 purposes,uint40 fromDate,uint40 toDate,uint40 expiry,uint256 nonce,uint256 deadline)"
    );
    // Answers to a request name its patient and doctor, not only its number: a relayer that controls
    // the order in which requests are filed cannot apply an answer to another doctor's request.
    bytes32 private constant CONSENT_APPROVAL_TYPEHASH = keccak256(
        "ConsentApproval(uint256 requestId,bytes32 patient,address doctor,uint8 categories,uint8 purposes,uint40 fromDate,uint40 toDate,uint40 expiry,bytes32 recordsRoot,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant CONSENT_DENIAL_TYPEHASH =
        keccak256("ConsentDenial(uint256 requestId,bytes32 patient,address doctor,uint256 nonce,uint256 deadline)");

    mapping(uint256 requestId => Request) private _requests;
    uint256 private _requestCount;

    /// @notice `doctor` asked the patient for consent with this scope.
    event ConsentRequested(
        uint256 indexed requestId,
        bytes32 indexed patient,
        address indexed doctor,
        uint8 categories,
        uint8 purposes,
        uint40 fromDate,
        uint40 toDate,
        uint40 expiry
    );
    /// @notice The patient approved the request; ConsentGranted carries the granted terms.
    event ConsentRequestGranted(uint256 indexed requestId, bytes32 indexed patient, address indexed doctor);
    /// @notice The patient denied the request.
    event ConsentRequestDenied(uint256 indexed requestId, bytes32 indexed patient, address indexed doctor);

    error ConsentManagerNotDoctor(address doctor);
    error ConsentManagerUnknownRequest(uint256 requestId);
    /// @notice The request was already answered, or expired unanswered.
    error ConsentManagerRequestNotPending(uint256 requestId, RequestStatus status);

    /// @param consortium The consortium directory: who is an active member or doctor.
    constructor(IConsortiumDirectory consortium) EIP712("EHRChain ConsentManager", "1") ConsentGrants(consortium) {}

    /// @notice Files `doctor`'s request for the patient's consent, to be granted or denied.
    /// @dev Requires `ConsentRequest(patient, doctor, categories, purposes, fromDate, toDate, expiry,
    /// nonce, deadline)` signed by `doctor` at `nonces(doctor)`, which this consumes; the doctor an
    /// active practitioner in the Doctor role; the patient registered; the scope valid as for
    /// `grant`. The request can be answered until `expiry`. Emits ConsentRequested.
    /// @return requestId The new request's id, counting from 1.
    function requestConsent(
        bytes32 patient,
        address doctor,
        uint8 categories,
        uint8 purposes,
        uint40 fromDate,
        uint40 toDate,
        uint40 expiry,
        uint256 deadline,
        bytes calldata doctorSignature
    ) external returns (uint256 requestId) {
        _checkDeadline(deadline);
        _checkScope(categories, purposes, fromDate, toDate, expiry);
        if (!_directory.isActivePractitioner(doctor, DOCTOR_ROLE)) revert ConsentManagerNotDoctor(doctor);
        if (_signerOf(patient) == address(0)) revert ConsentManagerUnknownPatient(patient);
        bytes32 structHash = _hashCallWords(CONSENT_REQUEST_TYPEHASH, 7, _useNonce(doctor), deadline);
        _checkSignature(structHash, doctorSignature, doctor);
        requestId = ++_requestCount;
        _requests[requestId] = Request(patient, doctor, expiry, RequestStatus.Requested);
        emit ConsentRequested(requestId, patient, doctor, categories, purposes, fromDate, toDate, expiry);
    }

    /// @notice Approves a pending request by granting its doctor the consent `terms`.
    /// @dev Requires `ConsentApproval(requestId, patient, doctor, terms..., nonce, deadline)`, the
    /// request's own patient and doctor, signed by the request's
    /// patient at the (patient, doctor) pair's `consentNonces`, which this consumes; the request
    /// pending; `terms` valid as for `grant`. The patient may grant less or other than was asked:
    /// the signature covers exactly what is granted. Emits ConsentGranted and ConsentRequestGranted.
    /// @param requestId A pending request.
    /// @param terms What the patient grants the request's doctor.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature 65-byte signature (r, s, v) by the patient's signer.
    function grantRequest(
        uint256 requestId,
        ConsentTerms calldata terms,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkDeadline(deadline);
        Request storage request = _pending(requestId);
        (bytes32 patient, address doctor) = (request.patient, request.doctor);
        uint48 nonce = uint48(_consents[patient][doctor] >> NONCE);
        // requestId (this call's first ABI word), the request's patient and doctor, then the 6 words of the terms.
        bytes32 structHash = keccak256(
            bytes.concat(
                CONSENT_APPROVAL_TYPEHASH, msg.data[4:36], patient, bytes32(uint256(uint160(doctor))), msg.data[36:228],
                bytes32(uint256(nonce)), bytes32(deadline)
            )
        );
        uint16 epoch = _checkPatientSignature(patient, structHash, signature);
        request.status = RequestStatus.Granted;
        _grant(patient, doctor, terms, nonce, requestId, epoch);
        emit ConsentRequestGranted(requestId, patient, doctor);
    }

    /// @notice Denies a pending request.
    /// @dev Requires `ConsentDenial(requestId, patient, doctor, nonce, deadline)`, the request's own
    /// patient and doctor, signed by the request's patient at
    /// the (patient, doctor) pair's `consentNonces`, which this consumes; the request pending. A
    /// consent the doctor already holds stays as it is. Emits ConsentRequestDenied.
    /// @param requestId A pending request.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature 65-byte signature (r, s, v) by the patient's signer.
    function denyRequest(uint256 requestId, uint256 deadline, bytes calldata signature) external {
        _checkDeadline(deadline);
        Request storage request = _pending(requestId);
        (bytes32 patient, address doctor) = (request.patient, request.doctor);
        uint256 consent = _consents[patient][doctor];
        uint48 nonce = uint48(consent >> NONCE);
        _checkPatientSignature(patient, keccak256(abi.encode(CONSENT_DENIAL_TYPEHASH, requestId, patient, doctor, nonce, deadline)), signature);
        _consents[patient][doctor] = (consent & ~(MASK_48 << NONCE)) | (uint256(nonce + 1) << NONCE);
        request.status = RequestStatus.Denied;
        emit ConsentRequestDenied(requestId, patient, doctor);
    }

    /// @notice The status of a consent request; Expired and Revoked are derived from the clock and
    /// from the consent the request produced (Revoked also when a recovery of the patient's signer
    /// has ended it). Reverts with ConsentManagerUnknownRequest for an id
    /// never issued.
    function requestStatus(uint256 requestId) public view returns (RequestStatus) {
        Request storage request = _requests[requestId];
        RequestStatus status = request.status;
        if (status == RequestStatus.None) revert ConsentManagerUnknownRequest(requestId);
        if (status == RequestStatus.Requested) {
            return block.timestamp >= request.expiry ? RequestStatus.Expired : status;
        }
        if (status == RequestStatus.Granted) {
            uint256 consent = _consents[request.patient][request.doctor];
            if (uint48(consent >> REQUEST_ID) != requestId || uint16(consent >> EPOCH) != _epochOf(request.patient)) {
                return RequestStatus.Revoked;
            }
            return block.timestamp >= uint40(consent >> EXPIRY) ? RequestStatus.Expired : status;
        }
        return status;
    }

    /// @notice Who asked whom, and until when the request can be answered. Reverts with
    /// ConsentManagerUnknownRequest for an id never issued.
    function requestOf(uint256 requestId) external view returns (bytes32 patient, address doctor, uint40 expiry) {
        Request storage request = _requests[requestId];
        if (request.status == RequestStatus.None) revert ConsentManagerUnknownRequest(requestId);
        return (request.patient, request.doctor, request.expiry);
    }

    function _pending(uint256 requestId) private view returns (Request storage) {
        RequestStatus status = requestStatus(requestId);
        if (status != RequestStatus.Requested) revert ConsentManagerRequestNotPending(requestId, status);
        return _requests[requestId];
    }
}
