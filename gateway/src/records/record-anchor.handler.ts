import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { VersionAnchor } from '../anchoring/anchor-columns';
import { MerkleAnchorHandler } from '../anchoring/merkle-anchor.handler';
import { RecordAnchors } from '../chain/record-anchors';
import { RecordStore } from './record.store';

/** Anchors medical records' versions in Merkle batches; each row keeps its proof. */
@Injectable()
export class RecordVersionAnchorHandler extends MerkleAnchorHandler {
  readonly kind = 'record-version';

  constructor(
    anchors: RecordAnchors,
    private readonly records: RecordStore,
  ) {
    super(anchors);
  }

  protected markAnchored(manager: EntityManager, anchors: readonly VersionAnchor[]): Promise<void> {
    return this.records.markAnchored(manager, anchors);
  }

  protected markFailed(manager: EntityManager, refs: readonly string[], reason: string): Promise<void> {
    return this.records.markFailed(manager, refs, reason);
  }
}
