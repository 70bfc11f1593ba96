import { EntityManager, EntityTarget } from 'typeorm';
import { ChainClient, SendOptions } from '../chain/chain-client';
import { ChainContract, ChainLog } from '../chain/chain-contract';
import { SignedRequestColumns } from '../common/signed-request.columns';
import { AppliedAt, ConfirmedBatch, OutboxBatchRef, OutboxHandler, OutboxItem } from './outbox-handler';

/** Relayed messages are one a transaction: this many a cycle (about a second) per kind. */
export const RELAYS_PER_CYCLE = 50;

export const addressTopic = (address: string): string => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`;
export const uintTopic = (value: number | bigint): string => `0x${BigInt(value).toString(16).padStart(64, '0')}`;

/**
 * Where a relayed message took effect, if it did: among the transactions that emitted the event
 * it causes (`logs`), the one whose calldata is this very message's call. Another message that
 * caused the same event (a revocation that cancelled a grant at the same nonce) is not this one.
 */
export async function transactionCarrying(chain: ChainClient, logs: readonly ChainLog[], calldata: string): Promise<AppliedAt | null> {
  for (const log of logs) {
    if ((await chain.transactionInput(log.transactionHash!))?.toLowerCase() === calldata.toLowerCase()) return { blockNumber: log.blockNumber!, txHash: log.transactionHash! };
  }
  return null;
}


/**
 * A request a doctor signed, relayed one per transaction (it consumes the doctor's nonce: a resend
 * of one already applied reverts, and `alreadyApplied` finds it by its calldata). On confirmation
 * its row learns the request id the contract gave it, from the transaction's event.
 */
export abstract class SignedRequestRelay<P> extends OutboxHandler<P> {
  readonly maxBatchSize = 1;
  override readonly batchesPerCycle = RELAYS_PER_CYCLE;

  protected abstract readonly contract: ChainContract;
  protected abstract readonly method: string;
  /** The request's table: queued, then `requested` with its id on chain, or `failed`. */
  protected abstract readonly row: EntityTarget<SignedRequestColumns>;
  protected abstract args(payload: P): unknown[];
  /** The logs of the event the request causes, narrowed by its indexed fields. */
  protected abstract requestedLogs(payload: P): Promise<ChainLog[]>;
  /** The id the contract gave the request, from its transaction's logs. */
  protected abstract requestIdIn(logs: readonly ChainLog[], payload: P): bigint | null;

  constructor(protected readonly chain: ChainClient) {
    super();
  }

  override async simulate(payload: P): Promise<void> {
    await this.chain.call(this.contract, this.method, this.args(payload));
  }

  async send(_batchId: string, [item]: readonly OutboxItem<P>[], options: SendOptions): Promise<string> {
    return (await this.chain.send(this.contract, this.method, this.args(item!.payload), options)).txHash;
  }

  override async alreadyApplied(_batchId: string, [item]: readonly OutboxItem<P>[]): Promise<AppliedAt | null> {
    return transactionCarrying(this.chain, await this.requestedLogs(item!.payload), this.contract.encodeCall(this.method, this.args(item!.payload)));
  }

  async confirmed(manager: EntityManager, batch: ConfirmedBatch, [item]: readonly OutboxItem<P>[]): Promise<void> {
    const receipt = await this.chain.receipt(batch.txHash);
    const requestId = receipt ? this.requestIdIn(receipt.logs, item!.payload) : null;
    await manager.update(this.row, { id: item!.ref }, { status: 'requested', txHash: batch.txHash, chainRequestId: requestId === null ? null : String(requestId) });
  }

  async failed(manager: EntityManager, _batch: OutboxBatchRef, [item]: readonly OutboxItem<P>[], reason: string): Promise<void> {
    await manager.update(this.row, { id: item!.ref }, { status: 'failed', error: reason });
  }
}
