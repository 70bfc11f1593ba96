// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title RecordAnchors
/// @notice Tamper evidence for EHRChain records: the SHA-512 digest and IPFS CID of each record,
/// fixed on chain once. Reads recompute the digest and compare it with the anchor.
/// @dev The digest is salted off chain (the salt lives inside the encrypted record), so a bare
/// hash of a short, predictable record cannot be confirmed by guessing.
contract RecordAnchors is AccessControl {
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

    mapping(bytes32 recordId => Anchor) private _anchors;

    /// @notice The digest was not 64 bytes long.
    error RecordAnchorsBadDigestLength(uint256 length);

    /// @notice The record is already anchored with a different digest or CID.
    error RecordAnchorsAlreadyAnchored(bytes32 recordId);

    /// @notice A record's digest and CID were anchored.
    event RecordAnchored(bytes32 indexed recordId, string cid, bytes sha512Digest, address indexed anchorer);

    /// @notice The deployer (the gateway) becomes admin and first anchorer; no constructor
    /// arguments, so the same bytecode deploys identically on Anvil and Besu.
    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, _msgSender());
        _grantRole(ANCHORER_ROLE, _msgSender());
    }

    /// @notice Anchors the SHA-512 digest and IPFS CID of a record.
    /// @dev Requirements: caller has ANCHORER_ROLE; `sha512Digest` is 64 bytes; the record is not
    /// anchored yet with different data. Re-anchoring identical data returns without effect and
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

        Anchor storage existing = _anchors[recordId];
        if (existing.anchoredAt != 0) {
            if (existing.digestHigh == high && existing.digestLow == low && _equal(existing.cid, cid)) return;
            revert RecordAnchorsAlreadyAnchored(recordId);
        }

        _anchors[recordId] = Anchor({
            digestHigh: high,
            digestLow: low,
            anchoredAt: uint64(block.timestamp),
            blockNumber: uint64(block.number),
            cid: cid
        });
        emit RecordAnchored(recordId, cid, sha512Digest, _msgSender());
    }

    /// @notice Returns the anchor of a record.
    /// @param recordId The gateway's record id.
    /// @return exists False when the record was never anchored (then every other value is empty).
    /// @return sha512Digest The anchored 64-byte digest.
    /// @return cid The anchored IPFS CID.
    /// @return anchoredAt Timestamp of the anchoring block.
    /// @return blockNumber Number of the anchoring block.
    function anchorOf(bytes32 recordId)
        external
        view
        returns (bool exists, bytes memory sha512Digest, string memory cid, uint64 anchoredAt, uint64 blockNumber)
    {
        Anchor storage stored = _anchors[recordId];
        if (stored.anchoredAt == 0) return (false, "", "", 0, 0);
        return (true, abi.encodePacked(stored.digestHigh, stored.digestLow), stored.cid, stored.anchoredAt, stored.blockNumber);
    }

    /// @dev keccak256 only to compare two strings in memory; nothing hashed is stored.
    function _equal(string storage a, string calldata b) private view returns (bool) {
        return bytes(a).length == bytes(b).length && keccak256(bytes(a)) == keccak256(bytes(b));
    }
}
