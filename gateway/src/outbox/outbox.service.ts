import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager } from 'typeorm';
import { ChainClient } from '../chain/chain-client';
import { DependencyUnavailableError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { OutboxEntity } from './outbox.entity';

/** One kind of chain write. `send` must be idempotent on chain (contracts key writes by id). */
export interface OutboxHandler {
  kind: string;
  send(payload: Record<string, unknown>): Promise<string>;
  /** Runs in the transaction that marks the row done, e.g. to mark the record anchored. */
  confirmed(manager: EntityManager, row: OutboxEntity, blockNumber: bigint): Promise<void>;
}

// Any constant shared by all replicas: whoever holds it is the one sender (DESIGN.md, chain writes).
const SENDER_LOCK = 0x45_48_52_31; // "EHR1"
const BATCH = 50;

/**
 * The durable path of every chain write: rows are enqueued in the caller's transaction and a
 * single sender sends them, records the transaction hash, and marks them done on a receipt.
 * A row whose transaction the chain no longer knows (e.g. the embedded chain lost its last
 * second on a crash) is sent again; the contracts make the repeat a no-op.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxService.name);
  private readonly handlers = new Map<string, OutboxHandler>();
  private timer?: NodeJS.Timeout;
  private cycle: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly chain: ChainClient,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  register(handler: OutboxHandler): void {
    this.handlers.set(handler.kind, handler);
  }

  async enqueue(manager: EntityManager, kind: string, ref: string, payload: Record<string, unknown>): Promise<void> {
    if (!this.handlers.has(kind)) throw new Error(`No outbox handler for ${kind}`);
    await manager.save(OutboxEntity, { kind, ref, payload });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.drain(), this.config.outbox.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.cycle;
  }

  /** Runs one send/confirm cycle now (or joins the running one). */
  drain(): Promise<void> {
    this.cycle ??= this.runCycle().finally(() => (this.cycle = null));
    return this.cycle;
  }

  /** Waits until the row for `ref` is done (true) or failed/timed out (false). */
  async waitFor(kind: string, ref: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.drain();
      const row = await this.db.getRepository(OutboxEntity).findOneBy({ kind, ref });
      if (row?.status === 'done') return true;
      if (row?.status === 'failed') return false;
      await sleep(Math.min(200, this.config.outbox.intervalMs));
    }
    return false;
  }

  private async runCycle(): Promise<void> {
    const runner = this.db.createQueryRunner();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [SENDER_LOCK]);
      if (!locked) return;
      try {
        await this.confirmSent();
        await this.sendPending();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [SENDER_LOCK]);
      }
    } catch (error) {
      if (error instanceof DependencyUnavailableError) this.logger.warn({ event: 'outbox_paused', dependency: error.dependency });
      else this.logger.error({ event: 'outbox_cycle_failed', err: String(error) });
    } finally {
      await runner.release();
    }
  }

  private async confirmSent(): Promise<void> {
    const repo = this.db.getRepository(OutboxEntity);
    for (const row of await repo.find({ where: { status: 'sent' }, order: { id: 'ASC' }, take: BATCH })) {
      const receipt = await this.chain.receipt(row.txHash!);
      if (!receipt) {
        if (!(await this.chain.isKnownTransaction(row.txHash!))) {
          this.logger.warn({ event: 'outbox_resend', id: row.id, kind: row.kind });
          await repo.update({ id: row.id }, { status: 'pending', txHash: null });
        }
        continue;
      }
      if (!receipt.success) {
        await repo.update({ id: row.id }, { status: 'failed', lastError: `Transaction ${row.txHash} reverted` });
        continue;
      }
      await this.db.transaction(async (manager) => {
        await manager.update(OutboxEntity, { id: row.id }, { status: 'done' });
        await this.handler(row.kind).confirmed(manager, row, receipt.blockNumber);
      });
    }
  }

  private async sendPending(): Promise<void> {
    const repo = this.db.getRepository(OutboxEntity);
    for (const row of await repo.find({ where: { status: 'pending' }, order: { id: 'ASC' }, take: BATCH })) {
      try {
        const txHash = await this.handler(row.kind).send(row.payload);
        await repo.update({ id: row.id }, { status: 'sent', txHash, attempts: row.attempts + 1, lastError: null });
      } catch (error) {
        if (error instanceof DependencyUnavailableError) throw error;
        // A revert at send time (gas estimation) will not heal by retrying: park the row for an operator.
        await repo.update({ id: row.id }, { status: 'failed', attempts: row.attempts + 1, lastError: String(error) });
      }
    }
  }

  private handler(kind: string): OutboxHandler {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`No outbox handler for ${kind}`);
    return handler;
  }
}
