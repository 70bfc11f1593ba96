import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan } from 'typeorm';
import { accountNames } from '../accounts/chain-address';
import { AccessKind } from '../chain/access-log';
import { RecordEntity } from '../records/record.entity';
import { AccessEntryEntity } from './access-entry.entity';
import { AccessEntryResponseDto, PseudonymousAccessEntryDto } from './access.dto';
import { purposeCode } from './purposes';

const CSV_COLUMNS = ['accessedAt', 'recordId', 'version', 'readerName', 'reader', 'purpose', 'kind', 'authorizationId', 'status', 'block', 'txHash'] as const;

/**
 * Who read a patient's records (DESIGN trust model 6), for the patient: every release of a record
 * filed under their pseudonym, or made under it, newest first, with where it is on chain. The
 * entry on chain is the proof; `loggedRecordId`, `relationship` and `txHash` find it there.
 */
@Injectable()
export class AccessLogService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async forPatient(handle: string, limit: number): Promise<AccessEntryResponseDto[]> {
    const rows = await this.db.manager
      .createQueryBuilder(AccessEntryEntity, 'e')
      .where(`e.record_id IN (${this.db.manager.createQueryBuilder(RecordEntity, 'r').select('r.record_id').where('r.patient_handle = :handle').getQuery()})`)
      .orWhere('e.relationship_handle = :handle')
      .setParameter('handle', handle)
      .orderBy('e.accessed_at', 'DESC')
      .take(limit)
      .getMany();
    return this.describe(rows);
  }

  /**
   * Every release, newest first, as the authorities audit them (`before`: older than that instant,
   * to page): under the relationship's handle with the record id blinded, as on chain. No record
   * id or salt: the whole picture, pseudonymous.
   */
  async forAuthorities(limit: number, before?: Date): Promise<PseudonymousAccessEntryDto[]> {
    const rows = await this.db.manager.find(AccessEntryEntity, { where: before ? { accessedAt: LessThan(before) } : {}, order: { accessedAt: 'DESC' }, take: limit });
    return (await this.describe(rows)).map(({ recordId: _recordId, version: _version, blindingSalt: _salt, ...pseudonymous }) => pseudonymous);
  }

  private async describe(rows: AccessEntryEntity[]): Promise<AccessEntryResponseDto[]> {
    const names = await accountNames(this.db, rows.map((row) => row.readerAccount));
    return rows.map((row) => ({
      id: row.id, recordId: row.recordId, version: row.version, reader: row.reader, readerName: names.get(row.readerAccount) ?? 'unknown account',
      purpose: purposeCode(row.purpose), kind: row.kind === AccessKind.Emergency ? 'emergency' : 'consent', authorizationId: row.authorizationId,
      relationship: row.relationshipHandle, loggedRecordId: row.loggedRecordId, blindingSalt: row.blindingSalt, accessedAt: row.accessedAt, status: row.status, txHash: row.txHash,
      block: row.block === null ? null : Number(row.block),
    }));
  }

  /** The same entries as CSV (RFC 4180), for the patient to keep. */
  async csvForPatient(handle: string, limit: number): Promise<string> {
    const entries = await this.forPatient(handle, limit);
    const lines = entries.map((entry) => CSV_COLUMNS.map((column) => csvField(column === 'accessedAt' ? entry.accessedAt.toISOString() : entry[column])).join(','));
    return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
  }
}

/** A CSV field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ defused (spreadsheet formulas). */
function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
