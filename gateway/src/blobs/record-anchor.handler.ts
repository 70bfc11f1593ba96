import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { VersionAnchor } from '../anchoring/anchor-columns';
import { MerkleAnchorHandler } from '../anchoring/merkle-anchor.handler';
import { RecordAnchors } from '../chain/record-anchors';
import { BlobStore } from './blob.store';

/** Anchors blobs' versions (kind 'record-anchor', the name rows were queued under since the first release). */
@Injectable()
export class RecordAnchorHandler extends MerkleAnchorHandler {
  readonly kind = 'record-anchor';

  constructor(
    anchors: RecordAnchors,
    private readonly blobs: BlobStore,
  ) {
    super(anchors);
  }

  protected markAnchored(manager: EntityManager, anchors: readonly VersionAnchor[]): Promise<void> {
    return this.blobs.markAnchored(manager, anchors);
  }

  protected markFailed(manager: EntityManager, refs: readonly string[], reason: string): Promise<void> {
    return this.blobs.markFailed(manager, refs, reason);
  }
}
