import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { SqlStatement } from '../outbox/outbox.store';
import { BlobEntity } from './blob.entity';

/** What a confirmed anchor batch records on each of its blobs. */
export interface BlobAnchor {
  id: string;
  batchId: string;
  proof: string[];
  author: string;
  txHash: string;
  blockNumber: bigint;
}

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

  /** One statement for the whole batch: a batch holds hundreds of blobs. */
  async markAnchored(manager: EntityManager, anchors: readonly BlobAnchor[]): Promise<void> {
    if (anchors.length === 0) return;
    const rows = anchors.map((a) => ({ id: a.id, batch_id: a.batchId, proof: a.proof, author: a.author, tx_hash: a.txHash, block: a.blockNumber.toString() }));
    await manager.query(
      `UPDATE anchored_blobs AS b
          SET anchor_status = 'anchored', anchor_batch_id = v.batch_id, anchor_proof = v.proof, anchor_author = v.author,
              anchor_tx_hash = v.tx_hash, anchored_block = v.block::bigint, anchor_error = NULL
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, batch_id text, proof jsonb, author text, tx_hash text, block text)
        WHERE b.id = v.id`,
      [JSON.stringify(rows)],
    );
  }

  async markFailed(manager: EntityManager, ids: readonly string[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await manager.update(BlobEntity, { id: In([...ids]) }, { anchorStatus: 'failed', anchorError: reason });
  }
}
