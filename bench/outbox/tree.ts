// The Merkle tree of a batch, timed outside the gateway: buildRecordBatch as the handler calls
// it (twice per batch: in send and again in confirmed), against one StandardMerkleTree.of with
// the proofs read off its node array, to show what the library's checks cost.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { eth } from 'web3';
import { buildRecordBatch, NO_PREVIOUS_VERSION, RECORD_LEAF_ENCODING, recordLeaf, RecordVersion } from '../../gateway/src/chain/record-batch';

export interface TreeResult {
  size: number;
  buildMs: number;
  ofMs: number;
  leanMs: number;
}

const author = eth.accounts.privateKeyToAddress(`0x${'11'.repeat(32)}`);
const version = (): RecordVersion => ({
  recordId: `0x${randomBytes(16).toString('hex')}${'0'.repeat(32)}`,
  patientHandle: `0x${'00'.repeat(32)}`,
  cid: `bafkrei${randomBytes(26).toString('hex')}`,
  sha512Digest: randomBytes(64),
  category: 0,
  previousVersion: NO_PREVIOUS_VERSION,
  tombstone: false,
  author,
});

/**
 * One leaf hash per leaf (inside `of`) and each proof read as the sibling path in the node
 * array (tree[i]'s sibling is i ± 1, its parent (i - 1) / 2): what buildRecordBatch returns,
 * without re-hashing each leaf for its versionId and again, plus a proof check, in getProof.
 */
function lean(versions: readonly RecordVersion[]): { root: string; proofs: string[][] } {
  const tree = StandardMerkleTree.of(versions.map(recordLeaf), RECORD_LEAF_ENCODING);
  const { tree: nodes, values } = tree.dump();
  const proofs = values.map(({ treeIndex }) => {
    const proof: string[] = [];
    for (let i = treeIndex; i > 0; i = Math.floor((i - 1) / 2)) proof.push(nodes[i % 2 === 1 ? i + 1 : i - 1]!);
    return proof;
  });
  return { root: tree.root, proofs };
}

const timed = (work: () => unknown): number => {
  const start = performance.now();
  work();
  return performance.now() - start;
};

/** Median of `rounds` timings per size, after one warm-up build. */
export function measureTrees(sizes: readonly number[], rounds = 3): TreeResult[] {
  buildRecordBatch(Array.from({ length: 64 }, version));
  return sizes.map((size) => {
    const versions = Array.from({ length: size }, version);
    const check = buildRecordBatch(versions);
    const fast = lean(versions);
    if (fast.root !== check.root || fast.proofs.some((proof, i) => proof.join() !== check.proofs[i]!.proof.join())) throw new Error('lean tree differs');
    const median = (work: () => unknown): number => Array.from({ length: rounds }, () => timed(work)).sort((a, b) => a - b)[rounds >> 1]!;
    return {
      size,
      buildMs: median(() => buildRecordBatch(versions)),
      ofMs: median(() => StandardMerkleTree.of(versions.map(recordLeaf), RECORD_LEAF_ENCODING)),
      leanMs: median(() => lean(versions)),
    };
  });
}

export function treeTable(results: readonly TreeResult[]): string {
  const f = (n: number): string => n.toFixed(n >= 100 ? 0 : 1);
  const lines = [
    '### Building a batch\'s Merkle tree (ms, median of 3, no gateway running)',
    '',
    '| records | buildRecordBatch | per record | the handler per batch (2 builds) | StandardMerkleTree.of alone | one tree, proofs read off it | per record |',
    '|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.size} | ${f(r.buildMs)} | ${(r.buildMs / r.size).toFixed(2)} | ${f(2 * r.buildMs)} | ${f(r.ofMs)} | ${f(r.leanMs)} | ${(r.leanMs / r.size).toFixed(2)} |`);
  }
  return lines.join('\n');
}
