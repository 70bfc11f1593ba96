import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { AccessEntry, accessEntriesHash, AccessLog, encodeAccessEntries } from '../chain/access-log';
import { SendOptions } from '../chain/chain-client';
import { AppliedAt, ConfirmedBatch, OutboxBatchRef, OutboxHandler, OutboxItem } from '../outbox/outbox-handler';
import { AccessEntryEntity } from './access-entry.entity';

/**
 * Logs releases of records on chain (AccessLog.logAccesses), many entries per transaction. The
 * batch id is the outbox batch's, so a resend after a crash or a lost transaction writes the
 * same batch, which the contract takes as a no-op: every release is logged once.
 */
@Injectable()
export class AccessLogHandler extends OutboxHandler<AccessEntry> {
  readonly kind = 'access-log';
  /** ~4,900 gas an entry (bench/GAS.md): 200 entries stay under a tenth of a 30M-gas block. */
  readonly maxBatchSize = 200;
  private readonly logger = new Logger(AccessLogHandler.name);

  constructor(private readonly accessLog: AccessLog) {
    super();
  }

  override validate(entry: AccessEntry): void {
    encodeAccessEntries([entry]);
  }

  send(batchId: string, items: readonly OutboxItem<AccessEntry>[], options: SendOptions): Promise<string> {
    return this.accessLog.logAccesses(batchId, items.map((item) => item.payload), options);
  }

  override async alreadyApplied(batchId: string, items: readonly OutboxItem<AccessEntry>[]): Promise<AppliedAt | null> {
    const logged = await this.accessLog.batchOf(batchId);
    if (logged?.toLowerCase() !== accessEntriesHash(items.map((item) => item.payload)).toLowerCase()) return null;
    return this.accessLog.loggedAt(batchId);
  }

  async confirmed(manager: EntityManager, batch: ConfirmedBatch, items: readonly OutboxItem<AccessEntry>[]): Promise<void> {
    await manager.update(AccessEntryEntity, { id: In(items.map((item) => item.ref)) }, { status: 'logged', batchId: batch.id, txHash: batch.txHash, block: String(batch.blockNumber) });
  }

  async failed(manager: EntityManager, batch: OutboxBatchRef, items: readonly OutboxItem<AccessEntry>[], reason: string): Promise<void> {
    await manager.update(AccessEntryEntity, { id: In(items.map((item) => item.ref)) }, { status: 'failed', batchId: batch.id, error: reason });
    // A release with no trace on chain breaks trust model 6: an operator must see it.
    this.logger.error({ event: 'access_log_failed', alert: 'ACCESS_LOG_FAILED', batchId: batch.id, entries: items.length, reason });
  }
}
