import { HttpStatus, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntityManager } from 'typeorm';
import { ChainClient } from '../chain/chain-client';
import { ChainRevertError } from '../chain/chain-errors';
import { ApiError, DependencyUnavailableError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { OutboxBatchEntity } from './outbox-batch.entity';
import { OutboxHandler, OutboxHandlerClass, OutboxItem } from './outbox-handler';
import { OutboxHandlers } from './outbox-handlers';
import { OutboxMacKey } from './outbox-mac';
import { OutboxRow, OutboxStore, SqlStatement } from './outbox.store';
import { SenderLock } from './sender-lock';

/** How a queued write ended, as `waitFor` reports it. */
export type OutboxOutcome = 'done' | 'failed' | 'timeout';

/** Batches claimed per kind in one cycle, unless its handler says otherwise: bounds one cycle's work when a backlog has built up. */
export const MAX_BATCHES_PER_CYCLE = 4;
/** A batch whose transaction keeps getting lost is failed after this many sends. */
export const MAX_SENDS = 5;
/** How often a waiter re-reads the row, for a confirmation made by another replica's sender. */
const WAIT_POLL_MS = 1_000;
/**
 * How long a sent transaction may be unknown to the node before it counts as lost: a node
 * behind a load balancer, or one still gossiping it, may not know it at once (a Besu block is 2 s).
 */
export const LOST_AFTER_MS = 3_000;

/** Another sender moved the batch on between our claim and our broadcast: stand down. */
class FencedError extends Error {}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The one path of every chain write (DESIGN.md, "Chain writes: one path, durable"). Features
 * enqueue typed payloads in their own database transaction. One sender (SenderLock) claims
 * pending rows of a kind into a batch whose id and rows are fixed before the first send, sends
 * each batch as one transaction (recording its hash before the node sees it), and ends it on a
 * receipt: done, or failed with the reason, in the same transaction as the handler's domain
 * update. A batch whose transaction the chain does not know is sent again, the same batch;
 * writes that are not idempotent by batch id are first checked for having been applied.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxService.name);
  private readonly settled = new EventEmitter().setMaxListeners(0);
  private timer?: NodeJS.Timeout;
  private cycle: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly chain: ChainClient,
    private readonly handlers: OutboxHandlers,
    private readonly lock: SenderLock,
    @InjectConfig() private readonly config: AppConfig,
    private readonly macKey: OutboxMacKey,
  ) {}

  /** Queues a chain write in the caller's transaction; `ref` is unique per kind (the domain id). */
  async enqueue<P>(manager: EntityManager, handlerClass: OutboxHandlerClass<P>, ref: string, payload: P): Promise<void> {
    await this.store.insert(manager, this.row(handlerClass, ref, payload));
  }

  /**
   * Queues chain writes in the same SQL statement as the domain rows they belong to: `insert`
   * is an INSERT … RETURNING of those rows (parameters $1…$n), whose rows are returned. One
   * statement is atomic on its own, so uploads cost one round trip (shared, when they are
   * grouped) instead of BEGIN, two INSERTs and COMMIT each.
   */
  enqueueWith<P, R>(handlerClass: OutboxHandlerClass<P>, items: ReadonlyArray<{ ref: string; payload: P }>, insert: SqlStatement): Promise<R[]> {
    return this.store.insertWith<R>(insert, items.map(({ ref, payload }) => this.row(handlerClass, ref, payload)));
  }

  private row<P>(handlerClass: OutboxHandlerClass<P>, ref: string, payload: P): OutboxRow {
    const handler = this.handlers.instanceOf(handlerClass);
    handler.validate?.(payload);
    return { kind: handler.kind, ref, payload, mac: this.macKey.sign(handler.kind, ref, payload) };
  }

  /** Withdraws a queued write no batch has claimed yet (in the caller's transaction); false once claimed. */
  withdraw<P>(manager: EntityManager, handlerClass: OutboxHandlerClass<P>, ref: string): Promise<boolean> {
    return this.store.withdraw(manager, this.handlers.instanceOf(handlerClass).kind, ref);
  }

  /**
   * Runs the handler's simulation (eth_call) of a relayed write before it is queued, so a write
   * the chain would refuse (a bad signature, a used nonce) is a 422 now, not a failed row later.
   */
  async simulate<P>(handlerClass: OutboxHandlerClass<P>, payload: P): Promise<void> {
    const handler = this.handlers.instanceOf(handlerClass);
    handler.validate?.(payload);
    try {
      await handler.simulate?.(payload);
    } catch (error) {
      if (!(error instanceof ChainRevertError)) throw error;
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'CHAIN_WOULD_REVERT', `The chain would refuse this write: ${error.errorName}`, {
        error: error.errorName,
        args: error.args.map(String),
      });
    }
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.drain(), this.config.outbox.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.cycle;
    await this.lock.release();
  }

  /** Runs one cycle now (or joins the running one): confirm, claim, send, confirm. */
  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.cycle ??= this.runCycle().finally(() => (this.cycle = null));
    return this.cycle;
  }

  /**
   * Resolves when the write queued for `ref` is done or failed, or after `timeoutMs`. Someone is
   * waiting, so the sender runs now rather than at its next tick, and again each second (a
   * cycle confirms what a block has taken since).
   */
  async waitFor<P>(handlerClass: OutboxHandlerClass<P>, ref: string, timeoutMs: number): Promise<OutboxOutcome> {
    const { kind } = this.handlers.instanceOf(handlerClass);
    const signal = AbortSignal.timeout(timeoutMs);
    while (!signal.aborted) {
      // Listen before reading, so a confirmation between the two is not missed.
      const woken = once(this.settled, `${kind}\u0000${ref}`, { signal }).catch(() => undefined);
      const status = await this.store.rowStatus(kind, ref);
      if (status === 'done' || status === 'failed') return status;
      void this.drain();
      // Woken by this process's confirmation; the timer covers a sender in another replica.
      await Promise.race([woken, sleep(WAIT_POLL_MS, undefined, { signal }).catch(() => undefined)]);
    }
    return 'timeout';
  }

  private async runCycle(): Promise<void> {
    try {
      if (!(await this.lock.acquire())) return;
      await this.confirmSent();
      for (const handler of this.handlers.all()) await this.claim(handler);
      await this.sendClaimed();
      await this.confirmSent(); // on an automining chain the receipts are already there
    } catch (error) {
      if (error instanceof DependencyUnavailableError) this.logger.warn({ event: 'outbox_paused', dependency: error.dependency });
      else this.logger.error({ event: 'outbox_cycle_failed', err: describe(error) });
    }
  }

  private async claim(handler: OutboxHandler<unknown>): Promise<void> {
    for (let i = 0; i < (handler.batchesPerCycle ?? MAX_BATCHES_PER_CYCLE); i++) {
      const batch = await this.store.claim(handler.kind, handler.maxBatchSize);
      if (!batch) return;
    }
  }

  private async sendClaimed(): Promise<void> {
    for (const batch of await this.store.batchesIn('claimed')) await this.isolated(batch, () => this.send(batch));
  }

  /**
   * One batch's trouble stays with that batch: an error that is not the chain or the database
   * being down is noted on it and logged, and the cycle goes on with the others.
   */
  private async isolated(batch: OutboxBatchEntity, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof DependencyUnavailableError) throw error;
      this.logger.error({ event: 'outbox_batch_stuck', batchId: batch.id, kind: batch.kind, err: describe(error) });
      await this.store.noteError(batch.id, describe(error));
    }
  }

  private async send(batch: OutboxBatchEntity): Promise<void> {
    const handler = this.handlers.byKindOf(batch.kind);
    const items = batch.sends === 0 ? await this.screen(handler, batch) : await this.store.items(batch.id);
    if (items.length === 0) return this.fail(handler, batch, [], 'Every row of the batch was refused');
    // A batch sent before may have taken effect even though its transaction is unknown now.
    if (batch.sends > 0 && (await this.settleIfApplied(handler, batch, items))) return;
    if (batch.sends >= MAX_SENDS) {
      return this.fail(handler, batch, items, `Sent ${batch.sends} times without reaching a block: ${batch.lastError ?? 'transaction lost'}`);
    }
    try {
      await handler.send(batch.id, items, {
        beforeBroadcast: async (txHash) => {
          if (!(await this.store.markSent(batch.id, txHash))) throw new FencedError(`Batch ${batch.id} was taken by another sender`);
        },
      });
    } catch (error) {
      // Only a revert is final: retrying cannot change what the contract decides. Anything
      // else (the node refusing for now, a database hiccup, a broadcast that failed after
      // the hash was recorded) is noted and tried again; a lost hash is found by confirmSent.
      if (error instanceof DependencyUnavailableError) throw error;
      if (error instanceof FencedError) return;
      if (!(error instanceof ChainRevertError)) return this.store.noteError(batch.id, describe(error));
      return this.failUnlessApplied(handler, batch, items, `Reverted: ${error.errorName}(${error.args.map(String).join(', ')})`);
    }
  }

  /**
   * Before a batch's first send: rows whose MAC does not match (edited or planted in the table)
   * or whose payload the handler refuses leave the batch, failed with the reason, so one bad
   * row never fails the rest and nothing the gateway did not queue is ever sent.
   */
  private async screen(handler: OutboxHandler<unknown>, batch: OutboxBatchEntity): Promise<OutboxItem<unknown>[]> {
    const items = await this.store.items(batch.id);
    const refused = new Map<string, string>();
    for (const item of items) {
      if (!item.mac || !this.macKey.verify(batch.kind, item.ref, item.payload, item.mac)) {
        refused.set(item.ref, 'Payload does not match its MAC: the row was altered or not queued by this gateway');
        continue;
      }
      try {
        handler.validate?.(item.payload);
      } catch (error) {
        refused.set(item.ref, `Invalid payload: ${describe(error)}`);
      }
    }
    for (const [reason, refs] of groupBy(refused)) {
      const rejected = items.filter((item) => refs.includes(item.ref));
      await this.store.transaction(async (manager) => {
        await this.store.rejectRows(manager, batch.id, refs, reason);
        await handler.failed(manager, { id: batch.id, kind: batch.kind }, rejected, reason);
      });
      this.logger.error({ event: 'outbox_rows_refused', batchId: batch.id, kind: batch.kind, count: refs.length, reason });
      this.notify(batch.kind, rejected);
    }
    return items.filter((item) => !refused.has(item.ref)).map(({ ref, payload }) => ({ ref, payload }));
  }

  private async confirmSent(): Promise<void> {
    for (const batch of await this.store.batchesIn('sent')) await this.isolated(batch, () => this.confirm(batch));
  }

  private async confirm(batch: OutboxBatchEntity): Promise<void> {
    const txHash = batch.txHash!;
    const receipt = await this.chain.receipt(txHash);
    if (receipt) {
      const handler = this.handlers.byKindOf(batch.kind);
      const items = await this.store.items(batch.id);
      if (!receipt.success) return this.failUnlessApplied(handler, batch, items, `Transaction ${txHash} reverted in block ${receipt.blockNumber}`);
      // A resend that found the batch already applied succeeds without effect: the chain
      // says where the write really is, when the handler can ask it.
      const applied = await handler.alreadyApplied?.(batch.id, items);
      return this.complete(handler, batch, items, applied?.txHash ?? txHash, applied?.blockNumber ?? receipt.blockNumber);
    }
    const sentFor = Date.now() - (batch.sentAt?.getTime() ?? 0);
    if (sentFor < LOST_AFTER_MS || (await this.chain.isKnownTransaction(txHash))) return;
    // Lost before a block took it (a restarted node, a dropped pool): send the same batch again.
    this.logger.warn({ event: 'outbox_resend', batchId: batch.id, kind: batch.kind, txHash });
    await this.store.reclaim(batch.id, batch.lastError ?? `Transaction ${txHash} unknown to the chain`);
  }

  private async settleIfApplied(handler: OutboxHandler<unknown>, batch: OutboxBatchEntity, items: OutboxItem<unknown>[]): Promise<boolean> {
    const applied = await handler.alreadyApplied?.(batch.id, items);
    if (!applied) return false;
    await this.complete(handler, batch, items, applied.txHash ?? batch.txHash!, applied.blockNumber);
    return true;
  }

  /**
   * A write that is not idempotent reverts when its effect is already there (our own earlier
   * transaction, or the same signed message relayed by someone else): that is success.
   */
  private async failUnlessApplied(handler: OutboxHandler<unknown>, batch: OutboxBatchEntity, items: OutboxItem<unknown>[], reason: string): Promise<void> {
    if (!(await this.settleIfApplied(handler, batch, items))) await this.fail(handler, batch, items, reason);
  }

  private async complete(handler: OutboxHandler<unknown>, batch: OutboxBatchEntity, items: OutboxItem<unknown>[], txHash: string, blockNumber: bigint): Promise<void> {
    await this.store.transaction(async (manager) => {
      await this.store.complete(manager, batch.id, txHash, blockNumber);
      await handler.confirmed(manager, { id: batch.id, kind: batch.kind, txHash, blockNumber }, items);
    });
    this.logger.log({ event: 'outbox_batch_done', batchId: batch.id, kind: batch.kind, size: items.length, txHash, blockNumber: Number(blockNumber) });
    this.notify(batch.kind, items);
  }

  private async fail(handler: OutboxHandler<unknown>, batch: OutboxBatchEntity, items: OutboxItem<unknown>[], reason: string): Promise<void> {
    await this.store.transaction(async (manager) => {
      await this.store.fail(manager, batch.id, reason);
      await handler.failed(manager, { id: batch.id, kind: batch.kind }, items, reason);
    });
    this.logger.error({ event: 'outbox_batch_failed', batchId: batch.id, kind: batch.kind, size: items.length, reason });
    this.notify(batch.kind, items);
  }

  private notify(kind: string, items: readonly OutboxItem<unknown>[]): void {
    for (const { ref } of items) this.settled.emit(`${kind}\u0000${ref}`);
  }
}

/** Refs by the reason they were refused. */
function groupBy(refused: Map<string, string>): Map<string, string[]> {
  const byReason = new Map<string, string[]>();
  for (const [ref, reason] of refused) byReason.set(reason, [...(byReason.get(reason) ?? []), ref]);
  return byReason;
}
