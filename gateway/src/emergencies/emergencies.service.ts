import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, FindOptionsWhere } from 'typeorm';
import { accountNames, chainAddressOf } from '../accounts/chain-address';
import { AccountPrincipal } from '../auth/principal';
import { ChainRuntime } from '../chain/chain.module';
import { buildTypedData, TypedData } from '../chain/eip712';
import { EmergencyAccess } from '../chain/emergency-access';
import { coarseDeadline, textCommitment } from '../chain/relationships';
import { EMERGENCY_ACCESS_DOMAIN, EMERGENCY_ACCESS_TYPES } from '../chain/typed-messages';
import { ApiError, NotFoundError } from '../common/errors';
import { ConsentLinkEntity } from '../consents/consent.entities';
import { OutboxService } from '../outbox/outbox.service';
import { RecordEntity } from '../records/record.entity';
import { KnownIdentifiers, scrubText } from '../records/free-text';
import { EmergencyDraftDto, EmergencyDraftResponseDto, EmergencyResponseDto } from './emergencies.dto';
import { EmergencyRequestEntity } from './emergency-request.entity';
import { EmergencyRequestHandler, SignedEmergencyRequest } from './emergency-request.handler';

const WAIT_MS = 30_000;
const LISTED = 200;
const hex32 = (bytes: Buffer): string => `0x${bytes.toString('hex')}`;
const at = (seconds: number): Date | null => (seconds ? new Date(seconds * 1000) : null);

/**
 * Break-glass access (DESIGN trust model 8): a doctor asks, with a reason; k of the authorities
 * approve on chain (with their own keys); access is time-boxed by the contract; the patient sees
 * the request at once (their emergencies, their access log, their notifications). The gateway
 * prepares what the doctor signs and relays it; it cannot approve anything.
 */
