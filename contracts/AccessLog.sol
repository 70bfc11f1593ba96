// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title AccessLog
/// @notice The public trace of every release of a record (DESIGN.md, trust model 6): who read
/// which record of which patient, when, for what purpose, under which consent or emergency
/// approval. The gateway writes entries in batches through its durable outbox; patients list who
/// read their records by filtering on their handle; auditors filter by reader, by record, or by
/// the consent or emergency approval that allowed the release.
/// @dev Entries live only in events: nothing per entry is stored, so an entry costs its calldata
/// and its log. Entries arrive packed (123 bytes each, see `ENTRY_BYTES`) instead of as an
/// ABI array of structs, which would spend seven 32-byte words of calldata on each.
///
/// Packed entry layout, big-endian, no padding:
///   [0, 32)    bytes32 recordId
///   [32, 64)   bytes32 patientHandle
///   [64, 96)   bytes32 authorizationId   consent id, or emergency request id
///   [96, 116)  address reader
///   [116, 121) uint40  accessedAt        unix seconds of the release, by the gateway's clock
///   [121]      uint8   purpose           HL7 PurposeOfUse index, see PURPOSE_COUNT
///   [122]      uint8   kind              KIND_CONSENT or KIND_EMERGENCY
contract AccessLog is AccessControl {
    /// @notice Accounts allowed to log accesses: the gateway's outbox sender.
    bytes32 public constant LOGGER_ROLE = keccak256("LOGGER_ROLE");

    /// @notice Size of one packed entry in `logAccesses`.
    uint256 public constant ENTRY_BYTES = 123;

    /// @notice Purposes are HL7 PurposeOfUse codes as ABDM uses them, by index:
    /// 0 CAREMGT, 1 BTG, 2 PUBHLTH, 3 HPAYMT, 4 DSRCH, 5 PATRQT.
    uint8 public constant PURPOSE_COUNT = 6;

    /// @notice The release was authorised by a patient's consent.
    uint8 public constant KIND_CONSENT = 0;
    /// @notice The release was authorised by an approved emergency (break-glass) request.
    uint8 public constant KIND_EMERGENCY = 1;

    /// @dev keccak256 of the packed entries of each logged batch; zero while not logged.
    mapping(bytes32 batchId => bytes32 entriesHash) private _batches;

    /// @notice `entries` was empty or not a whole number of packed entries.
    error AccessLogMalformedEntries(uint256 length);

    /// @notice The batch was already logged with different entries.
    error AccessLogBatchConflict(bytes32 batchId, bytes32 entriesHash);

    /// @notice Entry `index` has no reader.
    error AccessLogZeroReader(uint256 index);

    /// @notice Entry `index` has an access time of zero.
    error AccessLogZeroAccessTime(uint256 index);

    /// @notice Entry `index` has a purpose outside the known PurposeOfUse codes.
    error AccessLogUnknownPurpose(uint256 index, uint8 purpose);

    /// @notice Entry `index` is neither a consent nor an emergency access.
    error AccessLogUnknownKind(uint256 index, uint8 kind);

    /// @notice `reader` was given record `recordId` of patient `patientHandle` under
    /// `authorizationId` (a consent, or an emergency request: see `details`).
    /// @dev Anonymous, so that all four ids can be topics: one eth_getLogs filter on this
    /// contract's address answers "who read this record" (topics[0], recordId), "what did this
    /// reader read" (topics[1]), "who read my records" (topics[2], patientHandle) and "what was
    /// read under this consent or emergency approval" (topics[3]). Dropping the signature topic pays for the fourth
    /// index: a named event with three indexed ids and the authorization in its data measured
    /// about 5,100 gas per entry in a batch of 100, over the 5,000 target; this one about 4,830
    /// (bench/GAS.md). It is the only anonymous event here: any log of this contract that has
    /// four topics and 32 bytes of data, and whose first topic is no event signature of the ABI,
    /// is a RecordAccessed (RoleGranted and RoleRevoked have four topics but no data).
    /// `details` packs what no one filters by into one word, since each word of log data costs
    /// 256 gas per entry: `accessedAt << 16 | purpose << 8 | kind` (accessedAt a uint40 of unix
    /// seconds; purpose and kind as in the entry layout).
    event RecordAccessed(
        bytes32 indexed recordId,
        address indexed reader,
        bytes32 indexed patientHandle,
        bytes32 indexed authorizationId,
        uint64 details
    ) anonymous;

    /// @notice A batch of `count` entries was logged; `entriesHash` is keccak256 of its packed entries.
    event AccessesLogged(bytes32 indexed batchId, bytes32 entriesHash, uint256 count);

    /// @notice The deployer (the gateway) becomes admin and first logger; no constructor
    /// arguments, so the same bytecode deploys identically on Anvil and Besu.
    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, _msgSender());
        _grantRole(LOGGER_ROLE, _msgSender());
    }

    /// @notice Logs a batch of record releases, one {RecordAccessed} event per entry.
    /// @dev Requirements: caller has LOGGER_ROLE; `entries` is one or more packed entries (see
    /// the contract's layout) with a reader, a non-zero access time, a known purpose and kind;
    /// `batchId` was not logged with different entries.
    /// Re-logging the identical batch returns without effect and without events: the outbox
    /// may resend after a restart, and a repeat must neither duplicate the trace nor fail a
    /// transaction the outbox would then have to tell apart from a real failure.
    /// Emits {RecordAccessed} for each entry, in order, then {AccessesLogged}.
    /// @param batchId The gateway's id for the batch (its outbox row).
    /// @param entries The packed entries, ENTRY_BYTES each.
    function logAccesses(bytes32 batchId, bytes calldata entries) external onlyRole(LOGGER_ROLE) {
        uint256 length = entries.length;
        if (length == 0 || length % ENTRY_BYTES != 0) revert AccessLogMalformedEntries(length);

        bytes32 entriesHash = keccak256(entries);
        bytes32 logged = _batches[batchId];
        if (logged != bytes32(0)) {
            if (logged == entriesHash) return;
            revert AccessLogBatchConflict(batchId, entriesHash);
        }
        _batches[batchId] = entriesHash;

        uint256 invalidAt = _emitAll(entries);
        if (invalidAt != 0) _revertInvalid(entries, invalidAt - 1);

        emit AccessesLogged(batchId, entriesHash, length / ENTRY_BYTES);
    }

    /// @notice Whether a batch was logged, and the hash of its entries.
    /// @param batchId The gateway's id for the batch.
    /// @return logged False when the batch was never logged (then `entriesHash` is zero).
    /// @return entriesHash keccak256 of the batch's packed entries.
    function batchOf(bytes32 batchId) external view returns (bool logged, bytes32 entriesHash) {
        entriesHash = _batches[batchId];
        return (entriesHash != bytes32(0), entriesHash);
    }

    /// @dev Emits one RecordAccessed per entry straight from calldata: the hot loop is assembly
    /// because Solidity's decoding and bounds checks would cost about as much as the log itself.
    /// Stops at the first invalid entry and returns its index + 1 (0 when all are valid); the
    /// caller then reverts, which also discards the events emitted so far.
    function _emitAll(bytes calldata entries) private returns (uint256 invalidAt) {
        assembly ("memory-safe") {
            let free := mload(0x40)
            let end := add(entries.offset, entries.length)
            let index := 0
            for { let p := entries.offset } lt(p, end) { p := add(p, ENTRY_BYTES) } {
                // reader (20) | accessedAt (5) | purpose (1) | kind (1) | next entry's first 5 bytes
                let tail := calldataload(add(p, 96))
                let reader := shr(96, tail)
                let details := and(shr(40, tail), 0xffffffffffffff)
                index := add(index, 1)
                if or(
                    or(iszero(reader), iszero(shr(16, details))),
                    or(iszero(lt(and(shr(8, details), 0xff), PURPOSE_COUNT)), gt(and(details, 0xff), 1))
                ) {
                    invalidAt := index
                    break
                }
                mstore(free, details)
                log4(free, 0x20, calldataload(p), reader, calldataload(add(p, 32)), calldataload(add(p, 64)))
            }
        }
    }

    /// @dev Reverts with the error that names what is wrong with entry `index`.
    function _revertInvalid(bytes calldata entries, uint256 index) private pure {
        bytes calldata entry = entries[index * ENTRY_BYTES:(index + 1) * ENTRY_BYTES];
        if (address(bytes20(entry[96:116])) == address(0)) revert AccessLogZeroReader(index);
        if (uint40(bytes5(entry[116:121])) == 0) revert AccessLogZeroAccessTime(index);
        uint8 purpose = uint8(entry[121]);
        if (purpose >= PURPOSE_COUNT) revert AccessLogUnknownPurpose(index, purpose);
        revert AccessLogUnknownKind(index, uint8(entry[122]));
    }
}
