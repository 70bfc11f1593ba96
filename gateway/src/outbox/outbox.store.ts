import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { OutboxBatchEntity, OutboxBatchStatus } from './outbox-batch.entity';
import { OutboxItem } from './outbox-handler';
import { OutboxEntity, OutboxStatus } from './outbox.entity';

/** A row of a batch as stored: its item and the MAC it was queued with. */
export interface StoredItem<P> extends OutboxItem<P> {
  mac: string | null;
}

/** A row to queue: the handler's kind, the domain id, the payload and its MAC. */
export interface OutboxRow {
  kind: string;
  ref: string;
  payload: unknown;
  mac: string;
}

export interface KindStatusCount {
  kind: string;
  status: string;
  count: number;
}

/** One SQL statement with its positional parameters. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** The outbox tables (chain_outbox, chain_outbox_batches). No decisions here: OutboxService makes them. */
@Injectable()
export class OutboxStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Runs `work` in one database transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insert(manager: EntityManager, row: OutboxRow): Promise<void> {
    await manager.insert(OutboxEntity, { ...row, payload: row.payload as object });
  }

  /** `domain` (an INSERT … RETURNING) and the outbox rows in one statement; the domain rows it returns. */
  insertWith<R>(domain: SqlStatement, rows: readonly OutboxRow[]): Promise<R[]> {
    const n = domain.params.length;
    return this.db.query(
      `WITH domain AS (${domain.sql}),
            queued AS (
              INSERT INTO chain_outbox (kind, ref, payload, mac)
              SELECT r.kind, r.ref, r.payload, r.mac FROM jsonb_to_recordset($${n + 1}::jsonb) AS r(kind varchar, ref varchar, payload jsonb, mac varchar)
            )
       SELECT * FROM domain`,
      [...domain.params, JSON.stringify(rows)],
    );
  }

  /**
   * Withdraws a row no batch has claimed yet, in the caller's transaction; false when it was
   * claimed already (its transaction may be on its way). The row is locked, so a claim running
   * at the same time either takes it first or never sees it.
   */
  async withdraw(manager: EntityManager, kind: string, ref: string): Promise<boolean> {
    const rows = (await manager.query(`DELETE FROM chain_outbox WHERE id IN (SELECT id FROM chain_outbox WHERE kind = $1 AND ref = $2 AND status = 'pending' FOR UPDATE) RETURNING id`, [kind, ref])) as unknown[];
    return (Array.isArray(rows[0]) ? rows[0] : rows).length > 0;
  }

  /**
   * Gives up to `max` pending rows of `kind` a new batch, in one transaction, and returns the
   * batch; null when none is pending. SKIP LOCKED: a row another transaction is claiming is
   * left to it, so two claims never take the same row.
   */
  claim(kind: string, max: number): Promise<OutboxBatchEntity | null> {
    return this.db.transaction(async (manager) => {
      const rows = await manager
        .createQueryBuilder(OutboxEntity, 'row')
        .select('row.id', 'id')
        .where('row.kind = :kind AND row.status = :status', { kind, status: 'pending' satisfies OutboxStatus })
        .orderBy('row.id', 'ASC')
        .limit(max)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getRawMany<{ id: string }>();
      if (rows.length === 0) return null;
      const batch = manager.create(OutboxBatchEntity, { id: `0x${randomBytes(32).toString('hex')}`, kind, status: 'claimed' });
      await manager.insert(OutboxBatchEntity, batch);
      await manager.update(OutboxEntity, { id: In(rows.map((row) => row.id)) }, { status: 'batched', batchId: batch.id });
      return manager.findOneByOrFail(OutboxBatchEntity, { id: batch.id });
    });
  }

  batchesIn(status: OutboxBatchStatus): Promise<OutboxBatchEntity[]> {
    return this.db.getRepository(OutboxBatchEntity).find({ where: { status }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The batch's rows still in it, in claim order: the order every send and confirmation sees. */
  async items<P>(batchId: string): Promise<StoredItem<P>[]> {
    const rows = await this.db.getRepository(OutboxEntity).find({ where: { batchId, status: 'batched' }, order: { id: 'ASC' } });
    return rows.map((row) => ({ ref: row.ref, payload: row.payload as P, mac: row.mac }));
  }

  /** Fails some rows of a batch on their own (the rest stay in it), before its first send. */
  async rejectRows(manager: EntityManager, batchId: string, refs: readonly string[], reason: string): Promise<void> {
    await manager.update(OutboxEntity, { batchId, ref: In([...refs]) }, { status: 'failed', lastError: reason });
  }

  /**
   * claimed → sent, recording the hash. False when the batch was not 'claimed' any more:
   * another sender took it (a fence, should two ever run), so this one must not broadcast.
   */
  async markSent(batchId: string, txHash: string): Promise<boolean> {
    const result = await this.db
      .createQueryBuilder()
      .update(OutboxBatchEntity)
      .set({ status: 'sent', txHash, sends: () => 'sends + 1', sentAt: () => 'now()', lastError: null })
      .where('id = :batchId AND status = :claimed', { batchId, claimed: 'claimed' satisfies OutboxBatchStatus })
      .execute();
    return result.affected === 1;
  }

  /** Back to claimed (same id, same rows): the next cycle sends it again. */
  async reclaim(batchId: string, reason: string): Promise<void> {
    await this.db.getRepository(OutboxBatchEntity).update({ id: batchId }, { status: 'claimed', lastError: reason });
  }

  async noteError(batchId: string, reason: string): Promise<void> {
    await this.db.getRepository(OutboxBatchEntity).update({ id: batchId }, { lastError: reason });
  }

  async complete(manager: EntityManager, batchId: string, txHash: string, blockNumber: bigint): Promise<void> {
    await manager.update(OutboxBatchEntity, { id: batchId }, { status: 'done', txHash, blockNumber: blockNumber.toString(), lastError: null });
    await manager.update(OutboxEntity, { batchId, status: 'batched' }, { status: 'done' });
  }

  async fail(manager: EntityManager, batchId: string, reason: string): Promise<void> {
    await manager.update(OutboxBatchEntity, { id: batchId }, { status: 'failed', lastError: reason });
    await manager.update(OutboxEntity, { batchId, status: 'batched' }, { status: 'failed', lastError: reason });
  }

  /** Rows and batches by kind and status, and the age of the oldest row of each kind not yet done: for /metrics. */
  async health(): Promise<{ rows: KindStatusCount[]; batches: KindStatusCount[]; oldestOpenSeconds: { kind: string; seconds: number }[] }> {
    const rows = await this.db.query(`SELECT kind, status, count(*)::int AS count FROM chain_outbox GROUP BY kind, status`);
    const batches = await this.db.query(`SELECT kind, status, count(*)::int AS count FROM chain_outbox_batches GROUP BY kind, status`);
    const oldest = await this.db.query(
      `SELECT kind, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS seconds FROM chain_outbox WHERE status IN ('pending', 'batched') GROUP BY kind`,
    );
    return { rows, batches, oldestOpenSeconds: oldest };
  }

  /** The row's status, or null when no such row exists. */
  async rowStatus(kind: string, ref: string): Promise<OutboxStatus | null> {
    const row = await this.db.getRepository(OutboxEntity).findOne({ select: { status: true }, where: { kind, ref } });
    return row?.status ?? null;
  }
}
