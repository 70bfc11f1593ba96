import { Injectable } from '@nestjs/common';
import { ChainClient } from '../chain/chain-client';
import { ChainContract, ChainLog } from '../chain/chain-contract';
import { EmergencyAccess } from '../chain/emergency-access';
import { addressTopic, SignedRequestRelay } from '../outbox/relayed-writes';
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

/** Relays doctors' emergency requests (EmergencyAccess.request). */
@Injectable()
export class EmergencyRequestHandler extends SignedRequestRelay<SignedEmergencyRequest> {
  readonly kind = 'emergency-request';
  protected readonly method = 'request';
  protected readonly row = EmergencyRequestEntity;
  protected readonly contract: ChainContract;

  constructor(
    chain: ChainClient,
    private readonly emergencies: EmergencyAccess,
  ) {
    super(chain);
    this.contract = emergencies.contract;
  }

  protected args(r: SignedEmergencyRequest): unknown[] {
    return [r.patient, r.reasonHash, r.duration, r.doctor, r.deadline, r.signature];
  }

  protected requestedLogs(r: SignedEmergencyRequest): Promise<ChainLog[]> {
    return this.emergencies.logsOf('EmergencyRequested', [null, r.patient, addressTopic(r.doctor)]);
  }

  protected requestIdIn(logs: readonly ChainLog[], r: SignedEmergencyRequest): bigint | null {
    return this.emergencies.requestIdIn(logs, r.patient);
  }
}
