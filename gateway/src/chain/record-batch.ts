import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { utils } from 'web3';

/**
 * One version of a record as the gateway anchors it in a batch (contracts/RecordAnchors.sol,
 * struct RecordVersion). Only the batch's Merkle root goes on chain; the gateway keeps the
 * version and its proof, and anyone holding both can check them with `verifyRecord`.
 */
export interface RecordVersion {
  /** The record's id, the same for all its versions: 0x + 64 hex digits. */
  recordId: string;
  /** The patient's on-chain handle (never their identity): 0x + 64 hex digits. */
  patientHandle: string;
  /** IPFS CID of the encrypted record; null for a tombstone (the content is erased). */
  cid: string | null;
  /** Salted SHA-512 digest, 64 bytes; all zero for a tombstone. */
  sha512Digest: Buffer;
  /** Record category (ABDM HI type index), 0-255. */
  category: number;
  /** `versionId` of the version this one replaces; NO_PREVIOUS_VERSION for the first. */
  previousVersion: string;
  /** True for the version that marks the record erased. */
  tombstone: boolean;
  /** The hospital or doctor on whose behalf the version is anchored. */
  author: string;
}

/** A RecordVersion as JSON (an outbox payload): the digest as 0x-hex. */
export type RecordVersionJson = Omit<RecordVersion, 'sha512Digest'> & { sha512Digest: string };

export function recordVersionToJson(version: RecordVersion): RecordVersionJson {
  return { ...version, sha512Digest: `0x${version.sha512Digest.toString('hex')}` };
}

export function recordVersionFromJson(json: RecordVersionJson): RecordVersion {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(json.sha512Digest)) throw new Error('A record version digest is 0x-prefixed hex');
  return { ...json, sha512Digest: Buffer.from(json.sha512Digest.slice(2), 'hex') };
}

/**
 * The leaf's values in contract order: recordId, patientHandle, cidHash, sha512Digest,
 * category, previousVersion, tombstone, author. JSON-safe, so a tree dump can be stored.
 */
export type RecordLeaf = [string, string, string, string, number, string, boolean, string];

/**
 * StandardMerkleTree leaf types, field for field as RecordAnchors.recordLeaf abi-encodes them.
 * The library hashes a leaf as keccak256(keccak256(abi.encode(values))).
 */
export const RECORD_LEAF_ENCODING = ['bytes32', 'bytes32', 'bytes32', 'bytes', 'uint8', 'bytes32', 'bool', 'address'];

export const NO_PREVIOUS_VERSION = `0x${'00'.repeat(32)}`;

/** cidHash of a tombstone, which points at no content. */
export const NO_CID_HASH = `0x${'00'.repeat(32)}`;

/** What StandardMerkleTree.dump() returns for a record tree (format 'standard-v1'). */
export type RecordTreeData = ReturnType<StandardMerkleTree<RecordLeaf>['dump']>;

export interface RecordProof {
  version: RecordVersion;
  /** The leaf hash: the version's id on chain, what the next version's `previousVersion` holds. */
  versionId: string;
  /** Sibling hashes from the leaf to the root. */
  proof: string[];
}

export interface RecordBatch {
  /** For RecordAnchors.anchorBatch. */
  root: string;
  count: number;
  /** For RecordAnchors.anchorBatch: the record id of each version, in input order. */
  recordIds: string[];
  /** One per input version, in input order. */
  proofs: RecordProof[];
  /** The whole tree (StandardMerkleTree.dump()), for storage; StandardMerkleTree.load() reads it back. */
  tree: RecordTreeData;
}

