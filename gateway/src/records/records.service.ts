import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AnchorVerifier } from '../anchoring/anchor-verifier';
import { Role } from '../auth/permissions';
import { AccountPrincipal, Principal } from '../auth/principal';
import { NO_PREVIOUS_VERSION, recordIdOnChain, RecordVersion, recordVersionToJson, toContractVersion, versionId } from '../chain/record-batch';
import { ApiError, NotFoundError } from '../common/errors';
import { DecryptionError } from '../crypto/decryption-error';
import { IpfsStore } from '../ipfs/ipfs-store';
import { Keyring } from '../keys/keyring';
import { MetricsService } from '../metrics/metrics.service';
import { OutboxService } from '../outbox/outbox.service';
import { clinicalDateOf } from './clinical-date';
import { deidentify } from './deidentify';
import { FhirResource, FhirValidator } from './fhir-validator';
import { RecordAnchorDto, RecordContentDto, RecordResponseDto, RecordUploadQueryDto } from './records.dto';
import { RecordEntity } from './record.entity';
import { RecordVersionAnchorHandler } from './record-anchor.handler';
import { categoryIndex, categoryName } from './record-categories';
import { newRecordDocument, openRecord, RecordDocument, sealRecord } from './record-document';
import { RecordFiling } from './record-filing';
import { RecordStore, versionRef } from './record.store';

const WAIT_MS = 30_000;
type IntegrityCheck = 'anchor' | 'ciphertext' | 'digest';

const notFound = () => new NotFoundError('RECORD_NOT_FOUND', 'No such record');

/**
 * Medical records (DESIGN "Record upload" and "Read"): FHIR R4 in, validated, de-identified,
 * salted and digested, encrypted under a key of its own, on IPFS, a row keyed by the patient's
 * handle, anchored in Merkle batches through the outbox. A read proves the version against the
 * chain, opens it and checks its digest before anything is returned.
 */
@Injectable()
export class RecordsService {
  private readonly logger = new Logger(RecordsService.name);

  constructor(
    private readonly records: RecordStore,
    private readonly filing: RecordFiling,
    private readonly fhir: FhirValidator,
    private readonly keyring: Keyring,
    private readonly ipfs: IpfsStore,
    private readonly outbox: OutboxService,
    private readonly verifier: AnchorVerifier,
    private readonly metrics: MetricsService,
  ) {}

  async upload(auth: AccountPrincipal, body: unknown, filingToken: string | undefined, query: RecordUploadQueryDto): Promise<RecordResponseDto> {
    const hospital = await this.filing.hospitalOf(auth);
    const patientHandle = await this.filing.patientHandle(filingToken, hospital);
    const resource = await this.validFhir(body);
    const clinicalDate = this.checkedClinicalDate(query.clinicalDate ?? clinicalDateOf(resource));
    const stored = await this.deidentified(resource);

    const recordId = randomUUID();
    const document = newRecordDocument({ recordId, version: 1, category: query.category, clinicalDate, resource: stored });
    const row = await this.store(auth, document, patientHandle, hospital, NO_PREVIOUS_VERSION);
    if (query.wait === 'anchored') await this.waitUntilAnchored(row);
    return this.describe(query.wait === 'anchored' ? (await this.records.find(recordId, 1))! : row);
  }

  /** A caller's view of a record's newest version (or `version`): the patient's pseudonym, or the hospital that filed it. */
  async get(principal: Principal, recordId: string, version?: number): Promise<RecordResponseDto> {
    return this.describe(await this.visible(principal, recordId, version));
  }

  async versions(principal: Principal, recordId: string): Promise<RecordResponseDto[]> {
    await this.visible(principal, recordId);
    return (await this.records.versions(recordId)).map((row) => this.describe(row));
  }

  async list(handle: string, limit: number): Promise<RecordResponseDto[]> {
    return (await this.records.listForHandle(handle, limit)).map((row) => this.describe(row));
  }

  /**
   * The record as stored, only once proven (DESIGN trust model 7): the version rebuilt from the
   * row is a leaf of its batch's root on chain (whatever the row says of its status), the
   * ciphertext opens under the record's key bound to this record and version, and the plaintext
   * hashes to the anchored digest. Any failure is INTEGRITY_MISMATCH, an error log and a metric.
   */
  async content(handle: string, recordId: string, version?: number): Promise<RecordContentDto> {
    const row = await this.visible({ kind: 'pseudonym', handle }, recordId, version);
    if (!row.anchorBatchId || !row.anchorProof) throw row.anchorStatus === 'anchored' ? this.mismatch(row, 'anchor') : notAnchored(row);
    if (!(await this.verifier.inBatch(row.anchorBatchId, this.chainVersion(row), row.anchorProof))) throw this.mismatch(row, 'anchor');

    const sealed = await this.ipfs.get(row.cid!).catch((error: unknown) => {
      throw error instanceof NotFoundError ? this.mismatch(row, 'ciphertext') : error;
    });
    let opened: { plaintext: Buffer; digest: Buffer };
    try {
      opened = openRecord(this.keyring, row.wrappedKey!, sealed, row.recordId, row.version);
    } catch (error) {
      if (error instanceof DecryptionError) throw this.mismatch(row, 'ciphertext');
      throw error;
    }
    if (!opened.digest.equals(row.sha512)) throw this.mismatch(row, 'digest');
    const document = JSON.parse(opened.plaintext.toString('utf8')) as RecordDocument;
    return { record: this.describe(row), resource: document.resource };
  }

