import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ChainClient, SendOptions } from '../chain/chain-client';
import { EmergencyAccess } from '../chain/emergency-access';
import { AppliedAt, ConfirmedBatch, OutboxBatchRef, OutboxHandler, OutboxItem } from '../outbox/outbox-handler';
import { EmergencyRequestEntity } from './emergency-request.entity';

/** A doctor's signed break-glass request, as relayed: EmergencyAccess.request's arguments. */
export interface SignedEmergencyRequest {
  patient: string;
  reasonHash: string;
  duration: number;
  doctor: string;
  deadline: number;
  signature: string;
}

const args = (r: SignedEmergencyRequest) => [r.patient, r.reasonHash, r.duration, r.doctor, r.deadline, r.signature];
const addressTopic = (address: string): string => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`;

/**
 * Relays doctors' emergency requests, one per transaction (a request consumes the doctor's
 * nonce: a resend of one already applied reverts, and `alreadyApplied` finds it by its calldata).
 * On confirmation the row learns its request id from the transaction's EmergencyRequested event.
 */
@Injectable()
export class EmergencyRequestHandler extends OutboxHandler<SignedEmergencyRequest> {
  readonly kind = 'emergency-request';
  readonly maxBatchSize = 1;

  constructor(
    private readonly chain: ChainClient,
    private readonly emergencies: EmergencyAccess,
  ) {
    super();
  }

  override async simulate(request: SignedEmergencyRequest): Promise<void> {
    await this.chain.call(this.emergencies.contract, 'request', args(request));
  }

  async send(_batchId: string, [item]: readonly OutboxItem<SignedEmergencyRequest>[], options: SendOptions): Promise<string> {
    return (await this.chain.send(this.emergencies.contract, 'request', args(item!.payload), options)).txHash;
  }

  override async alreadyApplied(_batchId: string, [item]: readonly OutboxItem<SignedEmergencyRequest>[]): Promise<AppliedAt | null> {
    const request = item!.payload;
    const calldata = this.emergencies.contract.encodeCall('request', args(request)).toLowerCase();
    for (const log of await this.emergencies.logsOf('EmergencyRequested', [null, request.patient, addressTopic(request.doctor)])) {
      if ((await this.chain.transactionInput(log.transactionHash!))?.toLowerCase() === calldata) return { blockNumber: log.blockNumber!, txHash: log.transactionHash! };
    }
    return null;
  }

  async confirmed(manager: EntityManager, batch: ConfirmedBatch, [item]: readonly OutboxItem<SignedEmergencyRequest>[]): Promise<void> {
    const receipt = await this.chain.receipt(batch.txHash);
    const requestId = receipt ? this.emergencies.requestIdIn(receipt.logs, item!.payload.patient) : null;
    await manager.update(EmergencyRequestEntity, { id: item!.ref }, { status: 'requested', txHash: batch.txHash, chainRequestId: requestId === null ? null : String(requestId) });
  }

  async failed(manager: EntityManager, _batch: OutboxBatchRef, [item]: readonly OutboxItem<SignedEmergencyRequest>[], reason: string): Promise<void> {
    await manager.update(EmergencyRequestEntity, { id: item!.ref }, { status: 'failed', error: reason });
  }
}
