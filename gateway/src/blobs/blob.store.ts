import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { markRowsAnchored, markRowsFailed, VersionAnchor } from '../anchoring/anchor-columns';
import type { SqlStatement } from '../outbox/outbox.store';
import { BlobEntity } from './blob.entity';

/** A blob's outbox ref is its id. */
const BLOB_KEY = 't.id = $ref::uuid';

/** The anchored_blobs table. */
@Injectable()
export class BlobStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The INSERT of new blobs' rows, returning each id and created_at: for the outbox to queue their anchors in the same statement. */
  insertStatement(blobs: ReadonlyArray<Pick<BlobEntity, 'id' | 'cid' | 'sha512' | 'sizeBytes' | 'createdBy'>>): SqlStatement {
    const rows = blobs.map((b) => ({ id: b.id, cid: b.cid, sha512: b.sha512.toString('hex'), size_bytes: b.sizeBytes, created_by: b.createdBy }));
    return {
      sql: `INSERT INTO anchored_blobs (id, cid, sha512, size_bytes, created_by)
            SELECT r.id, r.cid, decode(r.sha512, 'hex'), r.size_bytes, r.created_by
              FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, cid text, sha512 text, size_bytes integer, created_by uuid)
            RETURNING id, created_at`,
      params: [JSON.stringify(rows)],
    };
  }

  find(id: string, manager: EntityManager = this.db.manager): Promise<BlobEntity | null> {
    return manager.findOneBy(BlobEntity, { id });
  }

  count(manager: EntityManager = this.db.manager): Promise<number> {
    return manager.count(BlobEntity);
  }

  markAnchored(manager: EntityManager, anchors: readonly VersionAnchor[]): Promise<void> {
    return markRowsAnchored(manager, 'anchored_blobs', BLOB_KEY, anchors);
  }

  markFailed(manager: EntityManager, ids: readonly string[], reason: string): Promise<void> {
    return markRowsFailed(manager, 'anchored_blobs', BLOB_KEY, ids, reason);
  }
}
