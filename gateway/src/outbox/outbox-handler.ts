import { EntityManager } from 'typeorm';
import { SendOptions } from '../chain/chain-client';

/** One queued chain write as its handler sees it: the domain id it concerns and its payload. */
export interface OutboxItem<P> {
  ref: string;
  payload: P;
}

/** A batch as handlers see it. `id` is also the batch id on chain (bytes32). */
export interface OutboxBatchRef {
  id: string;
  kind: string;
}

export interface ConfirmedBatch extends OutboxBatchRef {
  txHash: string;
  blockNumber: bigint;
}

/** Where a batch's write took effect on chain (the transaction, when the chain tells it). */
export interface AppliedAt {
  blockNumber: bigint;
  txHash?: string;
}

/**
 * One kind of chain write, as a class in the feature that owns it (RecordVersionAnchorHandler in
 * records/, later AccessLogHandler in access/). The outbox claims up to `maxBatchSize` pending
 * rows of the kind into a batch, calls `send` once per attempt, and calls `confirmed` or
 * `failed` in the database transaction that ends the batch, so the domain rows and the outbox
 * never disagree. Registered by being a provider: OutboxHandlers finds every instance.
 */
export abstract class OutboxHandler<P> {
  /** Stored in each row; never rename one that may have rows waiting. */
  abstract readonly kind: string;
  /** Most rows sent in one transaction. */
  abstract readonly maxBatchSize: number;
  /**
   * Most batches claimed in one cycle (4 unless a handler says more): bounds a cycle's work when
   * a backlog has built up. Relays, one message a transaction, raise it, or a queue of them
   * would reach the chain four a cycle.
   */
  readonly batchesPerCycle?: number;

  /** Throws for a payload that could never be sent, so it is refused before it is queued. */
  validate?(payload: P): void;

  /**
   * Sends the batch as one transaction and returns its hash. Called again with the same batch
   * id and items after a transaction the chain lost, so it must write the same thing. Pass
   * `options` to ChainClient.send: it records the hash before the node sees it.
   */
  abstract send(batchId: string, items: readonly OutboxItem<P>[], options: SendOptions): Promise<string>;

  /** In the transaction that marks the batch done: the domain rows say what the chain now holds. */
  abstract confirmed(manager: EntityManager, batch: ConfirmedBatch, items: readonly OutboxItem<P>[]): Promise<void>;

  /** In the transaction that marks the batch failed: the domain rows say so, with the reason. */
  abstract failed(manager: EntityManager, batch: OutboxBatchRef, items: readonly OutboxItem<P>[], reason: string): Promise<void>;

  /**
   * Whether the batch already took effect on chain, and where: asked before a batch that may
   * have reached the chain is sent again or failed, when a send or its receipt reverts (a
   * write that is not idempotent, such as a relayed consent, reverts when the same signed
   * message was already applied), and on a receipt (a resend that found the batch applied is
   * a no-op; the block that matters is the first). The answer is for the whole batch: a batch
   * is one transaction, so handlers whose items can be applied separately send one per batch.
   */
  alreadyApplied?(batchId: string, items: readonly OutboxItem<P>[]): Promise<AppliedAt | null>;

  /** For relayed writes: an eth_call of the write, so a bad signature fails before it is queued. */
  simulate?(payload: P): Promise<void>;
}

/** A handler class, the token `enqueue` takes so the payload type is checked by the compiler. */
export type OutboxHandlerClass<P> = abstract new (...args: never[]) => OutboxHandler<P>;
