import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AnchorVerifier } from '../anchoring/anchor-verifier';
import { Role } from '../auth/permissions';
import { AccountPrincipal, Principal } from '../auth/principal';
import { ApiError, NotFoundError } from '../common/errors';
import { DecryptionError } from '../crypto/decryption-error';
import { IpfsStore } from '../ipfs/ipfs-store';
import { Keyring } from '../keys/keyring';
import { MetricsService } from '../metrics/metrics.service';
import { RecordEntity } from './record.entity';
import { contentOf, openRecord, RecordContent } from './record-document';
import { RecordFiling } from './record-filing';
import { chainVersionOf, describeRecord } from './record-views';
import { RecordResponseDto } from './records.dto';
import { RecordStore } from './record.store';

type IntegrityCheck = 'anchor' | 'ciphertext' | 'digest';

export const recordNotFound = () => new NotFoundError('RECORD_NOT_FOUND', 'No such record');
export const recordErased = (recordId: string) =>
  new ApiError(HttpStatus.GONE, 'RECORD_ERASED', `Record ${recordId} was erased at the patient's request: its key is destroyed and its content can never be read again`);

/**
 * Reading records (DESIGN "Read"): who may see which (object-level checks), and the content only
 * once proven against the chain, its key and its digest.
 */
@Injectable()
export class RecordReads {
  private readonly logger = new Logger(RecordReads.name);

  constructor(
    private readonly records: RecordStore,
    private readonly filing: RecordFiling,
    private readonly keyring: Keyring,
    private readonly ipfs: IpfsStore,
    private readonly verifier: AnchorVerifier,
    private readonly metrics: MetricsService,
  ) {}

  /** A record's newest version (or `version`): for the patient's pseudonym, or the hospital that filed it. */
  async get(principal: Principal, recordId: string, version?: number): Promise<RecordResponseDto> {
    return describeRecord(await this.visible(principal, recordId, version));
  }

  async versions(principal: Principal, recordId: string): Promise<RecordResponseDto[]> {
    await this.visible(principal, recordId);
    return (await this.records.versions(recordId)).map(describeRecord);
  }

  async list(handle: string, limit: number): Promise<RecordResponseDto[]> {
    return (await this.records.listForHandle(handle, limit)).map(describeRecord);
  }

  /**
   * The record as stored, only once proven (DESIGN trust model 7): the version rebuilt from the
   * row is a leaf of its batch's root on chain (whatever the row says of its status), the
   * ciphertext opens under the record's key bound to this record and version, and the plaintext
   * hashes to the anchored digest. Any failure is INTEGRITY_MISMATCH, an error log and a metric.
   */
  async content(handle: string, recordId: string, version?: number): Promise<{ record: RecordResponseDto; content: RecordContent }> {
    return this.proven(await this.visible({ kind: 'pseudonym', handle }, recordId, version));
  }

  /** The content of `row`, proven as `content` says; for a caller the row was checked against already (the patient, or a grantee under consent). */
  async proven(row: RecordEntity): Promise<{ record: RecordResponseDto; content: RecordContent }> {
    if (row.status === 'erased' || !row.wrappedKey || !row.cid) throw recordErased(row.recordId);
    await this.assertAnchored(row);

    const sealed = await this.ipfs.get(row.cid).catch((error: unknown) => {
      throw error instanceof NotFoundError ? this.mismatch(row, 'ciphertext') : error;
    });
    let opened: { plaintext: Buffer; digest: Buffer };
    try {
      opened = openRecord(this.keyring, row.wrappedKey, sealed, row.recordId, row.version);
    } catch (error) {
      if (error instanceof DecryptionError) throw this.mismatch(row, 'ciphertext');
      throw error;
    }
    if (!opened.digest.equals(row.sha512)) throw this.mismatch(row, 'digest');
    return { record: describeRecord(row), content: contentOf(opened.plaintext) };
  }

  /**
   * That the version, rebuilt from its row, is a leaf of its batch's root on chain under a
   * trusted anchorer, whatever the row says of its status: 409 while it is not anchored,
   * INTEGRITY_MISMATCH when the row's anchor does not prove.
   */
  async assertAnchored(row: RecordEntity): Promise<void> {
    if (!row.anchorBatchId || !row.anchorProof) throw row.anchorStatus === 'anchored' ? this.mismatch(row, 'anchor') : notAnchored(row);
    if (!(await this.verifier.inBatch(row.anchorBatchId, chainVersionOf(row), row.anchorProof))) throw this.mismatch(row, 'anchor');
  }

  /**
   * Object-level check: a pseudonym sees the records filed under its handle; an account sees
   * what its hospital filed (the metadata only: reading content is the patient's, or a
   * consented grantee's). Anything else is "no such record", so ids cannot be probed.
   */
  async visible(principal: Principal, recordId: string, version?: number): Promise<RecordEntity> {
    const row = await this.records.find(recordId, version);
    if (!row) throw recordNotFound();
    if (principal.kind === 'pseudonym' ? row.patientHandle !== principal.handle : !(await this.filedByHospitalOf(principal, row))) throw recordNotFound();
    return row;
  }

  /** Whether the caller works for the hospital that filed the record (version 1's author: corrections are its own; a tombstone is the gateway's). */
  private async filedByHospitalOf(auth: AccountPrincipal, row: RecordEntity): Promise<boolean> {
    if (auth.role !== Role.Hospital && auth.role !== Role.Doctor) return false;
    const hospital = await this.filing.hospitalOf(auth).catch(() => null);
    const origin = row.version === 1 ? row : await this.records.find(row.recordId, 1);
    return hospital !== null && origin !== null && hospital.toLowerCase() === origin.author.toLowerCase();
  }

  private mismatch(row: RecordEntity, check: IntegrityCheck): ApiError {
    this.metrics.integrityMismatches.inc({ check });
    // The record id and version only: nothing here names the patient or their handle.
    this.logger.error({ event: 'record_integrity_mismatch', alert: 'INTEGRITY_MISMATCH', recordId: row.recordId, version: row.version, check });
    return new ApiError(HttpStatus.BAD_GATEWAY, 'INTEGRITY_MISMATCH', 'The stored record does not match what was anchored for it; it is not returned');
  }
}

function notAnchored(row: RecordEntity): ApiError {
  return row.anchorStatus === 'failed'
    ? new ApiError(HttpStatus.CONFLICT, 'ANCHOR_FAILED', `Record ${row.recordId} could not be anchored (${row.anchorError ?? 'unknown reason'}), so it cannot be served verified`)
    : new ApiError(HttpStatus.CONFLICT, 'ANCHOR_PENDING', `Record ${row.recordId} is not anchored on chain yet; retry once GET /v1/records/${row.recordId} shows it anchored`);
}
