// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title RecordAnchors
/// @notice Tamper evidence for EHRChain records: the SHA-512 digest and IPFS CID of each record,
/// fixed on chain once. Reads recompute the digest and compare it with the anchor.
/// @dev The digest is salted off chain (the salt lives inside the encrypted record), so a bare
/// hash of a short, predictable record cannot be confirmed by guessing.
///
/// Two ways to anchor. `anchor` stores one record (about 166,000 gas with a CIDv1: six slots).
/// `anchorBatch` stores one Merkle root for many record versions; the gateway keeps each
/// version's inclusion proof and anyone can check it with `verifyRecord`. A storage slot per
/// record would cost at least 22,100 gas, so batching is what lifts the chain's throughput
/// ceiling. Leaves are OpenZeppelin StandardMerkleTree leaves (the npm merkle-tree package,
/// gateway/src/chain/record-batch.ts): keccak256(bytes.concat(keccak256(abi.encode(fields)))),
/// hashed twice so a leaf can never be passed off as an inner node (64-byte preimage).
/// Versions chain through `previousVersion` (the previous version's leaf hash, zero for the
/// first); a version with `tombstone` set marks the record erased.
///
/// Every anchor lives in the namespace of the account that wrote it: record ids and batch ids
/// are keys under their anchorer, and every read (`anchorOf`, `batchOf`, `verifyRecord`) names
/// the anchorer it trusts. So a second anchorer can neither squat an id another anchorer will
/// use, nor extend, fork or tombstone a version chain anchored by another: its versions prove
/// only under its own address, a different record for whoever reads under the first. A
/// version's `author` is what its anchorer asserts (the contract sees only the root); the
/// anchorer is what the contract authenticates.
///
/// Administration (who may anchor) is OpenZeppelin's AccessControlDefaultAdminRules: one
/// admin, named at deployment (the consortium, not the gateway), handed over only in two steps
/// after a delay. The gateway's key is only an anchorer; see docs/decisions.md for its rotation.
contract RecordAnchors is AccessControlDefaultAdminRules {
    /// @notice Accounts allowed to anchor: the gateway's outbox sender.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @dev SHA-512 is 64 bytes; held as two words so no hashing of the digest is needed to read it back.
    uint256 private constant _DIGEST_LENGTH = 64;

    struct Anchor {
        bytes32 digestHigh;
        bytes32 digestLow;
        uint64 anchoredAt;
        uint64 blockNumber;
        string cid;
    }

    mapping(address anchorer => mapping(bytes32 recordId => Anchor)) private _anchors;

    /// @notice One version of a record, as committed in a batch's Merkle tree. Not stored on
    /// chain: only the root is; the gateway keeps the versions and their proofs.
    struct RecordVersion {
        bytes32 recordId;
        /// @dev The patient's on-chain handle (PatientRegistry), never their identity.
        bytes32 patientHandle;
        /// @dev keccak256 of the IPFS CID string; zero for a tombstone (nothing left to fetch).
        bytes32 cidHash;
        /// @dev The salted SHA-512 digest, 64 bytes.
        bytes sha512Digest;
        /// @dev Record category (ABDM HI type index).
        uint8 category;
        /// @dev Leaf hash of the version this one replaces; zero for the first version.
        bytes32 previousVersion;
        bool tombstone;
        /// @dev The hospital or doctor on whose behalf the gateway anchored this version.
        address author;
    }

    /// @dev Root in its own slot; count, block and time share the second (4 + 8 + 8 bytes).
    /// A 256-bit root leaves no room for anything else in one slot, and truncating it would
    /// weaken the proofs, so two slots (44,200 gas) per batch, amortised over its records.
    struct Batch {
        bytes32 merkleRoot;
        uint32 count;
        uint64 anchoredAt;
        uint64 blockNumber;
    }

    mapping(address anchorer => mapping(bytes32 batchId => Batch)) private _batches;

    /// @notice The digest was not 64 bytes long.
    error RecordAnchorsBadDigestLength(uint256 length);

    /// @notice The caller already anchored the record with a different digest or CID.
    error RecordAnchorsAlreadyAnchored(bytes32 recordId);

    /// @notice The constructor was given no initial anchorer.
    error RecordAnchorsZeroAnchorer();

    /// @notice A batch had a zero Merkle root or no records.
    error RecordAnchorsInvalidBatch(bytes32 batchId, bytes32 merkleRoot, uint32 count);

    /// @notice The caller already anchored the batch with a different root or count.
    error RecordAnchorsBatchAlreadyAnchored(bytes32 batchId, bytes32 merkleRoot, uint32 count);

    /// @notice A record's digest and CID were anchored.
    event RecordAnchored(bytes32 indexed recordId, string cid, bytes sha512Digest, address indexed anchorer);

    /// @notice `anchorer` anchored the Merkle root of its batch `batchId` of `count` record versions.
    event BatchAnchored(bytes32 indexed batchId, bytes32 merkleRoot, uint32 count, address indexed anchorer);

    /// @notice Names the admin and the first anchorer; the deployer gets no role of its own.
    /// @dev Requirements: `initialAdmin` and `initialAnchorer` are not zero (the admin's check
    /// is OpenZeppelin's, AccessControlInvalidDefaultAdmin). Emits {RoleGranted} twice.
    /// @param initialAdminDelay Seconds a started admin transfer waits before it can be accepted.
    /// @param initialAdmin The one DEFAULT_ADMIN_ROLE holder: grants and revokes ANCHORER_ROLE.
    /// @param initialAnchorer The first holder of ANCHORER_ROLE (the gateway's sending key).
    constructor(uint48 initialAdminDelay, address initialAdmin, address initialAnchorer)
        AccessControlDefaultAdminRules(initialAdminDelay, initialAdmin)
    {
        if (initialAnchorer == address(0)) revert RecordAnchorsZeroAnchorer();
        _grantRole(ANCHORER_ROLE, initialAnchorer);
    }

    /// @notice Anchors the SHA-512 digest and IPFS CID of a record, under the caller's address.
    /// @dev Requirements: caller has ANCHORER_ROLE; `sha512Digest` is 64 bytes; the caller has
    /// not anchored the record yet with different data (another anchorer's anchor of the same
    /// id is another record and changes nothing here). Re-anchoring identical data returns without effect and
    /// without an event, so the gateway's outbox may resend after a restart.
    /// Emits {RecordAnchored} on the first anchor of `recordId`.
    /// @param recordId The gateway's record id.
    /// @param cid The IPFS CID of the encrypted record.
    /// @param sha512Digest The salted SHA-512 digest of the record, 64 bytes.
    function anchor(bytes32 recordId, string calldata cid, bytes calldata sha512Digest)
        external
        onlyRole(ANCHORER_ROLE)
    {
        if (sha512Digest.length != _DIGEST_LENGTH) revert RecordAnchorsBadDigestLength(sha512Digest.length);
        bytes32 high = bytes32(sha512Digest[0:32]);
        bytes32 low = bytes32(sha512Digest[32:64]);

        Anchor storage existing = _anchors[_msgSender()][recordId];
        if (existing.anchoredAt != 0) {
            if (existing.digestHigh == high && existing.digestLow == low && _equal(existing.cid, cid)) return;
            revert RecordAnchorsAlreadyAnchored(recordId);
        }

        _anchors[_msgSender()][recordId] = Anchor({
            digestHigh: high,
            digestLow: low,
            anchoredAt: uint64(block.timestamp),
            blockNumber: uint64(block.number),
            cid: cid
        });
        emit RecordAnchored(recordId, cid, sha512Digest, _msgSender());
    }

    /// @notice Returns the anchor `anchorer` made of a record.
    /// @param anchorer The account whose anchor to read (the gateway's sending key at the time).
    /// @param recordId The gateway's record id.
    /// @return exists False when `anchorer` never anchored the record (then every other value is empty).
    /// @return sha512Digest The anchored 64-byte digest.
    /// @return cid The anchored IPFS CID.
    /// @return anchoredAt Timestamp of the anchoring block.
    /// @return blockNumber Number of the anchoring block.
    function anchorOf(address anchorer, bytes32 recordId)
        external
        view
        returns (bool exists, bytes memory sha512Digest, string memory cid, uint64 anchoredAt, uint64 blockNumber)
    {
        Anchor storage stored = _anchors[anchorer][recordId];
        if (stored.anchoredAt == 0) return (false, "", "", 0, 0);
        return (true, abi.encodePacked(stored.digestHigh, stored.digestLow), stored.cid, stored.anchoredAt, stored.blockNumber);
    }

    /// @notice Anchors the Merkle root of a batch of record versions in one storage write, under
    /// the caller's address.
    /// @dev Requirements: caller has ANCHORER_ROLE; `merkleRoot` is not zero and `count` is
    /// not zero; the caller has not anchored the batch yet with a different root or count
    /// (another anchorer's batch of the same id is another batch). Re-anchoring
    /// the same root and count returns without effect and without an event, so the gateway's
    /// outbox may resend after a restart. Emits {BatchAnchored} on the first anchor of `batchId`.
    /// @param batchId The gateway's id for the batch (its outbox row).
    /// @param merkleRoot Root of the StandardMerkleTree over the batch's record versions.
    /// @param count Number of record versions (leaves) in the tree.
    function anchorBatch(bytes32 batchId, bytes32 merkleRoot, uint32 count) external onlyRole(ANCHORER_ROLE) {
        if (merkleRoot == bytes32(0) || count == 0) revert RecordAnchorsInvalidBatch(batchId, merkleRoot, count);

        Batch storage existing = _batches[_msgSender()][batchId];
        bytes32 anchoredRoot = existing.merkleRoot;
        if (anchoredRoot != bytes32(0)) {
            if (anchoredRoot == merkleRoot && existing.count == count) return;
            revert RecordAnchorsBatchAlreadyAnchored(batchId, merkleRoot, count);
        }

        _batches[_msgSender()][batchId] = Batch({
            merkleRoot: merkleRoot,
            count: count,
            anchoredAt: uint64(block.timestamp),
            blockNumber: uint64(block.number)
        });
        emit BatchAnchored(batchId, merkleRoot, count, _msgSender());
    }

    /// @notice Returns the anchor of the batch `anchorer` anchored under `batchId`.
    /// @param anchorer The account that anchored the batch.
    /// @param batchId The gateway's id for the batch.
    /// @return exists False when `anchorer` never anchored the batch (then every other value is zero).
    /// @return merkleRoot The anchored root.
    /// @return count Number of record versions in the batch.
    /// @return anchoredAt Timestamp of the anchoring block.
    /// @return blockNumber Number of the anchoring block.
    function batchOf(address anchorer, bytes32 batchId)
        external
        view
        returns (bool exists, bytes32 merkleRoot, uint32 count, uint64 anchoredAt, uint64 blockNumber)
    {
        Batch storage stored = _batches[anchorer][batchId];
        return (stored.merkleRoot != bytes32(0), stored.merkleRoot, stored.count, stored.anchoredAt, stored.blockNumber);
    }

    /// @notice Whether `version` is a leaf of the batch `batchId` anchored by `anchorer`.
    /// @dev False for a batch `anchorer` never anchored (whoever else anchored that id) and for
    /// any proof that does not lead to its root, which includes any change to any field of the
    /// version. A version chain is to be read under one anchorer: a version another anchorer
    /// anchored does not verify here, whatever its `previousVersion` points at. Still true for
    /// an anchorer whose role was revoked since: an anchor is history. Requirements:
    /// `sha512Digest` is 64 bytes (otherwise it could not have been anchored; reverts to say so).
    /// @param anchorer The account the reader trusts to have anchored the version.
    /// @param batchId The batch the gateway says the version was anchored in.
    /// @param version The record version, field for field as it was put in the tree.
    /// @param proof The version's inclusion proof from the batch's tree.
    /// @return True when the version is in the batch.
    function verifyRecord(address anchorer, bytes32 batchId, RecordVersion calldata version, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        bytes32 root = _batches[anchorer][batchId].merkleRoot;
        if (root == bytes32(0)) return false;
        return MerkleProof.verifyCalldata(proof, root, recordLeaf(version));
    }

    /// @notice The leaf hash of a record version: what the next version's `previousVersion` holds.
    /// @dev Same as StandardMerkleTree.leafHash over the types (bytes32 recordId, bytes32
    /// patientHandle, bytes32 cidHash, bytes sha512Digest, uint8 category, bytes32
    /// previousVersion, bool tombstone, address author). Fields are encoded one by one: abi.encode
    /// of the struct itself would add the offset word of a dynamic tuple and hash differently.
    /// Requirements: `sha512Digest` is 64 bytes.
    /// @param version The record version.
    /// @return The leaf hash.
    function recordLeaf(RecordVersion calldata version) public pure returns (bytes32) {
        if (version.sha512Digest.length != _DIGEST_LENGTH) revert RecordAnchorsBadDigestLength(version.sha512Digest.length);
        return keccak256(
            bytes.concat(
                keccak256(
                    abi.encode(
                        version.recordId,
                        version.patientHandle,
                        version.cidHash,
                        version.sha512Digest,
                        version.category,
                        version.previousVersion,
                        version.tombstone,
                        version.author
                    )
                )
            )
        );
    }

    /// @dev keccak256 only to compare two strings in memory; nothing hashed is stored.
    function _equal(string storage a, string calldata b) private view returns (bool) {
        return bytes(a).length == bytes(b).length && keccak256(bytes(a)) == keccak256(bytes(b));
    }
}