@Injectable()
export class EmergenciesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly emergencies: EmergencyAccess,
    private readonly chain: ChainRuntime,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * A request for the doctor to sign: for records filed under `patient`, named on chain by the
   * doctor's relationship with the patient when there is one, else by a pseudonym made for this
   * patient and doctor (kept for their next emergencies). Its reason is committed to, salted.
   */
  async draft(auth: AccountPrincipal, dto: EmergencyDraftDto): Promise<EmergencyDraftResponseDto> {
    const doctor = await chainAddressOf(this.db, auth);
    const recordHandle = dto.patient.toLowerCase();
    if (!(await this.db.manager.existsBy(RecordEntity, { patientHandle: recordHandle }))) {
      throw new NotFoundError('PATIENT_NOT_FOUND', 'No records are filed under this pseudonym');
    }
    const row = this.db.manager.create(EmergencyRequestEntity, {
      id: randomUUID(), recordHandle, patientPseudonym: await this.pseudonymFor(recordHandle, doctor), doctor, doctorAccount: auth.accountId,
      reason: scrubText(dto.reason, new KnownIdentifiers([])), reasonSalt: hex32(randomBytes(32)), durationSeconds: dto.durationSeconds,
      nonce: String(await this.emergencies.nonceOf(doctor)), deadline: String(coarseDeadline(Math.floor(Date.now() / 1000) + 3600)), status: 'draft',
      chainRequestId: null, txHash: null, error: null,
    });
    await this.db.manager.insert(EmergencyRequestEntity, row);
    return { emergency: await this.describe((await this.rowOf(row.id))!), typedData: this.typedData(row) };
  }

  /** The doctor's signature of the draft: simulated (a wrong key or a used nonce is 422 now), then relayed. */
  async submit(auth: AccountPrincipal, id: string, signature: string, wait: boolean): Promise<EmergencyResponseDto> {
    const row = await this.rowOf(id);
    if (!row || row.doctorAccount !== auth.accountId) throw emergencyNotFound();
    if (row.status !== 'draft') throw new ApiError(HttpStatus.CONFLICT, 'EMERGENCY_ALREADY_SIGNED', 'This request was signed already; draft a new one to ask again');
    const request: SignedEmergencyRequest = {
      patient: row.patientPseudonym, reasonHash: textCommitment(row.reason, row.reasonSalt), duration: row.durationSeconds, doctor: row.doctor, deadline: Number(row.deadline), signature,
    };
    await this.outbox.simulate(EmergencyRequestHandler, request);
    await this.db.transaction(async (manager) => {
      const { affected } = await manager.update(EmergencyRequestEntity, { id, status: 'draft' }, { status: 'queued' });
      if (!affected) throw new ApiError(HttpStatus.CONFLICT, 'EMERGENCY_ALREADY_SIGNED', 'This request was signed already');
      await this.outbox.enqueue(manager, EmergencyRequestHandler, id, request);
    });
    if (wait && (await this.outbox.waitFor(EmergencyRequestHandler, id, WAIT_MS)) === 'timeout') {
      throw new ApiError(HttpStatus.GATEWAY_TIMEOUT, 'EMERGENCY_PENDING', `Queued but not on chain yet; poll GET /v1/emergencies`);
    }
    return this.describe((await this.rowOf(id))!);
  }

  /** A doctor's own requests; a patient's (as the pseudonym their records are filed under); every request, for the authorities. */
  async list(where: FindOptionsWhere<EmergencyRequestEntity>, { withRecordsHandle = true } = {}): Promise<EmergencyResponseDto[]> {
    const rows = await this.db.manager.find(EmergencyRequestEntity, { where, order: { createdAt: 'DESC' }, take: LISTED });
    return Promise.all(rows.map(async (row) => {
      const { patient, ...rest } = await this.describe(row);
      return withRecordsHandle ? { patient, ...rest } : rest;
    }));
  }

  private async describe(row: EmergencyRequestEntity): Promise<EmergencyResponseDto> {
    const onChain = row.chainRequestId === null ? null : await this.emergencies.requestOf(BigInt(row.chainRequestId));
    const names = await accountNames(this.db, [row.doctorAccount]);
    return {
      id: row.id, patient: row.recordHandle, patientOnChain: row.patientPseudonym, doctor: row.doctor, doctorName: names.get(row.doctorAccount) ?? 'unknown account', reason: row.reason,
      reasonSalt: row.reasonSalt, durationSeconds: row.durationSeconds, state: row.status, requestId: row.chainRequestId === null ? null : Number(row.chainRequestId),
      status: onChain?.status ?? 'none', approvals: onChain?.approvals ?? 0, startsAt: at(onChain?.startsAt ?? 0), expiresAt: at(onChain?.expiresAt ?? 0),
      txHash: row.txHash, error: row.error, createdAt: row.createdAt,
    };
  }

  private typedData(row: EmergencyRequestEntity): TypedData {
    const domain = { ...EMERGENCY_ACCESS_DOMAIN, chainId: this.chain.chainId, verifyingContract: this.emergencies.address };
    return buildTypedData(domain, 'EmergencyRequest', { EmergencyRequest: EMERGENCY_ACCESS_TYPES.EmergencyRequest }, {
      patient: row.patientPseudonym, reasonHash: textCommitment(row.reason, row.reasonSalt), duration: row.durationSeconds, nonce: row.nonce, deadline: row.deadline,
    });
  }

  private async pseudonymFor(recordHandle: string, doctor: string): Promise<string> {
    const link = await this.db.manager.findOneBy(ConsentLinkEntity, { recordHandle, grantee: doctor });
    if (link) return link.relationshipHandle;
    const earlier = await this.db.manager.findOneBy(EmergencyRequestEntity, { recordHandle, doctor });
    return earlier?.patientPseudonym ?? hex32(randomBytes(32));
  }

  private rowOf(id: string): Promise<EmergencyRequestEntity | null> {
    return this.db.manager.findOneBy(EmergencyRequestEntity, { id });
  }
}

const emergencyNotFound = () => new NotFoundError('EMERGENCY_NOT_FOUND', 'No such emergency request of yours');
