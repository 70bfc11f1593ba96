import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, FindOptionsWhere } from 'typeorm';
import { accountNames, chainAddressOf } from '../accounts/chain-address';
import { AccountPrincipal, PseudonymPrincipal } from '../auth/principal';
import { ChainRuntime } from '../chain/chain.module';
import { ConsentManager } from '../chain/consent-manager';
import { buildTypedData, TypedData } from '../chain/eip712';
import { coarseDeadline } from '../chain/relationships';
import { CONSENT_MANAGER_DOMAIN, CONSENT_MANAGER_TYPES } from '../chain/typed-messages';
import { ApiError, NotFoundError } from '../common/errors';
import { OutboxService } from '../outbox/outbox.service';
import { ConsentRequestEntity } from './consent-request.entity';
import { ConsentRequestHandler, SignedConsentRequest } from './consent-request.handler';
import { ConsentApprovalDto, ConsentDenialDto, ConsentRequestDraftDto, ConsentRequestDraftResponseDto, ConsentRequestResponseDto } from './consent-requests.dto';
import { ConsentMessageResponseDto } from './consents.dto';
import { ConsentsService } from './consents.service';

const WAIT_MS = 30_000;
const LISTED = 200;

const requestNotFound = () => new NotFoundError('CONSENT_REQUEST_NOT_FOUND', 'No such consent request');

/**
 * Doctors' consent requests (issue 14, point 2): the doctor signs a request naming the patient's
 * relationship with them (the gateway prepares the message and relays it); the patient lists
 * them and answers with an approval (which may grant less than asked) or a denial their software
 * signs, relayed like any grant.
 */
@Injectable()
export class ConsentRequestsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly consentManager: ConsentManager,
    private readonly chain: ChainRuntime,
    private readonly outbox: OutboxService,
    private readonly consents: ConsentsService,
  ) {}

  async draft(auth: AccountPrincipal, dto: ConsentRequestDraftDto): Promise<ConsentRequestDraftResponseDto> {
    const doctor = await chainAddressOf(this.db, auth);
    const patientHandle = dto.patient.toLowerCase();
    if (!(await this.consentManager.signerOf(patientHandle))) throw new NotFoundError('PATIENT_NOT_FOUND', 'No relationship with this handle is registered on chain');
    const row = this.db.manager.create(ConsentRequestEntity, {
      id: randomUUID(), patientHandle, doctor, doctorAccount: auth.accountId, terms: { ...dto.terms }, nonce: String(await this.consentManager.doctorNonce(doctor)),
      deadline: String(coarseDeadline(Math.floor(Date.now() / 1000) + 3600)), status: 'draft', chainRequestId: null, txHash: null, error: null,
    });
    await this.db.manager.insert(ConsentRequestEntity, row);
    return { request: await this.describe((await this.rowOf(row.id))!), typedData: this.typedData(row) };
  }

  async submit(auth: AccountPrincipal, id: string, signature: string, wait: boolean): Promise<ConsentRequestResponseDto> {
    const row = await this.rowOf(id);
    if (!row || row.doctorAccount !== auth.accountId) throw requestNotFound();
    if (row.status !== 'draft') throw new ApiError(HttpStatus.CONFLICT, 'CONSENT_REQUEST_ALREADY_SIGNED', 'This request was signed already; draft a new one to ask again');
    const request: SignedConsentRequest = { patient: row.patientHandle, doctor: row.doctor, ...row.terms, deadline: Number(row.deadline), signature };
    await this.outbox.simulate(ConsentRequestHandler, request);
    await this.db.transaction(async (manager) => {
      const { affected } = await manager.update(ConsentRequestEntity, { id, status: 'draft' }, { status: 'queued' });
      if (!affected) throw new ApiError(HttpStatus.CONFLICT, 'CONSENT_REQUEST_ALREADY_SIGNED', 'This request was signed already');
      await this.outbox.enqueue(manager, ConsentRequestHandler, id, request);
    });
    if (wait && (await this.outbox.waitFor(ConsentRequestHandler, id, WAIT_MS)) === 'timeout') {
      throw new ApiError(HttpStatus.GATEWAY_TIMEOUT, 'CONSENT_REQUEST_PENDING', 'Queued but not on chain yet; poll GET /v1/consent-requests');
    }
    return this.describe((await this.rowOf(id))!);
  }

  async list(where: FindOptionsWhere<ConsentRequestEntity>): Promise<ConsentRequestResponseDto[]> {
    const rows = await this.db.manager.find(ConsentRequestEntity, { where, order: { createdAt: 'DESC' }, take: LISTED });
    const names = await accountNames(this.db, rows.map((row) => row.doctorAccount));
    return Promise.all(rows.map((row) => this.describe(row, names)));
  }

  /**
   * The patient's approval, sent signed in as the pseudonym whose records it shares (so the
   * relationship is linked to them, as for any grant); the message names the request's number,
   * patient and doctor, which come from the request on chain, never from the caller.
   */
  async approve(principal: PseudonymPrincipal, id: string, dto: ConsentApprovalDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    const row = await this.onChain(id);
    const message = {
      type: 'ConsentApproval' as const, requestId: Number(row.chainRequestId), patient: row.patientHandle, doctor: row.doctor,
      terms: { ...dto.terms, recordsRoot: dto.terms.recordsRoot.toLowerCase() }, nonce: dto.nonce, deadline: dto.deadline, signature: dto.signature,
    };
    return this.consents.relayGrant(principal, message, { recordIds: dto.recordIds, recordsSalt: dto.recordsSalt, link: dto.link }, wait);
  }

  async deny(id: string, dto: ConsentDenialDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    const row = await this.onChain(id);
    return this.consents.relay({ type: 'ConsentDenial', requestId: Number(row.chainRequestId), patient: row.patientHandle, doctor: row.doctor, ...dto }, wait);
  }

  private async onChain(id: string): Promise<ConsentRequestEntity> {
    const row = await this.rowOf(id);
    if (!row) throw requestNotFound();
    if (row.chainRequestId === null) throw new ApiError(HttpStatus.CONFLICT, 'CONSENT_REQUEST_NOT_ON_CHAIN', 'The request is not on chain yet (or never got there): nothing to answer');
    return row;
  }

  private async describe(row: ConsentRequestEntity, names?: Map<string, string>): Promise<ConsentRequestResponseDto> {
    const doctorName = (names ?? (await accountNames(this.db, [row.doctorAccount]))).get(row.doctorAccount) ?? 'unknown account';
    return {
      id: row.id, patient: row.patientHandle, doctor: row.doctor, doctorName, terms: row.terms, state: row.status,
      requestId: row.chainRequestId === null ? null : Number(row.chainRequestId),
      status: row.chainRequestId === null ? 'none' : await this.consentManager.requestStatus(BigInt(row.chainRequestId)),
      txHash: row.txHash, error: row.error, createdAt: row.createdAt,
    };
  }

  private typedData(row: ConsentRequestEntity): TypedData {
    const domain = { ...CONSENT_MANAGER_DOMAIN, chainId: this.chain.chainId, verifyingContract: this.consentManager.address };
    return buildTypedData(domain, 'ConsentRequest', { ConsentRequest: CONSENT_MANAGER_TYPES.ConsentRequest }, {
      patient: row.patientHandle, doctor: row.doctor, ...row.terms, nonce: row.nonce, deadline: row.deadline,
    });
  }

  private rowOf(id: string): Promise<ConsentRequestEntity | null> {
    return this.db.manager.findOneBy(ConsentRequestEntity, { id });
  }
}