/** The struct RecordVersion argument of RecordAnchors.verifyRecord / recordLeaf. */
export interface ContractRecordVersion {
  recordId: string;
  patientHandle: string;
  cidHash: string;
  sha512Digest: string;
  category: number;
  previousVersion: string;
  tombstone: boolean;
  author: string;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const SHA512_BYTES = 64;

/** keccak256 of the CID's UTF-8 bytes; NO_CID_HASH for none. */
export function cidHash(cid: string | null): string {
  return cid === null ? NO_CID_HASH : utils.keccak256(Buffer.from(cid, 'utf8'));
}

/** The leaf values of a version, validated. */
export function recordLeaf(version: RecordVersion): RecordLeaf {
  assertValid(version);
  return [
    version.recordId.toLowerCase(),
    version.patientHandle.toLowerCase(),
    cidHash(version.cid),
    `0x${version.sha512Digest.toString('hex')}`,
    version.category,
    version.previousVersion.toLowerCase(),
    version.tombstone,
    utils.toChecksumAddress(version.author),
  ];
}

/** The version's leaf hash, equal to RecordAnchors.recordLeaf on chain. */
export function versionId(version: RecordVersion): string {
  return StandardMerkleTree.of([recordLeaf(version)], RECORD_LEAF_ENCODING).root;
}

/** The version that erases `previous`: same record, patient and category, no content. */
export function tombstoneOf(previous: RecordVersion, author: string): RecordVersion {
  return {
    recordId: previous.recordId,
    patientHandle: previous.patientHandle,
    cid: null,
    sha512Digest: Buffer.alloc(SHA512_BYTES),
    category: previous.category,
    previousVersion: versionId(previous),
    tombstone: true,
    author,
  };
}

/**
 * Builds the Merkle tree of a batch: its root and count go on chain (anchorBatch), the proofs
 * stay with the gateway. Throws on an empty batch, an invalid version or the same version twice.
 */
export function buildRecordBatch(versions: readonly RecordVersion[]): RecordBatch {
  if (versions.length === 0) throw new Error('A record batch needs at least one version');
  const tree = StandardMerkleTree.of(versions.map(recordLeaf), RECORD_LEAF_ENCODING);
  const proofs = versions.map((version, index) => ({ version, versionId: tree.leafHash(tree.at(index)!), proof: tree.getProof(index) }));
  const seen = new Set<string>();
  for (const { versionId: id } of proofs) {
    if (seen.has(id)) throw new Error(`A record batch holds version ${id} twice`);
    seen.add(id);
  }
  return { root: tree.root, count: versions.length, recordIds: versions.map((v) => v.recordId.toLowerCase()), proofs, tree: tree.dump() };
}

/** Whether `proof` shows `version` to be a leaf of the tree with `root`; false for any tampered field. */
export function verifyRecordProof(root: string, version: RecordVersion, proof: readonly string[]): boolean {
  let leaf: RecordLeaf;
  try {
    leaf = recordLeaf(version);
  } catch {
    return false; // a version that could not be anchored is not in any batch
  }
  return StandardMerkleTree.verify(root, RECORD_LEAF_ENCODING, leaf, [...proof]);
}

/** The version as RecordAnchors' struct RecordVersion, for verifyRecord and recordLeaf calls. */
export function toContractVersion(version: RecordVersion): ContractRecordVersion {
  const [recordId, patientHandle, cid, sha512Digest, category, previousVersion, tombstone, author] = recordLeaf(version);
  return { recordId, patientHandle, cidHash: cid, sha512Digest, category, previousVersion, tombstone, author };
}

function assertValid(version: RecordVersion): void {
  const { recordId, patientHandle, cid, sha512Digest, category, previousVersion, tombstone, author } = version;
  if (!HEX32.test(recordId)) throw new Error(`A record id on chain is 0x + 64 hex digits, got "${recordId}"`);
  if (!HEX32.test(patientHandle)) throw new Error('A patient handle is 0x + 64 hex digits'); // not echoed: it is the patient's
  if (!HEX32.test(previousVersion)) throw new Error(`A previous version is 0x + 64 hex digits, got "${previousVersion}"`);
  if (!ADDRESS.test(author)) throw new Error(`An author is a 20-byte address, got "${author}"`);
  if (!Number.isInteger(category) || category < 0 || category > 255) throw new Error(`A category is 0-255, got ${category}`);
  if (sha512Digest.length !== SHA512_BYTES) throw new Error(`A SHA-512 digest has ${SHA512_BYTES} bytes, got ${sha512Digest.length}`);
  if (!tombstone && (cid === null || cid === '')) throw new Error(`Version of record ${recordId} has no CID and is not a tombstone`);
  if (tombstone && previousVersion === NO_PREVIOUS_VERSION) {
    throw new Error(`A tombstone erases an earlier version; record ${recordId} has none`);
  }
}
