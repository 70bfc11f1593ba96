import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { chainAddressOf } from '../accounts/chain-address';
import { Role } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { AccessEntry, AccessKind } from '../chain/access-log';
import { ConsentManager, ConsentState } from '../chain/consent-manager';
import { NO_RECORDS_ROOT, recordsTree } from '../chain/patient-messages';
import { recordIdOnChain } from '../chain/record-id';
import { accessLogRecordId, consentId } from '../chain/relationships';
import { Category, Purpose } from '../chain/typed-messages';
import { EmergencyAccess } from '../chain/emergency-access';
import { ApiError } from '../common/errors';
import { ConsentLinks } from '../consents/consent-links';
import { ConsentRecordSetEntity } from '../consents/consent.entities';
import { ConsentRefusal, consentStatus, REFUSAL_MESSAGES, refusalOf } from '../consents/consent-status';
import { EmergencyRequestEntity } from '../emergencies/emergency-request.entity';
import { OutboxService } from '../outbox/outbox.service';
import { RecordContent } from '../records/record-document';
import { recordNotFound, RecordReads } from '../records/record-reads';
import { RecordEntity } from '../records/record.entity';
import { RecordStore } from '../records/record.store';
import { RecordResponseDto } from '../records/records.dto';
import { describeRecord } from '../records/record-views';
import { AccessEntryEntity } from './access-entry.entity';
import { AccessLogHandler } from './access-log.handler';
import { GrantedPatientDto } from './access.dto';

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** Records listed per pseudonym in a grantee's view (newest care first). */
const COVERED_RECORDS_LISTED = 200;
/** A record's date as consents' date ranges count it: midnight UTC of its day of care. */
export const recordDateSeconds = (clinicalDate: string): number => Date.parse(`${clinicalDate}T00:00:00Z`) / 1000;

/** What a read is allowed under: a consent, or a granted emergency, and the handle it is logged under. */
export interface Allowed {
  relationshipHandle: string;
  authorizationId: string;
  kind: AccessKind;
}

/**
 * Reads by someone other than the patient (DESIGN "Read"): the role's own limit (pharmacists see
 * prescriptions only), then the chain's `mayRead` for the relationship the patient linked to the
 * record's pseudonym (or, for break-glass, a granted emergency), then the proven read, then the access entry queued for the chain in its own
 * committed transaction, and only then the answer: a read that cannot be logged returns nothing,
 * and a gateway that dies after answering has the entry on its outbox already.
 */
