// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title AccessLog
/// @notice The public trace of every release of a record (DESIGN.md, trust model 6): who read
/// which record of which patient, when, for what purpose, under which consent or emergency
/// approval. The gateway writes entries in batches through its durable outbox; patients list who
/// read their records by filtering on their relationships' handles; auditors filter by reader, by
/// record, or by the consent or emergency approval that allowed the release. Nothing here may join
/// a patient's relationships: the handle is the relationship's (or the emergency's pseudonym), and
/// the record id is blinded per relationship by the gateway (`accessLogRecordId` in
/// gateway/src/chain/relationships.ts), which the contract cannot check.
/// @dev Entries live only in events: nothing per entry is stored, so an entry costs its calldata
/// and its log. Entries arrive packed (123 bytes each, see `ENTRY_BYTES`) instead of as an
/// ABI array of structs, which would spend seven 32-byte words of calldata on each.
///
/// Packed entry layout, big-endian, no padding:
///   [0, 32)    bytes32 recordId          blinded for the relationship (see above)
///   [32, 64)   bytes32 patientHandle
///   [64, 96)   bytes32 authorizationId   consent id, or emergency request id
///   [96, 116)  address reader
///   [116, 121) uint40  accessedAt        unix seconds of the release, by the gateway's clock
///   [121]      uint8   purpose           HL7 PurposeOfUse index, see PURPOSE_COUNT
///   [122]      uint8   kind              KIND_CONSENT or KIND_EMERGENCY
///
/// Batches live in the namespace of the logger that wrote them (`batchOf(logger, batchId)`), so
/// no logger can take another's batch id; and each entry's event carries its logger, so an
/// entry another logger wrote is never taken for the gateway's. `accessedAt` must lie in
/// [block time - MAX_ACCESS_AGE, block time + MAX_CLOCK_SKEW]: a logger cannot date a release
/// in the future, nor more than a week back (see the constants for why those bounds).
///
/// Administration (who may log) is OpenZeppelin's AccessControlDefaultAdminRules: one admin,
/// named at deployment (the consortium, not the gateway), handed over only in two steps after a
/// delay. The gateway's key is only a logger; see docs/decisions.md for its rotation.
contract AccessLog is AccessControlDefaultAdminRules {
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

    /// @notice Oldest an entry may be, in seconds before the block that logs it: 7 days.
    /// @dev The durable outbox sends an entry after the read, and again after a crash or a chain
    /// outage; a batch that reverts for age is lost, which trust model 6 forbids, so the bound
    /// is far above any delay the outbox meets in operation (seconds) and covers an outage over
    /// a long weekend. It caps how far a logger can backdate a release (say, to before a
    /// revocation); within it, the block's own time is the chain's witness of when it was logged.
    uint256 public constant MAX_ACCESS_AGE = 7 days;

    /// @notice Latest an entry may be, in seconds after the block that logs it: 60.
    /// @dev The gateway stamps entries by its clock and the outbox sends within about a second,
    /// so accessedAt is normally before the block time; but a gas estimate runs against the
    /// latest block, up to one block period (1-2 s) old, and hosts' clocks drift by seconds
    /// under NTP. Zero tolerance would fail honest batches; a minute cannot date a release
    /// meaningfully later than it was logged.
    uint256 public constant MAX_CLOCK_SKEW = 60;

    /// @dev keccak256 of the packed entries of each logged batch, per logger; zero while not logged.
    mapping(address logger => mapping(bytes32 batchId => bytes32 entriesHash)) private _batches;

    /// @notice `entries` was empty or not a whole number of packed entries.
    error AccessLogMalformedEntries(uint256 length);

    /// @notice The caller already logged the batch with different entries.
    error AccessLogBatchConflict(bytes32 batchId, bytes32 entriesHash);

    /// @notice Entry `index` has no reader.
    error AccessLogZeroReader(uint256 index);

    /// @notice Entry `index` has an access time outside [earliest, latest] (the block time less
    /// MAX_ACCESS_AGE, the block time plus MAX_CLOCK_SKEW).
    error AccessLogAccessTimeOutOfWindow(uint256 index, uint40 accessedAt, uint256 earliest, uint256 latest);

    /// @notice The constructor was given no initial logger.
    error AccessLogZeroLogger();

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
    /// 256 gas per entry: `logger << 64 | accessedAt << 16 | purpose << 8 | kind` (logger the
    /// account that logged it, so readers keep only their trusted logger's entries, at no
    /// extra log gas; accessedAt a uint40 of unix seconds; purpose and kind as in the layout).
    event RecordAccessed(
        bytes32 indexed recordId,
        address indexed reader,
        bytes32 indexed patientHandle,
        bytes32 indexed authorizationId,
        uint256 details
    ) anonymous;

    /// @notice `logger` logged its batch `batchId` of `count` entries; `entriesHash` is keccak256
    /// of its packed entries.
    event AccessesLogged(bytes32 indexed batchId, bytes32 entriesHash, uint256 count, address indexed logger);

    /// @notice Names the admin and the first logger; the deployer gets no role of its own.
    /// @dev Requirements: `initialAdmin` and `initialLogger` are not zero (the admin's check is
    /// OpenZeppelin's, AccessControlInvalidDefaultAdmin). Emits {RoleGranted} twice.
    /// @param initialAdminDelay Seconds a started admin transfer waits before it can be accepted.
    /// @param initialAdmin The one DEFAULT_ADMIN_ROLE holder: grants and revokes LOGGER_ROLE.
    /// @param initialLogger The first holder of LOGGER_ROLE (the gateway's sending key).
    constructor(uint48 initialAdminDelay, address initialAdmin, address initialLogger)
        AccessControlDefaultAdminRules(initialAdminDelay, initialAdmin)
    {
        if (initialLogger == address(0)) revert AccessLogZeroLogger();
        _grantRole(LOGGER_ROLE, initialLogger);
    }

    /// @notice Logs a batch of record releases, one {RecordAccessed} event per entry.
    /// @dev Requirements: caller has LOGGER_ROLE; `entries` is one or more packed entries (see
    /// the contract's layout) with a reader, an access time within [block time - MAX_ACCESS_AGE,
    /// block time + MAX_CLOCK_SKEW], a known purpose and kind; the caller did not log `batchId`
    /// with different entries (another logger's batch of the same id is another batch).
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
        mapping(bytes32 => bytes32) storage batches = _batches[_msgSender()];
        bytes32 logged = batches[batchId];
        if (logged != bytes32(0)) {
            if (logged == entriesHash) return;
            revert AccessLogBatchConflict(batchId, entriesHash);
        }
        batches[batchId] = entriesHash;

        uint256 invalidAt = _emitAll(entries);
        if (invalidAt != 0) _revertInvalid(entries, invalidAt - 1);

        emit AccessesLogged(batchId, entriesHash, length / ENTRY_BYTES, _msgSender());
    }

    /// @notice Whether `logger` logged a batch under `batchId`, and the hash of its entries.
    /// @param logger The account that logged the batch (the gateway's sending key at the time).
    /// @param batchId The gateway's id for the batch.
    /// @return logged False when `logger` never logged the batch (then `entriesHash` is zero).
    /// @return entriesHash keccak256 of the batch's packed entries.
    function batchOf(address logger, bytes32 batchId) external view returns (bool logged, bytes32 entriesHash) {
        entriesHash = _batches[logger][batchId];
        return (entriesHash != bytes32(0), entriesHash);
    }

    /// @dev Emits one RecordAccessed per entry straight from calldata: the hot loop is assembly
    /// because Solidity's decoding and bounds checks would cost about as much as the log itself.
    /// Stops at the first invalid entry and returns its index + 1 (0 when all are valid); the
    /// caller then reverts, which also discards the events emitted so far.
    function _emitAll(bytes calldata entries) private returns (uint256 invalidAt) {
        (uint256 earliest, uint256 latest) = _accessWindow();
        address logger = _msgSender();
        assembly ("memory-safe") {
            let free := mload(0x40)
            let end := add(entries.offset, entries.length)
            let index := 0
            let loggerBits := shl(64, logger)
            for { let p := entries.offset } lt(p, end) { p := add(p, ENTRY_BYTES) } {
                // reader (20) | accessedAt (5) | purpose (1) | kind (1) | next entry's first 5 bytes
                let tail := calldataload(add(p, 96))
                let reader := shr(96, tail)
                let details := and(shr(40, tail), 0xffffffffffffff)
                let accessedAt := shr(16, details)
                index := add(index, 1)
                if or(
                    or(iszero(reader), or(lt(accessedAt, earliest), gt(accessedAt, latest))),
                    or(iszero(lt(and(shr(8, details), 0xff), PURPOSE_COUNT)), gt(and(details, 0xff), 1))
                ) {
                    invalidAt := index
                    break
                }
                mstore(free, or(loggerBits, details))
                log4(free, 0x20, calldataload(p), reader, calldataload(add(p, 32)), calldataload(add(p, 64)))
            }
        }
    }

    /// @dev The accepted access times for this block, [earliest, latest]; earliest is at least 1,
    /// so a time of zero is always refused (even on a chain younger than MAX_ACCESS_AGE).
    function _accessWindow() private view returns (uint256 earliest, uint256 latest) {
        earliest = block.timestamp > MAX_ACCESS_AGE ? block.timestamp - MAX_ACCESS_AGE : 1;
        latest = block.timestamp + MAX_CLOCK_SKEW;
    }

    /// @dev Reverts with the error that names what is wrong with entry `index`.
    function _revertInvalid(bytes calldata entries, uint256 index) private view {
        bytes calldata entry = entries[index * ENTRY_BYTES:(index + 1) * ENTRY_BYTES];
        if (address(bytes20(entry[96:116])) == address(0)) revert AccessLogZeroReader(index);
        uint40 accessedAt = uint40(bytes5(entry[116:121]));
        (uint256 earliest, uint256 latest) = _accessWindow();
        if (accessedAt < earliest || accessedAt > latest) revert AccessLogAccessTimeOutOfWindow(index, accessedAt, earliest, latest);
        uint8 purpose = uint8(entry[121]);
        if (purpose >= PURPOSE_COUNT) revert AccessLogUnknownPurpose(index, purpose);
        revert AccessLogUnknownKind(index, uint8(entry[122]));
    }
}
