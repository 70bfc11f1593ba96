import { EntityManager } from 'typeorm';
import { SendOptions } from '../chain/chain-client';
import { RecordAnchors } from '../chain/record-anchors';
import { assertValid, buildRecordBatchInTurns, RecordBatch, recordVersionFromJson, RecordVersionJson } from '../chain/record-batch';
import { AppliedAt, ConfirmedBatch, OutboxBatchRef, OutboxHandler, OutboxItem } from '../outbox/outbox-handler';
import { VersionAnchor } from './anchor-columns';

/** Trees kept between a batch's send and its confirmation (a cycle claims at most 4 per kind). */
const TREES_KEPT = 16;

/**
 * Anchors record versions in Merkle batches: one RecordAnchors.anchorBatch per batch, the proof
 * of each version kept on its domain row (which table is the subclass's business). Idempotent by
 * batch id on chain, so a resend is harmless. 512 per batch: see docs/decisions.md ("Batch size
 * 512, sender every 1,000 ms").
 */
export abstract class MerkleAnchorHandler extends OutboxHandler<RecordVersionJson> {
  readonly maxBatchSize = 512;
  private readonly trees = new Map<string, RecordBatch>();

  constructor(private readonly anchors: RecordAnchors) {
    super();
  }

  /** The domain rows of a confirmed batch's versions record their anchor. */
  protected abstract markAnchored(manager: EntityManager, anchors: readonly VersionAnchor[]): Promise<void>;

  /** The domain rows of a failed batch's versions record why. */
  protected abstract markFailed(manager: EntityManager, refs: readonly string[], reason: string): Promise<void>;

  override validate(payload: RecordVersionJson): void {
    assertValid(recordVersionFromJson(payload)); // on the request path: checks, no hashing
  }

  async send(batchId: string, items: readonly OutboxItem<RecordVersionJson>[], options: SendOptions): Promise<string> {
    return this.anchors.anchorBatch(batchId, await this.tree(batchId, items), options);
  }

  /** Anchored when the chain holds this batch's root under its id (an earlier send, or a lost one mined late). */
  override async alreadyApplied(batchId: string, items: readonly OutboxItem<RecordVersionJson>[]): Promise<AppliedAt | null> {
    const anchored = await this.anchors.batchOf(batchId);
    if (!anchored) return null;
    // The same id with another root is no anchor of these rows: let the send's revert say so.
    return anchored.merkleRoot === (await this.tree(batchId, items)).root ? { blockNumber: anchored.blockNumber } : null;
  }

  async confirmed(manager: EntityManager, batch: ConfirmedBatch, items: readonly OutboxItem<RecordVersionJson>[]): Promise<void> {
    const { proofs } = await this.tree(batch.id, items);
    this.trees.delete(batch.id);
    await this.markAnchored(
      manager,
      items.map((item, index) => ({
        ref: item.ref,
        batchId: batch.id,
        proof: proofs[index]!.proof,
        author: item.payload.author,
        txHash: batch.txHash,
        blockNumber: batch.blockNumber,
      })),
    );
  }

  async failed(manager: EntityManager, batch: OutboxBatchRef, items: readonly OutboxItem<RecordVersionJson>[], reason: string): Promise<void> {
    this.trees.delete(batch.id);
    await this.markFailed(manager, items.map((item) => item.ref), reason);
  }

  /**
   * Deterministic in the items, so the send and the confirmation see the same tree (after a
   * restart it is simply built again). Kept between the two: building one of 512 takes ~0.1 s
   * of CPU, spread over turns of the event loop so that requests keep being served.
   */
  private async tree(batchId: string, items: readonly OutboxItem<RecordVersionJson>[]): Promise<RecordBatch> {
    const cached = this.trees.get(batchId);
    if (cached?.count === items.length) return cached;
    const tree = await buildRecordBatchInTurns(items.map((item) => recordVersionFromJson(item.payload)));
    if (this.trees.size >= TREES_KEPT) this.trees.delete(this.trees.keys().next().value!);
    this.trees.set(batchId, tree);
    return tree;
  }
}
