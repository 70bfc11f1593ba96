import { ChainClient, SendOptions } from './chain-client';
import { ChainContract } from './chain-contract';
import { RecordBatch, RecordVersion, verifyRecordProof } from './record-batch';

/** A batch's Merkle root as anchored on chain. */
export interface BatchAnchor {
  merkleRoot: string;
  count: number;
  anchoredAt: Date;
  blockNumber: bigint;
}

export interface RecordAnchor {
  /** The anchored SHA-512 digest, 64 bytes. */
  digest: Buffer;
  cid: string;
  /** Timestamp of the anchoring block. */
  anchoredAt: Date;
  blockNumber: bigint;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const SHA512_BYTES = 64;
/** Batch roots kept in memory (a root is 32 bytes; 100,000 batches hold 51 million records at 512 a batch). */
const ROOTS_KEPT = 100_000;

/**
 * Typed access to the RecordAnchors contract (contracts/RecordAnchors.sol). Anchors live under
 * the account that wrote them, so every read names its anchorer: by default this gateway's own
 * sending key; pass a former key (after a rotation) to read what it anchored.
 */
export class RecordAnchors {
  static readonly artifactName = 'RecordAnchors';
  readonly contract: ChainContract;
  /** Anchored roots by anchorer and batch id (see verifyRecord). */
  private readonly roots = new Map<string, string>();

  constructor(
    private readonly chain: ChainClient,
    readonly address: string,
    /** The block the contract was deployed in: no log of it is older. */
    readonly deployedAt = 0n,
  ) {
    this.contract = chain.contract(RecordAnchors.artifactName, address);
  }

  /**
   * Sends the batch's root and record ids; returns the transaction hash without waiting for a
   * block. Re-sending the same batch under the same id is a no-op on chain (outbox retries).
   */
  async anchorBatch(batchId: string, batch: RecordBatch, options?: SendOptions): Promise<string> {
    if (!HEX32.test(batchId)) throw new Error(`A batch id is 0x + 64 hex digits, got "${batchId}"`);
    const { txHash } = await this.chain.send(this.contract, 'anchorBatch', [batchId, batch.root, batch.count], options);
    return txHash;
  }

  /** The batch as `anchorer` anchored it, or null when it never did. */
  async batchOf(batchId: string, anchorer: string = this.chain.address): Promise<BatchAnchor | null> {
    const [exists, merkleRoot, count, anchoredAt, blockNumber] = await this.chain.call(this.contract, 'batchOf', [anchorer, batchId]);
    if (exists !== true) return null;
    return { merkleRoot: String(merkleRoot), count: Number(count), anchoredAt: new Date(Number(anchoredAt) * 1000), blockNumber: BigInt(blockNumber as bigint) };
  }

  /**
   * Whether `version` with `proof` is a leaf of the root `anchorer` anchored as batch `batchId`:
   * the root comes from the chain, the proof is checked here exactly as the contract's
   * verifyRecord checks it (record-batch.spec.ts holds the two to the same leaf hash). A root
   * is read once: anchorBatch refuses another root under an id, and IBFT blocks are final, so
   * an anchored root never changes; a batch not anchored yet is read again next time.
   */
  async verifyRecord(batchId: string, version: RecordVersion, proof: readonly string[], anchorer: string = this.chain.address): Promise<boolean> {
    const key = `${anchorer.toLowerCase()}:${batchId.toLowerCase()}`;
    let root = this.roots.get(key);
    if (!root) {
      const batch = await this.batchOf(batchId, anchorer);
      if (!batch) return false;
      root = batch.merkleRoot;
      if (this.roots.size >= ROOTS_KEPT) this.roots.delete(this.roots.keys().next().value!);
      this.roots.set(key, root);
    }
    return verifyRecordProof(root, version, proof);
  }

  /**
   * Sends the anchor transaction and returns its hash without waiting for a block.
   * Re-sending identical data is a no-op on chain, which is what lets the outbox retry.
   */
  async anchor(recordId: string, cid: string, digest: Buffer): Promise<string> {
    assertRecordId(recordId);
    // Checked here too so a caller bug fails fast with a plain message instead of a gas estimate revert.
    if (digest.length !== SHA512_BYTES) throw new Error(`A SHA-512 digest has ${SHA512_BYTES} bytes, got ${digest.length}`);
    const { txHash } = await this.chain.send(this.contract, 'anchor', [recordId, cid, `0x${digest.toString('hex')}`]);
    return txHash;
  }

  /** `anchorer`'s anchor of `recordId` as of the latest block, or null when it never anchored it. */
  async anchorOf(recordId: string, anchorer: string = this.chain.address): Promise<RecordAnchor | null> {
    assertRecordId(recordId);
    const [exists, digest, cid, anchoredAt, blockNumber] = await this.chain.call(this.contract, 'anchorOf', [anchorer, recordId]);
    if (exists !== true) return null;
    if (typeof digest !== 'string' || typeof cid !== 'string' || typeof anchoredAt !== 'bigint' || typeof blockNumber !== 'bigint') {
      throw new Error('RecordAnchors.anchorOf returned an unexpected shape; is the ABI current?');
    }
    return {
      digest: Buffer.from(digest.slice(2), 'hex'),
      cid,
      anchoredAt: new Date(Number(anchoredAt) * 1000),
      blockNumber,
    };
  }
}

function assertRecordId(recordId: string): void {
  if (!HEX32.test(recordId)) throw new Error(`A record id on chain is 0x + 64 hex digits, got "${recordId}"`);
}
