import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { ChainClient, SendOptions } from '../chain/chain-client';
import { ConsentManager } from '../chain/consent-manager';
import { PatientMessage, patientMessageCall } from '../chain/patient-messages';
import { AppliedAt, ConfirmedBatch, OutboxBatchRef, OutboxHandler, OutboxItem } from '../outbox/outbox-handler';
import { ConsentMessageEntity } from './consent.entities';

const addressTopic = (address: string): string => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`;

/**
 * Relays the messages patients sign (registrations, grants, revocations) to ConsentManager, one
 * per transaction: none is idempotent by batch id (a handle registers once, a nonce is used
 * once), so a resend of a message already applied reverts, and `alreadyApplied` tells that
 * success from a real failure by finding the transaction that carried this very message.
 */
@Injectable()
export class PatientMessageHandler extends OutboxHandler<PatientMessage> {
  readonly kind = 'patient-message';
  readonly maxBatchSize = 1;

  constructor(
    private readonly chain: ChainClient,
    private readonly consents: ConsentManager,
  ) {
    super();
  }

  override async simulate(message: PatientMessage): Promise<void> {
    const { method, args } = patientMessageCall(message);
    await this.chain.call(this.consents.contract, method, args);
  }

  async send(_batchId: string, [item]: readonly OutboxItem<PatientMessage>[], options: SendOptions): Promise<string> {
    const { method, args } = patientMessageCall(item!.payload);
    return (await this.chain.send(this.consents.contract, method, args, options)).txHash;
  }

  /**
   * Where this message took effect, if it did: among the transactions that emitted the event it
   * causes for its handle (and grantee), the one whose calldata is this message's call. Another
   * message at the same nonce (a revocation that cancelled a grant) is not this one.
   */
  override async alreadyApplied(_batchId: string, [item]: readonly OutboxItem<PatientMessage>[]): Promise<AppliedAt | null> {
    const message = item!.payload;
    const { method, args } = patientMessageCall(message);
    const calldata = this.consents.contract.encodeCall(method, args).toLowerCase();
    const logs =
      message.type === 'Registration' || message.type === 'RelationshipGrant'
        ? await this.consents.logsOf('HandleRegistered', [message.type === 'Registration' ? message.handle : message.patient, addressTopic(message.signer)])
        : await this.consents.logsOf(message.type === 'ConsentGrant' ? 'ConsentGranted' : 'ConsentRevoked', [message.patient, addressTopic(message.grantee)]);
    for (const log of logs) {
      if ((await this.chain.transactionInput(log.transactionHash!))?.toLowerCase() === calldata) return { blockNumber: log.blockNumber!, txHash: log.transactionHash! };
    }
    return null;
  }

  async confirmed(manager: EntityManager, batch: ConfirmedBatch, items: readonly OutboxItem<PatientMessage>[]): Promise<void> {
    await manager.update(ConsentMessageEntity, { id: In(items.map((item) => item.ref)) }, { status: 'applied', txHash: batch.txHash, block: String(batch.blockNumber) });
  }

  async failed(manager: EntityManager, _batch: OutboxBatchRef, items: readonly OutboxItem<PatientMessage>[], reason: string): Promise<void> {
    await manager.update(ConsentMessageEntity, { id: In(items.map((item) => item.ref)) }, { status: 'failed', error: reason });
  }
}
