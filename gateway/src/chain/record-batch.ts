import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import { keccak256 } from 'ethereum-cryptography/keccak';
import { setImmediate } from 'node:timers/promises';
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

export { recordIdOnChain } from './record-id';

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
  /** One per input version, in input order. */
  proofs: RecordProof[];
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

const keccakHex = (bytes: Uint8Array): string => `0x${Buffer.from(keccak256(bytes)).toString('hex')}`;

/** keccak256 of the CID's UTF-8 bytes; NO_CID_HASH for none. */
export function cidHash(cid: string | null): string {
  return cid === null ? NO_CID_HASH : keccakHex(Buffer.from(cid, 'utf8'));
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

const WORD = 32;
const word = (hex: string): Buffer => Buffer.from(hex.slice(2), 'hex');

/**
 * abi.encode of the leaf fields (RECORD_LEAF_ENCODING): eight head words, the digest's being
 * its offset (8 words), then the digest's length and its two words. Written out because the
 * layout is fixed and a generic ABI coder costs ~0.5 ms a leaf, which a batch of hundreds
 * pays on every send; record-batch.spec.ts checks it against web3's coder and the contract.
 */
function encodeLeaf(version: RecordVersion): Buffer {
  const out = Buffer.alloc(11 * WORD);
  word(version.recordId).copy(out, 0);
  word(version.patientHandle).copy(out, WORD);
  word(cidHash(version.cid)).copy(out, 2 * WORD);
  out.writeUInt32BE(8 * WORD, 4 * WORD - 4);
  out[5 * WORD - 1] = version.category;
  word(version.previousVersion).copy(out, 5 * WORD);
  out[7 * WORD - 1] = version.tombstone ? 1 : 0;
  word(version.author).copy(out, 7 * WORD + 12);
  out.writeUInt32BE(SHA512_BYTES, 9 * WORD - 4);
  version.sha512Digest.copy(out, 9 * WORD);
  return out;
}

/**
 * The version's leaf hash, equal to RecordAnchors.recordLeaf on chain and to StandardMerkleTree's
 * leaf hash: keccak256(keccak256(abi.encode(fields))), hashed twice so that no leaf can pass
 * for an inner node. Throws for a version that could not be anchored.
 */
export function versionId(version: RecordVersion): string {
  assertValid(version);
  return keccakHex(keccak256(encodeLeaf(version)));
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
 * Builds the Merkle tree of a batch: its root and count go on chain (anchorBatch), the
 * proofs stay with the gateway. The tree is OpenZeppelin's over the leaf hashes (sorted
 * leaves, sorted pairs), which is what StandardMerkleTree builds over the leaf values, and
 * what MerkleProof verifies on chain. Throws on an empty batch, an invalid version or the
 * same version twice.
 */
export function buildRecordBatch(versions: readonly RecordVersion[]): RecordBatch {
  if (versions.length === 0) throw new Error('A record batch needs at least one version');
  const leaves = versions.map(versionId);
  assertDistinct(leaves);
  const tree = SimpleMerkleTree.of(leaves);
  const { tree: nodes, values } = tree.dump();
  const proofs = versions.map((version, index) => ({ version, versionId: leaves[index]!, proof: siblingsUp(nodes, values[index]!.treeIndex) }));
  return { root: tree.root, count: versions.length, proofs };
}

/** Hashes done between two turns of the event loop: a few milliseconds of work on a slow core. */
const LEAVES_PER_TURN = 64;
const NODES_PER_TURN = 128;

/**
 * buildRecordBatch for the gateway's sender, which shares the event loop with requests: a
 * 512-version batch is ~35 ms of leaf hashing (three keccaks a leaf) and ~45 ms of tree through
 * SimpleMerkleTree (~22 µs a keccak in JavaScript on this project's machine), which had blocked
 * requests for ~90 ms at once. Here leaves are hashed 64 at a time and the tree is built 128
 * nodes at a time (OpenZeppelin's layout and sorted pairs, on bytes: half the time), letting
 * requests in between. The same batch as buildRecordBatch, node for node (record-batch.spec.ts).
 */
export async function buildRecordBatchInTurns(versions: readonly RecordVersion[]): Promise<RecordBatch> {
  if (versions.length === 0) throw new Error('A record batch needs at least one version');
  const leaves: string[] = [];
  for (let start = 0; start < versions.length; start += LEAVES_PER_TURN) {
    for (const version of versions.slice(start, start + LEAVES_PER_TURN)) leaves.push(versionId(version));
    await setImmediate();
  }
  assertDistinct(leaves);
  const { nodes, treeIndex } = await merkleTreeInTurns(leaves);
  const proofs = versions.map((version, index) => ({ version, versionId: leaves[index]!, proof: siblingsUp(nodes, treeIndex[index]!) }));
  return { root: nodes[0]!, count: versions.length, proofs };
}

/**
 * OpenZeppelin's SimpleMerkleTree over `leaves` (sortLeaves, the default): leaves sorted as
 * numbers, placed from the end of the array, each inner node i = keccak256 of its children
 * 2i+1 and 2i+2 in sorted order; `treeIndex[i]` is where leaf i landed. Built in turns.
 */
async function merkleTreeInTurns(leaves: readonly string[]): Promise<{ nodes: string[]; treeIndex: number[] }> {
  const sorted = leaves.map((leaf, index) => ({ bytes: word(leaf), index })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const nodes: Buffer[] = new Array(2 * sorted.length - 1);
  const treeIndex: number[] = new Array(sorted.length);
  sorted.forEach((leaf, position) => {
    nodes[nodes.length - 1 - position] = leaf.bytes;
    treeIndex[leaf.index] = nodes.length - 1 - position;
  });
  for (let i = nodes.length - 1 - sorted.length, done = 1; i >= 0; i--, done++) {
    const [left, right] = [nodes[2 * i + 1]!, nodes[2 * i + 2]!];
    nodes[i] = Buffer.from(keccak256(Buffer.compare(left, right) <= 0 ? Buffer.concat([left, right]) : Buffer.concat([right, left])));
    if (done % NODES_PER_TURN === 0) await setImmediate();
  }
  return { nodes: nodes.map((node) => `0x${node.toString('hex')}`), treeIndex };
}

function assertDistinct(leaves: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of leaves) {
    if (seen.has(id)) throw new Error(`A record batch holds version ${id} twice`);
    seen.add(id);
  }
}

/**
 * The proof of the node at `index` in OpenZeppelin's array layout (root at 0, children of i at
 * 2i+1 and 2i+2): its sibling at each level up to the root. The same walk as the library's
 * getProof, without re-validating the whole tree for each of a batch's hundreds of leaves.
 */
function siblingsUp(nodes: readonly string[], index: number): string[] {
  const proof: string[] = [];
  for (let i = index; i > 0; i = Math.floor((i - 1) / 2)) proof.push(nodes[i % 2 === 1 ? i + 1 : i - 1]!);
  return proof;
}

/** Whether `proof` shows `version` to be a leaf of the tree with `root`; false for any tampered field. */
export function verifyRecordProof(root: string, version: RecordVersion, proof: readonly string[]): boolean {
  let leaf: string;
  try {
    leaf = versionId(version);
  } catch {
    return false; // a version that could not be anchored is not in any batch
  }
  return SimpleMerkleTree.verify(root, leaf, [...proof]);
}

/** The version as RecordAnchors' struct RecordVersion, for verifyRecord and recordLeaf calls. */
export function toContractVersion(version: RecordVersion): ContractRecordVersion {
  const [recordId, patientHandle, cid, sha512Digest, category, previousVersion, tombstone, author] = recordLeaf(version);
  return { recordId, patientHandle, cidHash: cid, sha512Digest, category, previousVersion, tombstone, author };
}

/** Throws for a version that could never be anchored (what a leaf needs), without hashing anything. */
export function assertValid(version: RecordVersion): void {
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
