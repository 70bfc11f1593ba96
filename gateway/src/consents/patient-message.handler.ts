import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { ChainClient, SendOptions } from '../chain/chain-client';
import { ChainLog } from '../chain/chain-contract';
import { ConsentManager } from '../chain/consent-manager';
import { isRecoveryMessage, messageGrantee, messageHandle, PatientMessage, patientMessageCall, RecoveryMessage } from '../chain/patient-messages';
import { WebhookEvent, WebhookEvents } from '../webhooks/webhook-events';
import { AppliedAt, ConfirmedBatch, OutboxBatchRef, OutboxHandler, OutboxItem } from '../outbox/outbox-handler';
import { addressTopic, RELAYS_PER_CYCLE, transactionCarrying, uintTopic } from '../outbox/relayed-writes';
import { ConsentMessageEntity } from './consent.entities';
import { ConsentLinks } from './consent-links';


/**
 * Relays the messages patients sign (registrations, grants, revocations, answers to requests) to ConsentManager, one
 * per transaction: none is idempotent by batch id (a handle registers once, a nonce is used
 * once), so a resend of a message already applied reverts, and `alreadyApplied` tells that
 * success from a real failure by finding the transaction that carried this very message.
 */
/** What a hospital system hears when the chain applies each kind of message. */
const WEBHOOK_EVENT_OF: Partial<Record<PatientMessage['type'], WebhookEvent>> = {
  RelationshipGrant: 'consent.granted', ConsentGrant: 'consent.granted', ConsentRevocation: 'consent.revoked',
  ConsentApproval: 'consent_request.approved', ConsentDenial: 'consent_request.denied',
};

@Injectable()
export class PatientMessageHandler extends OutboxHandler<PatientMessage> {
  readonly kind: string = 'patient-message';
  readonly maxBatchSize = 1;
  override readonly batchesPerCycle = RELAYS_PER_CYCLE;

  constructor(
    private readonly chain: ChainClient,
    private readonly consents: ConsentManager,
    private readonly webhooks: WebhookEvents,
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

  /** Where this message took effect, if it did (`transactionCarrying`; a recovery by its number). */
  override async alreadyApplied(_batchId: string, [item]: readonly OutboxItem<PatientMessage>[]): Promise<AppliedAt | null> {
    const message = item!.payload;
    if (isRecoveryMessage(message)) return this.recoveryApplied(message);
    const { method, args } = patientMessageCall(message);
    return transactionCarrying(this.chain, await this.logsOfItsEvent(message), this.consents.contract.encodeCall(method, args));
  }

  /** The logs of the event this message's kind emits for its handle (and grantee or request). */
  private logsOfItsEvent(message: Exclude<PatientMessage, RecoveryMessage>): Promise<ChainLog[]> {
    switch (message.type) {
      case 'Registration':
        return this.consents.logsOf('HandleRegistered', [message.handle, addressTopic(message.signer)]);
      case 'RelationshipGrant':
        return this.consents.logsOf('HandleRegistered', [message.patient, addressTopic(message.signer)]);
      case 'ConsentGrant':
        return this.consents.logsOf('ConsentGranted', [message.patient, addressTopic(message.grantee)]);
      case 'ConsentRevocation':
        return this.consents.logsOf('ConsentRevoked', [message.patient, addressTopic(message.grantee)]);
      case 'ConsentApproval':
      case 'ConsentDenial':
        return this.consents.logsOf(message.type === 'ConsentApproval' ? 'ConsentRequestGranted' : 'ConsentRequestDenied', [uintTopic(message.requestId), message.patient, addressTopic(message.doctor)]);
      case 'GuardianSet':
        return this.consents.logsOf('GuardiansProposed', [message.handle]);
      case 'RecoveryVeto':
        return this.consents.logsOf('RecoveryVetoed', [message.handle, addressTopic(message.newSigner)]);
    }
  }

  /**
   * A recovery took effect whoever sent it: its start is the RecoveryStarted of its number (the
   * same guardians' word in another order, or with another guardian, is the same recovery), its
   * completion the first SignerRecovered to its new signer after that start.
   */
  private async recoveryApplied(message: RecoveryMessage): Promise<AppliedAt | null> {
    const number = message.type === 'RecoveryStart' ? message.nonce : message.recovery;
    const starts = await this.consents.logsOf('RecoveryStarted', [message.handle, addressTopic(message.newSigner)]);
    const started = starts.find((log) => Number(this.consents.contract.events([log])[0]!.args.recovery as bigint) === number);
    if (!started || message.type === 'RecoveryStart') return started ? appliedAt(started) : null;
    // A completion comes RECOVERY_DELAY after its start: in a later block, always.
    const completions = await this.consents.logsOf('SignerRecovered', [message.handle, null, addressTopic(message.newSigner)]);
    const completed = completions.find((log) => log.blockNumber! > started.blockNumber!);
    return completed ? appliedAt(completed) : null;
  }

  /** The row says it is applied; the hospital of the grantee (or the grantee itself) hears of it through its webhooks. */
  async confirmed(manager: EntityManager, batch: ConfirmedBatch, items: readonly OutboxItem<PatientMessage>[]): Promise<void> {
    await manager.update(ConsentMessageEntity, { id: In(items.map((item) => item.ref)) }, { status: 'applied', txHash: batch.txHash, block: String(batch.blockNumber) });
    for (const { ref, payload: message } of items) {
      const grantee = messageGrantee(message);
      if (!grantee) continue;
      await ConsentLinks.applied(manager, ref, message, grantee);
      const event = WEBHOOK_EVENT_OF[message.type];
      if (!event) continue;
      await this.webhooks.emit(manager, await this.webhooks.hospitalsOf(manager, grantee), event, {
        grantee, relationship: messageHandle(message), txHash: batch.txHash, block: Number(batch.blockNumber),
        ...('terms' in message ? { terms: message.terms } : {}), ...('requestId' in message ? { requestId: message.requestId } : {}),
      });
    }
  }

  async failed(manager: EntityManager, _batch: OutboxBatchRef, items: readonly OutboxItem<PatientMessage>[], reason: string): Promise<void> {
    await manager.update(ConsentMessageEntity, { id: In(items.map((item) => item.ref)) }, { status: 'failed', error: reason });
    for (const { ref } of items) await ConsentLinks.abandoned(manager, ref);
  }
}

const appliedAt = (log: ChainLog): AppliedAt => ({ blockNumber: log.blockNumber!, txHash: log.transactionHash! });

/** Registrations and recoveries, relayed in a queue of their own (their routes are public: a flood of them must not delay revocations). */
@Injectable()
export class RegistrationRelayHandler extends PatientMessageHandler {
  override readonly kind = 'patient-registration';
}
