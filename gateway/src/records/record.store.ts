import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { markRowsAnchored, markRowsFailed, VersionAnchor } from '../anchoring/anchor-columns';
import { RecordEntity, RecordStatus } from './record.entity';

/** A version's outbox ref: `<record id>:<version>`. */
export const versionRef = (recordId: string, version: number): string => `${recordId}:${version}`;
const VERSION_KEY = `(t.record_id, t.version) = (split_part($ref, ':', 1)::uuid, split_part($ref, ':', 2)::integer)`;

export type NewRecordVersion = Omit<RecordEntity, 'createdAt' | 'status' | 'anchorStatus' | 'anchorBatchId' | 'anchorProof' | 'anchorAuthor' | 'anchorTxHash' | 'anchoredBlock' | 'anchorError'>;

/** The records table: queries only. */
@Injectable()
export class RecordStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Inserts the version (a plain INSERT … RETURNING: `save` would first SELECT by key) and returns the row as stored. */
  async insert(manager: EntityManager, values: NewRecordVersion, status: RecordStatus = 'current'): Promise<RecordEntity> {
    const row = manager.create(RecordEntity, {
      ...values, status, anchorStatus: 'pending', anchorBatchId: null, anchorProof: null, anchorAuthor: null, anchorTxHash: null, anchoredBlock: null, anchorError: null,
    });
    await manager.insert(RecordEntity, row);
    return row;
  }

  /** Every version of a record, oldest first, locked until the transaction ends (a correction or an erasure at a time). */
  lockVersions(manager: EntityManager, recordId: string): Promise<RecordEntity[]> {
    return manager.find(RecordEntity, { where: { recordId }, order: { version: 'ASC' }, lock: { mode: 'pessimistic_write' } });
  }

  async supersede(manager: EntityManager, recordId: string, version: number): Promise<void> {
    await manager.update(RecordEntity, { recordId, version }, { status: 'superseded' });
  }

  /** Crypto-shredding: every version's key is dropped, so no copy of its ciphertext can be opened again. */
  async destroyKeys(manager: EntityManager, recordId: string): Promise<void> {
    await manager.update(RecordEntity, { recordId }, { wrappedKey: null, keyId: null, status: 'erased' });
  }

  /** The newest version of a record, or a given one. */
  find(recordId: string, version?: number, manager: EntityManager = this.db.manager): Promise<RecordEntity | null> {
    return version === undefined
      ? manager.findOne(RecordEntity, { where: { recordId }, order: { version: 'DESC' } })
      : manager.findOneBy(RecordEntity, { recordId, version });
  }

  /** Every version of a record, oldest first. */
  versions(recordId: string): Promise<RecordEntity[]> {
    return this.db.manager.find(RecordEntity, { where: { recordId }, order: { version: 'ASC' } });
  }

  /** The newest version of each of a handle's records (an erased record's tombstone), newest care first. */
  listForHandle(patientHandle: string, limit: number): Promise<RecordEntity[]> {
    return this.db.manager
      .createQueryBuilder(RecordEntity, 'r')
      .where('r.patient_handle = :patientHandle', { patientHandle })
      .andWhere('r.version = (SELECT max(v.version) FROM records v WHERE v.record_id = r.record_id)')
      .orderBy('r.clinical_date', 'DESC')
      .addOrderBy('r.created_at', 'DESC')
      .take(limit)
      .getMany();
  }

  markAnchored(manager: EntityManager, anchors: readonly VersionAnchor[]): Promise<void> {
    return markRowsAnchored(manager, 'records', VERSION_KEY, anchors);
  }

  markFailed(manager: EntityManager, refs: readonly string[], reason: string): Promise<void> {
    return markRowsFailed(manager, 'records', VERSION_KEY, refs, reason);
  }
}