@Injectable()
export class ConsentedReads {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly records: RecordStore,
    private readonly reads: RecordReads,
    private readonly consentManager: ConsentManager,
    private readonly emergencies: EmergencyAccess,
    private readonly outbox: OutboxService,
  ) {}

  async read(auth: AccountPrincipal, recordId: string, purpose: number): Promise<{ record: RecordResponseDto; content: RecordContent }> {
    const reader = await chainAddressOf(this.db, auth);
    const row = await this.records.find(recordId);
    if (!row) throw recordNotFound();
    if (purpose === Purpose.DSRCH) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'RESEARCH_THROUGH_EXPORT', 'Research reads go through GET /v1/research/export, de-identified and k-anonymous; never a record at a time');
    }
    if (auth.role === Role.Pharmacist && row.category !== Category.Prescription) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'PRESCRIPTIONS_ONLY', 'Pharmacists read prescriptions only');
    }
    const allowed = purpose === Purpose.BTG ? await this.allowedInEmergency(reader, row) : await this.allowed(reader, row, purpose);
    const read = await this.reads.proven(row);
    await this.logReleases(auth, reader, purpose, [{ row, allowed }]);
    return read;
  }

  /**
   * The patients who granted the caller a consent, by relationship: its state on chain and, while
   * it is in force, the records it covers now (what a read would be allowed for some purpose).
   */
  async patients(auth: AccountPrincipal): Promise<GrantedPatientDto[]> {
    const reader = await chainAddressOf(this.db, auth);
    const links = await ConsentLinks.active(this.db.manager, { grantee: reader });
    const byRelationship = new Map<string, string[]>();
    for (const link of links) byRelationship.set(link.relationshipHandle, [...(byRelationship.get(link.relationshipHandle) ?? []), link.recordHandle]);
    const now = nowSeconds();
    return Promise.all(
      [...byRelationship].map(async ([relationship, recordHandles]) => {
        const state = await this.consentManager.consentOf(relationship, reader);
        const status = consentStatus(state, now);
        const rows = status === 'active' ? (await Promise.all(recordHandles.map((handle) => this.records.listForHandle(handle, COVERED_RECORDS_LISTED)))).flat() : [];
        const covered: RecordEntity[] = [];
        for (const row of rows) {
          if (row.status === 'erased' || (auth.role === Role.Pharmacist && row.category !== Category.Prescription)) continue;
          const date = recordDateSeconds(row.clinicalDate);
          const inScope = ((state.terms.categories >> row.category) & 1) === 1 && date >= state.terms.fromDate && date <= state.terms.toDate;
          if (inScope && (await this.proofOf(state, row.recordId)) !== null) covered.push(row);
        }
        return { relationship, status, terms: state.terms, records: covered.map(describeRecord) };
      }),
    );
  }

  /** The relationship and consent the chain allows this read under, or 403 saying why not. */
  async allowed(reader: string, row: RecordEntity, purpose: number): Promise<Allowed> {
    const links = await ConsentLinks.active(this.db.manager, { grantee: reader, recordHandle: row.patientHandle });
    let refusal: ConsentRefusal = (await ConsentLinks.wasRevoked(this.db.manager, { grantee: reader, recordHandle: row.patientHandle })) ? 'CONSENT_REVOKED' : 'CONSENT_REQUIRED';
    for (const { relationshipHandle } of links) {
      const [state, pair] = await Promise.all([this.consentManager.consentOf(relationshipHandle, reader), ConsentLinks.pair(this.db.manager, relationshipHandle, reader)]);
      if (!pair || pair.lastGrantNonce === null || BigInt(pair.nonce) !== state.nonce) {
        // The chain holds a change of this consent that this gateway did not relay (or has not confirmed yet): what it covers is unknown here.
        refusal = 'CONSENT_CHANGED_ELSEWHERE';
        continue;
      }
      const proof = await this.proofOf(state, row.recordId);
      const question = { category: row.category, purpose, recordDate: recordDateSeconds(row.clinicalDate), recordId: recordIdOnChain(row.recordId), proof: proof ?? [] };
      if (proof !== null && (await this.consentManager.mayRead(relationshipHandle, reader, question))) {
        // The consent in force is the pair's latest applied grant (a denial since moves the pair nonce, not the consent).
        return { relationshipHandle, authorizationId: consentId(relationshipHandle, reader, BigInt(pair.lastGrantNonce)), kind: AccessKind.Consent };
      }
      refusal = refusalOf(state, { ...question, inRecordSet: proof !== null }, nowSeconds());
    }
    throw new ApiError(HttpStatus.FORBIDDEN, refusal, REFUSAL_MESSAGES[refusal]);
  }

  /**
   * Break-glass (purpose BTG): an emergency request by this doctor for the records' pseudonym that
   * k authorities granted on chain and whose time box is not over (EmergencyAccess.isGranted).
   */
  private async allowedInEmergency(reader: string, row: RecordEntity): Promise<Allowed> {
    const requests = await this.db.manager.find(EmergencyRequestEntity, { where: { doctor: reader, recordHandle: row.patientHandle, status: 'requested' } });
    for (const pseudonym of new Set(requests.map((request) => request.patientPseudonym))) {
      const { granted, requestId } = await this.emergencies.isGranted(pseudonym, reader);
      if (granted) return { relationshipHandle: pseudonym, authorizationId: `0x${requestId.toString(16).padStart(64, '0')}`, kind: AccessKind.Emergency };
    }
    throw new ApiError(HttpStatus.FORBIDDEN, 'EMERGENCY_NOT_GRANTED', 'No emergency request of yours for this patient is granted now: ask (POST /v1/emergencies) and wait for the authorities');
  }

  /** The record's proof against the consent's records root: [] without a root, null when the root does not name it. */
  private async proofOf(state: ConsentState, recordId: string): Promise<string[] | null> {
    const root = state.terms.recordsRoot.toLowerCase();
    if (root === NO_RECORDS_ROOT) return [];
    const set = await this.db.manager.findOneBy(ConsentRecordSetEntity, { recordsRoot: root });
    if (!set?.recordIds.includes(recordId)) return null;
    return recordsTree(set.recordIds, set.salt).getProof([recordIdOnChain(recordId)]);
  }

  /** The access entries and their outbox rows, committed together before the records are released. */
  async logReleases(auth: AccountPrincipal, reader: string, purpose: number, releases: ReadonlyArray<{ row: RecordEntity; allowed: Allowed }>): Promise<void> {
    const now = new Date();
    // The chain takes whole seconds; the row keeps the instant, so a patient's feed orders events within a second.
    const accessedAt = Math.floor(now.getTime() / 1000);
    await this.db.transaction(async (manager) => {
      for (const { row, allowed } of releases) {
        const id = randomUUID();
        const blindingSalt = `0x${randomBytes(32).toString('hex')}`;
        const entry: AccessEntry = {
          recordId: accessLogRecordId(recordIdOnChain(row.recordId), allowed.relationshipHandle, blindingSalt), patientHandle: allowed.relationshipHandle,
          authorizationId: allowed.authorizationId, reader, accessedAt, purpose, kind: allowed.kind,
        };
        await manager.insert(AccessEntryEntity, {
          id, recordId: row.recordId, version: row.version, relationshipHandle: allowed.relationshipHandle, reader, readerAccount: auth.accountId, purpose,
          kind: allowed.kind, authorizationId: allowed.authorizationId, loggedRecordId: entry.recordId, blindingSalt, accessedAt: now, status: 'pending',
        });
        await this.outbox.enqueue(manager, AccessLogHandler, id, entry);
      }
    });
  }
}
