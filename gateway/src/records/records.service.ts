import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { utils } from 'web3';
import { AccountPrincipal } from '../auth/principal';
import { ChainClient } from '../chain/chain-client';
import { NO_PREVIOUS_VERSION, recordIdOnChain, RecordVersion, recordVersionToJson, tombstoneOf, versionId } from '../chain/record-batch';
import { ApiError } from '../common/errors';
import { IdempotencyKeys } from '../idempotency/idempotency-keys';
import { IpfsStore } from '../ipfs/ipfs-store';
import { Keyring } from '../keys/keyring';
import { OutboxService } from '../outbox/outbox.service';
import { clinicalDateOf } from './clinical-date';
import { deidentify } from './deidentify';
import { FhirResource, FhirValidator } from './fhir-validator';
import { RecordEntity } from './record.entity';
import { RecordVersionAnchorHandler } from './record-anchor.handler';
import { categoryIndex, categoryName } from './record-categories';
import { newRecordDocument, RecordContent, RecordDocument, sealRecord } from './record-document';
import { sniffAttachment, withoutMetadata } from './attachment';
import { newId } from '../identity/aadhaar';
import { RecordFiling } from './record-filing';
import { RecordReads, recordErased } from './record-reads';
import { chainVersionOf, describeRecord, isTombstone } from './record-views';
import { RecordCorrectionQueryDto, RecordResponseDto, RecordUploadQueryDto } from './records.dto';
import { RecordStore, versionRef } from './record.store';

const WAIT_MS = 30_000;

/** What a create answered: the record, and whether it is the stored answer to an earlier request with the same Idempotency-Key. */
export interface FilingAnswer {
  record: RecordResponseDto;
  replayed: boolean;
}

/** Runs after the row is inserted, in its transaction: an Idempotency-Key's answer is stored with the change. */
type OnInsert = (manager: EntityManager, record: RecordResponseDto) => Promise<void>;

/**
 * Writing records (DESIGN "Record upload"): FHIR R4 in, validated, de-identified, salted and
 * digested, encrypted under a key of its own, on IPFS, a row keyed by the patient's handle,
 * anchored in Merkle batches through the outbox. Corrections are new versions chained to the
 * last; erasure destroys every version's key, unpins the ciphertexts and anchors a tombstone.
 */
@Injectable()
export class RecordsService {
  private readonly logger = new Logger(RecordsService.name);

  constructor(
    private readonly records: RecordStore,
    private readonly reads: RecordReads,
    private readonly filing: RecordFiling,
    private readonly fhir: FhirValidator,
    private readonly keyring: Keyring,
    private readonly ipfs: IpfsStore,
    private readonly outbox: OutboxService,
    private readonly idempotency: IdempotencyKeys,
    private readonly chain: ChainClient,
  ) {}

  async file(auth: AccountPrincipal, body: unknown, filingToken: string | undefined, query: RecordUploadQueryDto, idempotencyKey?: string): Promise<FilingAnswer> {
    const hospital = await this.filing.admittedHospitalOf(auth);
    const patientHandle = await this.filing.patientHandle(filingToken, hospital);
    const { content, clinicalDate, fingerprint } = await this.prepared(body, query.clinicalDate ?? null);

    // The patient the token names, not the token's bytes: a retry with a token the patient issued again is the same request.
    const request = { operation: 'file', patientHandle, category: query.category, clinicalDate: query.clinicalDate ?? null, body: fingerprint };
    return this.idempotent(auth, idempotencyKey, request, query.wait === 'anchored', async (onInsert) => {
      const document = newRecordDocument({ recordId: newId(), version: 1, category: query.category, clinicalDate }, content);
      return this.store(auth, document, content, patientHandle, hospital, null, onInsert);
    });
  }

  /** A correction by the hospital that filed the record: the next version, linked to the current one on chain. */
  async correct(auth: AccountPrincipal, recordId: string, body: unknown, query: RecordCorrectionQueryDto, idempotencyKey?: string): Promise<FilingAnswer> {
    const hospital = await this.filing.admittedHospitalOf(auth);
    const current = await this.reads.visible(auth, recordId);
    if (current.status === 'erased') throw recordErased(recordId);
    // Who may correct comes from version 1's author: proven on chain first, so that a database
    // edit of the author cannot hand the record to another hospital.
    await this.reads.assertAnchored(current.version === 1 ? current : (await this.records.find(recordId, 1))!);
    const { content, clinicalDate, fingerprint } = await this.prepared(body, query.clinicalDate ?? null, current.clinicalDate);

    const request = { operation: 'correct', recordId, category: query.category ?? null, clinicalDate: query.clinicalDate ?? null, body: fingerprint };
    return this.idempotent(auth, idempotencyKey, request, query.wait === 'anchored', async (onInsert) => {
      const category = query.category ?? categoryName(current.category);
      const document = newRecordDocument({ recordId, version: current.version + 1, category, clinicalDate }, content);
      return this.store(auth, document, content, current.patientHandle, hospital, current, onInsert);
    });
  }

