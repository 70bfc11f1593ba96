import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { VersionAnchor } from '../anchoring/anchor-columns';
import { MerkleAnchorHandler } from '../anchoring/merkle-anchor.handler';
import { RecordAnchors } from '../chain/record-anchors';
import { WebhookEvents } from '../webhooks/webhook-events';
import { RecordStore } from './record.store';

/** Anchors medical records' versions in Merkle batches; each row keeps its proof, and the filing hospital's webhooks hear of it. */
@Injectable()
export class RecordVersionAnchorHandler extends MerkleAnchorHandler {
  readonly kind = 'record-version';

  constructor(
    anchors: RecordAnchors,
    private readonly records: RecordStore,
    private readonly webhooks: WebhookEvents,
  ) {
    super(anchors);
  }

  /** The rows record their anchor; each filing hospital hears of its versions (one record.anchored per hospital and batch). */
  protected async markAnchored(manager: EntityManager, anchors: readonly VersionAnchor[]): Promise<void> {
    await this.records.markAnchored(manager, anchors);
    const byAuthor = new Map<string, VersionAnchor[]>();
    for (const anchor of anchors) byAuthor.set(anchor.author, [...(byAuthor.get(anchor.author) ?? []), anchor]);
    for (const [author, versions] of byAuthor) {
      const [{ batchId, txHash, blockNumber }] = versions as [VersionAnchor];
      await this.webhooks.emit(manager, await this.webhooks.hospitalsOf(manager, author), 'record.anchored', {
        batchId, txHash, block: Number(blockNumber), versions: versions.map(({ ref }) => ({ recordId: ref.split(':')[0], version: Number(ref.split(':')[1]) })),
      });
    }
  }

  protected markFailed(manager: EntityManager, refs: readonly string[], reason: string): Promise<void> {
    return this.records.markFailed(manager, refs, reason);
  }
}
