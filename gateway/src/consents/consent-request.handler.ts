import { Injectable } from '@nestjs/common';
import { ChainClient } from '../chain/chain-client';
import { ChainContract, ChainLog } from '../chain/chain-contract';
import { ConsentManager } from '../chain/consent-manager';
import { addressTopic, SignedRequestRelay } from '../outbox/relayed-writes';
import { ConsentRequestEntity } from './consent-request.entity';

/** A doctor's signed consent request, as relayed: ConsentManager.requestConsent's arguments. */
export interface SignedConsentRequest {
  patient: string;
  doctor: string;
  categories: number;
  purposes: number;
  fromDate: number;
  toDate: number;
  expiry: number;
  deadline: number;
  signature: string;
}

/** Relays doctors' consent requests (ConsentManager.requestConsent). */
@Injectable()
export class ConsentRequestHandler extends SignedRequestRelay<SignedConsentRequest> {
  readonly kind = 'consent-request';
  protected readonly method = 'requestConsent';
  protected readonly row = ConsentRequestEntity;
  protected readonly contract: ChainContract;

  constructor(
    chain: ChainClient,
    private readonly consents: ConsentManager,
  ) {
    super(chain);
    this.contract = consents.contract;
  }

  protected args(r: SignedConsentRequest): unknown[] {
    return [r.patient, r.doctor, r.categories, r.purposes, r.fromDate, r.toDate, r.expiry, r.deadline, r.signature];
  }

  protected requestedLogs(r: SignedConsentRequest): Promise<ChainLog[]> {
    return this.consents.logsOf('ConsentRequested', [null, r.patient, addressTopic(r.doctor)]);
  }

  protected requestIdIn(logs: readonly ChainLog[], r: SignedConsentRequest): bigint | null {
    return this.consents.requestIdIn(logs, r.patient);
  }
}