  /**
   * What will be stored, and the day of care: a FHIR resource validated and de-identified, or a
   * file (the request body as bytes) of a type its content proves, without image metadata. The
   * day comes from the query, else the resource, else `fallback` (a correction: the current
   * version's); a file does not say it.
   */
  private async prepared(body: unknown, clinicalDate: string | null, fallback?: string): Promise<{ content: RecordContent; clinicalDate: string; fingerprint: unknown }> {
    if (Buffer.isBuffer(body)) {
      const contentType = await sniffAttachment(body);
      const file = withoutMetadata(body, contentType);
      return { content: { file, contentType }, clinicalDate: checkedClinicalDate(clinicalDate ?? fallback ?? null), fingerprint: createHash('sha256').update(body).digest('hex') };
    }
    const resource = await this.validFhir(body);
    const day = checkedClinicalDate(clinicalDate ?? clinicalDateOf(resource) ?? fallback ?? null);
    return { content: { resource: await this.deidentified(resource) }, clinicalDate: day, fingerprint: body };
  }

  /**
   * The patient's erasure (DPDP Act 2023, s. 12): every version's key is destroyed and a
   * tombstone version queued for the chain in one transaction; then the ciphertexts are
   * unpinned. Reads answer 410 from then on; the metadata and the chain keep that it existed.
   * Erasing again finishes an unpinning that failed, and changes nothing else.
   */
  async erase(handle: string, recordId: string): Promise<RecordResponseDto> {
    await this.reads.visible({ kind: 'pseudonym', handle }, recordId);
    const { tombstone, cids } = await this.records.transaction(async (manager) => {
      // Locked rows are read as they were when the statement began: once the lock is ours, read
      // again to see a version a concurrent correction committed meanwhile.
      await this.records.lockVersions(manager, recordId);
      const versions = await this.records.lockVersions(manager, recordId);
      const latest = versions[versions.length - 1]!;
      const contents = versions.flatMap((v) => (v.cid ? [v.cid] : []));
      if (isTombstone(latest)) return { tombstone: latest, cids: contents };
      await this.records.destroyKeys(manager, recordId);
      const version = tombstoneOf(chainVersionOf(latest), utils.toChecksumAddress(this.chain.address));
      const row = await this.records.insert(manager, {
        recordId, version: latest.version + 1, patientHandle: latest.patientHandle, category: latest.category, clinicalDate: latest.clinicalDate,
        contentType: latest.contentType, cid: null, sha512: version.sha512Digest, sizeBytes: 0, wrappedKey: null, keyId: null,
        versionHash: versionId(version), previousHash: version.previousVersion, author: version.author, filedBy: latest.filedBy,
      }, 'erased');
      await this.outbox.enqueue(manager, RecordVersionAnchorHandler, versionRef(recordId, row.version), recordVersionToJson(version));
      return { tombstone: row, cids: contents };
    });
    for (const cid of cids) {
      // The keys are gone already, so what is left on IPFS cannot be read; a failure here is retried by erasing again.
      await this.ipfs.remove(cid).catch((error: unknown) => this.logger.warn({ event: 'record_unpin_failed', recordId, err: String(error) }));
    }
    return describeRecord(tombstone);
  }

  /** Runs `create` under the caller's Idempotency-Key, if it sent one; waits for the anchor when asked. */
  private async idempotent(
    auth: AccountPrincipal, key: string | undefined, request: Record<string, unknown>, wait: boolean, create: (onInsert: OnInsert) => Promise<RecordEntity>,
  ): Promise<FilingAnswer> {
    let row: RecordEntity;
    if (key === undefined) {
      row = await create(async () => undefined);
    } else {
      const claimed = await this.idempotency.claim(auth.accountId, key, IdempotencyKeys.fingerprint({ ...request, route: 'records' }));
      if ('replay' in claimed) return { record: claimed.replay.body as RecordResponseDto, replayed: true };
      try {
        row = await create((manager, record) => this.idempotency.complete(manager, claimed.claim, { status: HttpStatus.CREATED, body: record }));
      } catch (error) {
        await this.idempotency.release(claimed.claim);
        throw error;
      }
    }
    if (wait) await this.waitUntilAnchored(row);
    return { record: describeRecord(wait ? (await this.records.find(row.recordId, row.version))! : row), replayed: false };
  }

