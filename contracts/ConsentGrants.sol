// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IConsortiumDirectory} from "./interfaces/IConsortiumDirectory.sol";
import {PatientGuardians} from "./PatientGuardians.sol";

/// @title ConsentGrants
/// @notice The patient's consents: who may read which of the patient's records, for which purpose,
/// until when. Grants and revocations are EIP-712 messages signed with the patient's consent key
/// and relayed by anyone; the relayer (the gateway) cannot forge or alter one (DESIGN.md, Trust
/// model 5). ConsentManager, the deployed contract, adds doctors' consent requests.
/// @dev Unlinkable on the ledger: a patient's software derives a handle and a consent key of their
/// own for each grantee (a relationship), so consents to two grantees carry nothing in common an
/// observer could join them by. `registerAndGrant` opens a relationship with one message: it
/// registers the relationship's handle and grants its first consent. A handle used with two
/// grantees would link them: the contract cannot tell, so the SDK never does it.
///
/// Scope: `categories` is a bitmask over ABDM HI types (bit 0 OPConsultation, 1 Prescription,
/// 2 DischargeSummary, 3 DiagnosticReport, 4 ImmunizationRecord, 5 HealthDocumentRecord,
/// 6 WellnessRecord), optionally narrowed to record ids by `recordsRoot`, the root of an
/// OpenZeppelin StandardMerkleTree of bytes32 record ids (0: no record-id restriction); `purposes`
/// is a bitmask over HL7 PurposeOfUse as ABDM uses them (bit 0 CAREMGT, 1 BTG, 2 PUBHLTH, 3 HPAYMT,
/// 4 DSRCH, 5 PATRQT); records dated within [fromDate, toDate] are covered until `expiry`.
///
/// Gas (target: a grant at most 60,000 including the transaction): a consent is one packed slot
/// per (patient, grantee), plus a second only when it has a records root. Its replay protection
/// lives in that slot: a nonce per (patient, grantee) pair instead of OpenZeppelin's Nonces, whose
/// separate slot would add a cold write to every grant. It is as safe: every patient message about
/// a grantee (grant, revocation, answer to that grantee's request) signs the patient handle, the
/// grantee (directly or through the request id) and the pair's current nonce, so it applies to
/// that pair only, at most once, in order; the domain binds chain and contract. Messages about
/// different grantees do not invalidate each other. Doctors' requests use OpenZeppelin Nonces.
/// The same slot carries the patient's signer epoch at the grant (PatientRegistry): a guardians'
/// recovery starts a new epoch, and consents from an earlier one are not in force, so consents a
/// thief granted with a stolen key end with the recovery. Reading them costs one more SLOAD (the
/// patient's slot) where a consent is otherwise in force; granting costs nothing more, the
/// signer's slot being read already.
abstract contract ConsentGrants is PatientGuardians {
    /// @notice What a consent covers; field order is that of the EIP-712 types.
    struct ConsentTerms {
        uint8 categories;
        uint8 purposes;
        uint40 fromDate;
        uint40 toDate;
        uint40 expiry;
        bytes32 recordsRoot;
    }

    // The consent slot, one word: categories bits 0-7, purposes 8-15, fromDate 16-55, toDate 56-95,
    // expiry 96-135 (0: no consent in force), nonce 136-183, requestId 184-231, has-root bit 232,
    // the patient's signer epoch at the grant 240-255 (not in force unless it is the current one).
    uint256 internal constant PURPOSES = 8;
    uint256 internal constant FROM_DATE = 16;
    uint256 internal constant TO_DATE = 56;
    uint256 internal constant EXPIRY = 96;
    uint256 internal constant NONCE = 136;
    uint256 internal constant REQUEST_ID = 184;
    uint256 internal constant HAS_RECORDS_ROOT = 1 << 232;
    uint256 internal constant EPOCH = 240;
    uint256 internal constant MASK_48 = (1 << 48) - 1;

    uint8 private constant ALL_CATEGORIES = 0x7f;
    uint8 private constant ALL_PURPOSES = 0x3f;

    bytes32 private constant CONSENT_GRANT_TYPEHASH = keccak256(
        "ConsentGrant(bytes32 patient,address grantee,uint8 categories,uint8 purposes,uint40 fromDate,uint40 toDate,uint40 expiry,bytes32 recordsRoot,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant CONSENT_REVOCATION_TYPEHASH =
        keccak256("ConsentRevocation(bytes32 patient,address grantee,uint256 nonce,uint256 deadline)");
    // Opens a relationship: the handle's registration and its first consent, in one message signed
    // by the new key (which proves control of it). No nonce: it applies once, the handle being
    // registered from then on, and the pair's nonce is 0.
    bytes32 private constant RELATIONSHIP_GRANT_TYPEHASH = keccak256(
        "RelationshipGrant(bytes32 patient,address signer,address grantee,uint8 categories,uint8 purposes,uint40 fromDate,uint40 toDate,uint40 expiry,bytes32 recordsRoot,uint256 deadline)"
    );

    IConsortiumDirectory internal immutable _directory;

    mapping(bytes32 patient => mapping(address grantee => uint256 consent)) internal _consents;
    mapping(bytes32 patient => mapping(address grantee => bytes32 recordsRoot)) private _recordsRoots;

    /// @notice The patient granted (or replaced) `grantee`'s consent with these terms.
    event ConsentGranted(
        bytes32 indexed patient,
        address indexed grantee,
        uint8 categories,
        uint8 purposes,
        uint40 fromDate,
        uint40 toDate,
        uint40 expiry,
        bytes32 recordsRoot
    );
    /// @notice The patient revoked `grantee`'s consent.
    event ConsentRevoked(bytes32 indexed patient, address indexed grantee);

    error ConsentManagerExpiredSignature(uint256 deadline);
    /// @notice The deadline is more than MAX_SIGNATURE_LIFETIME after this block: `latest` is the last accepted.
    error ConsentManagerDeadlineTooFar(uint256 deadline, uint256 latest);
    /// @notice The message was signed by `signer`, not `expected` (or over other data, e.g. a used nonce).
    error ConsentManagerInvalidSigner(address signer, address expected);
    error ConsentManagerUnknownPatient(bytes32 patient);
    error ConsentManagerInvalidGrantee(address grantee);
    /// @notice Empty, or bits beyond the seven ABDM HI types.
    error ConsentManagerInvalidCategories(uint8 categories);
    /// @notice Empty, or bits beyond the six purposes of use.
    error ConsentManagerInvalidPurposes(uint8 purposes);
    error ConsentManagerInvalidDateRange(uint40 fromDate, uint40 toDate);
    /// @notice The consent would end before it starts.
    error ConsentManagerInvalidExpiry(uint40 expiry);

    /// @param consortium The consortium directory: who is an active member or doctor.
    constructor(IConsortiumDirectory consortium) {
        _directory = consortium;
    }

    /// @notice Grants `grantee` the consent `terms`, replacing any consent it had from `patient`.
    /// @dev Requires `ConsentGrant(patient, grantee, terms..., nonce, deadline)` signed by the
    /// patient's signer at the pair's `consentNonces`, which this consumes; categories and purposes
    /// non-empty and within their codes, fromDate <= toDate, expiry in the future. Whether the
    /// grantee is an active member is asked on every read (`mayRead`), not here. Emits ConsentGranted.
    /// @param patient The patient's handle.
    /// @param grantee The reader: a hospital's or practitioner's address.
    /// @param terms Scope, purposes, record date range, expiry and optional records root.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature 65-byte signature (r, s, v) by the patient's signer.
    function grant(
        bytes32 patient,
        address grantee,
        ConsentTerms calldata terms,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkDeadline(deadline);
        if (grantee == address(0)) revert ConsentManagerInvalidGrantee(grantee);
        uint48 nonce = uint48(_consents[patient][grantee] >> NONCE);
        // The message's fields before the nonce are this call's first 8 ABI words.
        uint16 epoch = _checkPatientSignature(patient, _hashCallWords(CONSENT_GRANT_TYPEHASH, 8, nonce, deadline), signature);
        _grant(patient, grantee, terms, nonce, 0, epoch);
    }

    /// @notice Revokes `grantee`'s consent from `patient`: refused to every read from the next block.
    /// Also cancels what the patient signed about `grantee` and was not relayed yet: with or
    /// without a consent in force, the pair's nonce moves on, so a grant or an answer signed at the
    /// old nonce can never apply.
    /// @dev Requires `ConsentRevocation(patient, grantee, nonce, deadline)` signed by the patient's
    /// signer at the pair's `consentNonces`, which this consumes. Emits ConsentRevoked.
    /// @param patient The patient's handle.
    /// @param grantee The reader whose consent ends.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature 65-byte signature (r, s, v) by the patient's signer.

    /// @notice Opens a relationship: registers `patient`, a handle the patient's software made for
    /// this grantee alone, with `signer`, and grants `grantee` the consent `terms`, in one message.
    /// @dev The handle must be `handleOf(signer, salt)` and not registered; requires
    /// `RelationshipGrant(patient, signer, grantee, terms..., deadline)` signed by `signer`. The
    /// same checks as `register` and `grant`: whoever sees it before it is mined cannot register
    /// the handle with a key of their own, and the relayer cannot alter a word of it. Emits
    /// HandleRegistered and ConsentGranted.
    /// @param patient The relationship's handle: `handleOf(signer, salt)`.
    /// @param signer The address of the relationship's consent key.
    /// @param grantee The reader: a hospital's or practitioner's address.
    /// @param terms Scope, purposes, record date range, expiry and optional records root.
    /// @param salt The secret that, with the signer, makes the handle.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature 65-byte signature (r, s, v) by `signer`.
    function registerAndGrant(
        bytes32 patient,
        address signer,
        address grantee,
        ConsentTerms calldata terms,
        bytes32 salt,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkDeadline(deadline);
        if (grantee == address(0)) revert ConsentManagerInvalidGrantee(grantee);
        _checkNewHandle(patient, signer, salt);
        // The message's fields before the deadline are this call's first 9 ABI words.
        _checkSignature(keccak256(bytes.concat(RELATIONSHIP_GRANT_TYPEHASH, msg.data[4:292], bytes32(deadline))), signature, signer);
        _bindHandle(patient, signer);
        _grant(patient, grantee, terms, 0, 0, 0);
    }

    function revoke(bytes32 patient, address grantee, uint256 deadline, bytes calldata signature) external {
        _checkDeadline(deadline);
        uint48 nonce = uint48(_consents[patient][grantee] >> NONCE);
        _checkPatientSignature(patient, _hashCallWords(CONSENT_REVOCATION_TYPEHASH, 2, nonce, deadline), signature);
        // Only the nonce stays: the revoked grant's signature can never apply again.
        _consents[patient][grantee] = uint256(nonce + 1) << NONCE;
        emit ConsentRevoked(patient, grantee);
    }

    /// @notice May `grantee` read the patient's record `recordId` (HI type `category`, dated
    /// `recordDate`) for `purpose` now?
    /// @dev True when a consent is in force (granted in the patient's current signer epoch, not
    /// revoked, before its expiry), `category`
    /// and `purpose` are in it, `recordDate` is in its date range, `recordId` is proven against its
    /// records root if it has one, and the directory counts `grantee` as an active member.
    /// @param category Bit index of the HI type, 0-6 (see the contract's notes).
    /// @param purpose Bit index of the purpose of use, 0-5.
    /// @param recordDate The record's date, unix seconds.
    /// @param recordId The record's id (a leaf of the records root when there is one).
    /// @param proof Merkle proof of `recordId` against the records root; ignored without a root.
    function mayRead(
        bytes32 patient,
        address grantee,
        uint8 category,
        uint8 purpose,
        uint40 recordDate,
        bytes32 recordId,
        bytes32[] calldata proof
    ) external view returns (bool) {
        uint256 consent = _consents[patient][grantee];
        // Revocation zeroes the expiry, so it ends here too.
        if (block.timestamp >= uint40(consent >> EXPIRY)) return false;
        // Granted before a recovery, by whoever held the key then.
        if (uint16(consent >> EPOCH) != _epochOf(patient)) return false;
        // A uint8 shifted by 8 or more is 0: out-of-range codes are simply out of scope.
        if ((uint8(consent) >> category) & 1 == 0 || (uint8(consent >> PURPOSES) >> purpose) & 1 == 0) return false;
        if (recordDate < uint40(consent >> FROM_DATE) || recordDate > uint40(consent >> TO_DATE)) return false;
        if (
            consent & HAS_RECORDS_ROOT != 0 &&
            !MerkleProof.verifyCalldata(proof, _recordsRoots[patient][grantee], recordLeaf(recordId))
        ) return false;
        return _directory.isActiveMember(grantee);
    }

    /// @notice The consent `grantee` holds from `patient`: all zero when none is in force (never
    /// granted, revoked, or granted before the patient's signer was recovered); an expired one with
    /// its past expiry. `requestId` is the request it answered, 0 for a direct grant.
    function consentOf(
        bytes32 patient,
        address grantee
    ) external view returns (ConsentTerms memory terms, uint256 requestId) {
        uint256 consent = _consents[patient][grantee];
        if (uint16(consent >> EPOCH) != _epochOf(patient)) return (terms, 0);
        terms = ConsentTerms({
            categories: uint8(consent),
            purposes: uint8(consent >> PURPOSES),
            fromDate: uint40(consent >> FROM_DATE),
            toDate: uint40(consent >> TO_DATE),
            expiry: uint40(consent >> EXPIRY),
            recordsRoot: consent & HAS_RECORDS_ROOT != 0 ? _recordsRoots[patient][grantee] : bytes32(0)
        });
        requestId = uint48(consent >> REQUEST_ID);
    }

    /// @notice The nonce the patient's next message about `grantee` must carry.
    function consentNonces(bytes32 patient, address grantee) external view returns (uint256) {
        return uint48(_consents[patient][grantee] >> NONCE);
    }

    /// @notice The Merkle leaf of a record id under a records root: OpenZeppelin StandardMerkleTree's
    /// double hash of the single value, keccak256(bytes.concat(keccak256(abi.encode(recordId)))).
    function recordLeaf(bytes32 recordId) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(recordId))));
    }

    /// @notice The consortium directory consulted for active members and doctors.
    function directory() external view returns (IConsortiumDirectory) {
        return _directory;
    }

    function _grant(
        bytes32 patient,
        address grantee,
        ConsentTerms calldata terms,
        uint48 nonce,
        uint256 requestId,
        uint16 epoch
    ) internal {
        (uint8 categories, uint8 purposes, uint40 fromDate, uint40 toDate, uint40 expiry) =
            (terms.categories, terms.purposes, terms.fromDate, terms.toDate, terms.expiry);
        _checkScope(categories, purposes, fromDate, toDate, expiry);
        bytes32 recordsRoot = terms.recordsRoot;
        // requestId < 2**48: ids count up by one per transaction.
        _consents[patient][grantee] = uint256(categories) | (uint256(purposes) << PURPOSES) |
            (uint256(fromDate) << FROM_DATE) | (uint256(toDate) << TO_DATE) | (uint256(expiry) << EXPIRY) |
            (uint256(nonce + 1) << NONCE) | (requestId << REQUEST_ID) |
            (recordsRoot != bytes32(0) ? HAS_RECORDS_ROOT : 0) | (uint256(epoch) << EPOCH);
        // Without a root the second slot is left as it is: the cleared has-root bit makes it unread.
        if (recordsRoot != bytes32(0)) _recordsRoots[patient][grantee] = recordsRoot;
        emit ConsentGranted(patient, grantee, categories, purposes, fromDate, toDate, expiry, recordsRoot);
    }

    function _checkScope(uint8 categories, uint8 purposes, uint40 fromDate, uint40 toDate, uint40 expiry) internal view {
        if (categories == 0 || categories > ALL_CATEGORIES) revert ConsentManagerInvalidCategories(categories);
        if (purposes == 0 || purposes > ALL_PURPOSES) revert ConsentManagerInvalidPurposes(purposes);
        if (fromDate > toDate) revert ConsentManagerInvalidDateRange(fromDate, toDate);
        if (expiry <= block.timestamp) revert ConsentManagerInvalidExpiry(expiry);
    }

    function _checkDeadline(uint256 deadline) internal view {
        if (block.timestamp > deadline) revert ConsentManagerExpiredSignature(deadline);
        if (deadline > block.timestamp + MAX_SIGNATURE_LIFETIME) {
            revert ConsentManagerDeadlineTooFar(deadline, block.timestamp + MAX_SIGNATURE_LIFETIME);
        }
    }

    /// @dev Reverts unless the patient's signer signed `structHash`; the patient's signer epoch.
    function _checkPatientSignature(
        bytes32 patient,
        bytes32 structHash,
        bytes calldata signature
    ) internal view returns (uint16 epoch) {
        address expected;
        (expected, epoch) = _signerAndEpochOf(patient);
        if (expected == address(0)) revert ConsentManagerUnknownPatient(patient);
        _checkSignature(structHash, signature, expected);
    }

    function _checkSignature(bytes32 structHash, bytes calldata signature, address expected) internal view {
        address signer = ECDSA.recoverCalldata(_hashTypedDataV4(structHash), signature);
        if (signer != expected) revert ConsentManagerInvalidSigner(signer, expected);
    }

    /// @dev EIP-712 hashStruct of a message whose fields are the current call's first `words`
    /// static ABI arguments, then `nonce` and `deadline`. Hashing the calldata as it is costs less
    /// than re-encoding the arguments, and is exact: the ABI decoder has validated (or the callee
    /// validates on reading) every one of those words, and any other encoding of them would hash to
    /// another digest and fail the signature check.
    function _hashCallWords(bytes32 typehash, uint256 words, uint256 nonce, uint256 deadline) internal pure returns (bytes32) {
        return keccak256(bytes.concat(typehash, msg.data[4:4 + 32 * words], bytes32(nonce), bytes32(deadline)));
    }
}