  private async validFhir(body: unknown): Promise<FhirResource> {
    const problems = await this.fhir.problems(body);
    if (problems.length > 0) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'FHIR_INVALID', `Not valid FHIR R4: ${problems.length} problem(s)`, { problems: problems.slice(0, 100) });
    }
    return body as FhirResource;
  }

  /** A clinical date is a real day, not after tomorrow (time zones), not before 1900. */
  private checkedClinicalDate(date: string | null): string {
    if (!date) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'CLINICAL_DATE_REQUIRED', 'The resource has no date of care to take: give clinicalDate (YYYY-MM-DD)');
    }
    const day = new Date(`${date}T00:00:00Z`);
    const tomorrow = Date.now() + 86_400_000;
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date || day.getTime() > tomorrow || day.getUTCFullYear() < 1900) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'CLINICAL_DATE_INVALID', `${date} is not a day of care (a real date, from 1900 to today)`);
    }
    return date;
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

  /** Seals the document, adds the ciphertext to IPFS, and inserts the row with its anchor in the outbox, in one transaction. */
  private async store(auth: AccountPrincipal, document: RecordDocument, patientHandle: string, author: string, previousHash: string): Promise<RecordEntity> {
    const { digest, envelope } = sealRecord(this.keyring, document);
    const cid = await this.ipfs.add(envelope.sealed);
    const category = categoryIndex(document.category);
    const version: RecordVersion = {
      recordId: recordIdOnChain(document.recordId), patientHandle, cid, sha512Digest: digest, category, previousVersion: previousHash, tombstone: false, author,
    };
    return this.records.transaction(async (manager) => {
      const row = await this.records.insert(manager, {
        recordId: document.recordId, version: document.version, patientHandle, category, clinicalDate: document.clinicalDate,
        contentType: document.contentType, cid, sha512: digest, sizeBytes: envelope.sealed.length, wrappedKey: envelope.wrappedKey, keyId: envelope.keyId,
        versionHash: versionId(version), previousHash, author, filedBy: auth.accountId,
      });
      await this.outbox.enqueue(manager, RecordVersionAnchorHandler, versionRef(document.recordId, document.version), recordVersionToJson(version));
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

  /**
   * Object-level check: a pseudonym sees the records filed under its handle; an account sees
   * what its hospital filed (the metadata only: reading content is the patient's, or a
   * consented grantee's). Anything else is "no such record", so ids cannot be probed.
   */
  private async visible(principal: Principal, recordId: string, version?: number): Promise<RecordEntity> {
    const row = await this.records.find(recordId, version);
    if (!row) throw notFound();
    if (principal.kind === 'pseudonym' ? row.patientHandle !== principal.handle : !(await this.filedByHospitalOf(principal, row))) throw notFound();
    return row;
  }

  private async filedByHospitalOf(auth: AccountPrincipal, row: RecordEntity): Promise<boolean> {
    if (auth.role !== Role.Hospital && auth.role !== Role.Doctor) return false;
    const hospital = await this.filing.hospitalOf(auth).catch(() => null);
    return hospital !== null && hospital.toLowerCase() === row.author.toLowerCase();
  }

  private chainVersion(row: RecordEntity): RecordVersion {
    return {
      recordId: recordIdOnChain(row.recordId), patientHandle: row.patientHandle, cid: row.cid, sha512Digest: row.sha512, category: row.category,
      previousVersion: row.previousHash, tombstone: row.status === 'erased', author: row.author,
    };
  }

  private mismatch(row: RecordEntity, check: IntegrityCheck): ApiError {
    this.metrics.integrityMismatches.inc({ check });
    // The record id and version only: nothing here names the patient or their handle.
    this.logger.error({ event: 'record_integrity_mismatch', alert: 'INTEGRITY_MISMATCH', recordId: row.recordId, version: row.version, check });
    return new ApiError(HttpStatus.BAD_GATEWAY, 'INTEGRITY_MISMATCH', 'The stored record does not match what was anchored for it; it is not returned');
  }

  private describe(row: RecordEntity): RecordResponseDto {
    const version = this.chainVersion(row);
    const anchor: RecordAnchorDto = {
      status: row.anchorStatus, batchId: row.anchorBatchId, proof: row.anchorProof, txHash: row.anchorTxHash,
      block: row.anchoredBlock === null ? null : Number(row.anchoredBlock), error: row.anchorError,
      version: toContractVersion(version), leaf: row.versionHash,
    };
    return {
      recordId: row.recordId, version: row.version, category: categoryName(row.category), clinicalDate: row.clinicalDate, contentType: row.contentType,
      status: row.status, cid: row.cid, sha512: row.sha512.toString('hex'), sizeBytes: row.sizeBytes, author: row.author, createdAt: row.createdAt, anchor,
    };
  }
}

function notAnchored(row: RecordEntity): ApiError {
  return row.anchorStatus === 'failed'
    ? new ApiError(HttpStatus.CONFLICT, 'ANCHOR_FAILED', `Record ${row.recordId} could not be anchored (${row.anchorError ?? 'unknown reason'}), so it cannot be served verified`)
    : new ApiError(HttpStatus.CONFLICT, 'ANCHOR_PENDING', `Record ${row.recordId} is not anchored on chain yet; retry once GET /v1/records/${row.recordId} shows it anchored`);
}
