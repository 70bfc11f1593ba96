import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SendOptions } from '../chain/chain-client';
import { RecordAnchors } from '../chain/record-anchors';
import { buildRecordBatch, recordLeaf, recordVersionFromJson, RecordVersionJson } from '../chain/record-batch';
import { ConfirmedBatch, OutboxBatchRef, OutboxHandler, OutboxItem } from '../outbox/outbox-handler';
import { BlobStore } from './blob.store';

/**
 * Anchors blob versions in Merkle batches: one RecordAnchors.anchorBatch per batch, the proof of
 * each version kept on its blob row. Idempotent by batch id on chain, so a resend is harmless.
 * 512 per batch: see docs/decisions.md ("Outbox batch size and cadence").
 */
@Injectable()
export class RecordAnchorHandler extends OutboxHandler<RecordVersionJson> {
  readonly kind = 'record-anchor';
  readonly maxBatchSize = 512;

  constructor(
    private readonly anchors: RecordAnchors,
    private readonly blobs: BlobStore,
  ) {
    super();
  }

  override validate(payload: RecordVersionJson): void {
    recordLeaf(recordVersionFromJson(payload)); // throws for what could never be anchored
  }

  send(batchId: string, items: readonly OutboxItem<RecordVersionJson>[], options: SendOptions): Promise<string> {
    return this.anchors.anchorBatch(batchId, this.tree(items), options);
  }

  async confirmed(manager: EntityManager, batch: ConfirmedBatch, items: readonly OutboxItem<RecordVersionJson>[]): Promise<void> {
    const { proofs } = this.tree(items);
    await this.blobs.markAnchored(
      manager,
      items.map((item, index) => ({
        id: item.ref,
        batchId: batch.id,
        proof: proofs[index]!.proof,
        author: item.payload.author,
        txHash: batch.txHash,
        blockNumber: batch.blockNumber,
      })),
    );
  }

  async failed(manager: EntityManager, _batch: OutboxBatchRef, items: readonly OutboxItem<RecordVersionJson>[], reason: string): Promise<void> {
    await this.blobs.markFailed(manager, items.map((item) => item.ref), reason);
  }

  /** Deterministic in the items, so the send and the confirmation see the same tree. */
  private tree(items: readonly OutboxItem<RecordVersionJson>[]) {
    return buildRecordBatch(items.map((item) => recordVersionFromJson(item.payload)));
  }
}