  private async validFhir(body: unknown): Promise<FhirResource> {
    const problems = await this.fhir.problems(body);
    if (problems.length > 0) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'FHIR_INVALID', `Not valid FHIR R4: ${problems.length} problem(s)`, { problems: problems.slice(0, 100) });
    }
    return body as FhirResource;
  }

  /** The resource without identifiers, still valid FHIR; refused rather than stored when either cannot be had. */
  private async deidentified(resource: FhirResource): Promise<FhirResource> {
    const { resource: stored, residue } = deidentify(resource);
    if (residue.length > 0) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'DEIDENTIFICATION_INCOMPLETE', 'An identifier of the patient is in a field that cannot be scrubbed (a code, a URI): move it out and send again', {
        paths: residue.slice(0, 50),
      });
    }
    const problems = await this.fhir.problems(stored);
    if (problems.length > 0) {
      this.logger.warn({ event: 'record_invalid_once_deidentified', paths: problems.map((p) => p.path) });
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'DEIDENTIFIED_RECORD_INVALID', 'Once its identifiers are removed the record is not valid FHIR R4 (a required element held only an identifier)', {
        problems: problems.slice(0, 50),
      });
    }
    return stored;
  }

  /**
   * Seals the document and adds the ciphertext to IPFS; then, in one transaction, supersedes the
   * previous version (which must still be current: two corrections at once, one wins), inserts
   * the row and queues its anchor. A crash before the commit leaves only an unreadable
   * ciphertext on IPFS (its key was never stored).
   */
  private async store(
    auth: AccountPrincipal, document: RecordDocument, content: RecordContent, patientHandle: string, author: string, previous: RecordEntity | null, onInsert: OnInsert,
  ): Promise<RecordEntity> {
    const { digest, envelope } = sealRecord(this.keyring, document, 'file' in content ? content.file : undefined);
    const cid = await this.ipfs.add(envelope.sealed);
    const category = categoryIndex(document.category);
    const previousHash = previous?.versionHash ?? NO_PREVIOUS_VERSION;
    const version: RecordVersion = {
      recordId: recordIdOnChain(document.recordId), patientHandle, cid, sha512Digest: digest, category, previousVersion: previousHash, tombstone: false, author,
    };
    return this.records.transaction(async (manager) => {
      if (previous) {
        const versions = await this.records.lockVersions(manager, document.recordId);
        const latest = versions[versions.length - 1]!;
        if (latest.status === 'erased') throw recordErased(document.recordId);
        // Locked rows are read as committed: a correction that won meanwhile shows as version `previous` superseded.
        if (latest.version !== previous.version || latest.status !== 'current') {
          throw new ApiError(HttpStatus.CONFLICT, 'VERSION_CONFLICT', `Version ${latest.version} of record ${document.recordId} was filed meanwhile: correct that one`);
        }
        await this.records.supersede(manager, document.recordId, previous.version);
      }
      const row = await this.records.insert(manager, {
        recordId: document.recordId, version: document.version, patientHandle, category, clinicalDate: document.clinicalDate,
        contentType: document.contentType, cid, sha512: digest, sizeBytes: envelope.sealed.length, wrappedKey: envelope.wrappedKey, keyId: envelope.keyId,
        versionHash: versionId(version), previousHash, author, filedBy: auth.accountId,
      });
      await this.outbox.enqueue(manager, RecordVersionAnchorHandler, versionRef(document.recordId, document.version), recordVersionToJson(version));
      await onInsert(manager, describeRecord(row));
      return row;
    });
  }

  private async waitUntilAnchored(row: RecordEntity): Promise<void> {
    const outcome = await this.outbox.waitFor(RecordVersionAnchorHandler, versionRef(row.recordId, row.version), WAIT_MS);
    if (outcome === 'timeout') {
      throw new ApiError(HttpStatus.GATEWAY_TIMEOUT, 'ANCHOR_PENDING', `Filed as ${row.recordId} but not anchored yet; poll GET /v1/records/${row.recordId}`);
    }
    if (outcome === 'failed') throw new ApiError(HttpStatus.BAD_GATEWAY, 'ANCHOR_FAILED', `Filed as ${row.recordId} but anchoring failed; the record cannot be served verified`);
  }
}

/** A clinical date is a real day, not after tomorrow (time zones), not before 1900. */
function checkedClinicalDate(date: string | null): string {
  if (!date) throw new ApiError(HttpStatus.BAD_REQUEST, 'CLINICAL_DATE_REQUIRED', 'The resource has no date of care to take: give clinicalDate (YYYY-MM-DD)');
  const day = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date || day.getTime() > Date.now() + 86_400_000 || day.getUTCFullYear() < 1900) {
    throw new ApiError(HttpStatus.BAD_REQUEST, 'CLINICAL_DATE_INVALID', `${date} is not a day of care (a real date, from 1900 to today)`);
  }
  return date;
}
