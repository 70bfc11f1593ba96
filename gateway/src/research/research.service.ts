import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { Allowed, ConsentedReads } from '../access/consented-reads';
import { AccountPrincipal } from '../auth/principal';
import { Purpose } from '../chain/typed-messages';
import { ApiError } from '../common/errors';
import { InjectConfig } from '../config/config.module';
import { AppConfig } from '../config/app-config';
import { ConsentLinks } from '../consents/consent-links';
import { FHIR_JSON } from '../records/record-document';
import { RecordReads } from '../records/record-reads';
import { RecordEntity } from '../records/record.entity';
import { RecordStore } from '../records/record.store';
import { categoryName } from '../records/record-categories';
import { generalised, kAnonymous, quasiIdentifiersOf, ResearchRow, withSubjectQuasiIdentifiers } from './quasi-identifiers';
import { ResearchExportDto } from './research.dto';

/** Records considered per patient in one export. */
const RECORDS_PER_SUBJECT = 1000;

/**
 * Research exports (issue 14, point 7, DESIGN "Research"): records of patients who granted the
 * researcher's institution a consent for research (purpose DSRCH), each allowed by the chain's
 * `mayRead` as any read is, proven, then generalised (age band, gender, region; dates to the
 * year; no Patient resource; an id per patient for this export only), with groups of fewer than
 * k patients suppressed. Every record released is logged on chain, as every read is; suppressed
 * ones are not released, so not logged.
 */
@Injectable()
export class ResearchService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly records: RecordStore,
    private readonly reads: RecordReads,
    private readonly consented: ConsentedReads,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async export(auth: AccountPrincipal, requestedK?: number): Promise<ResearchExportDto> {
    const k = Math.max(this.config.researchKAnonymity, requestedK ?? 0);
    const institution = await this.institutionOf(auth);
    const links = await ConsentLinks.active(this.db.manager, { grantee: institution });
    const thisYear = new Date().getUTCFullYear();
    const subjects = new Map<string, string>();
    const candidates: ResearchRow<{ row: RecordEntity; allowed: Allowed; resource: object }>[] = [];
    let skippedFiles = 0;
    for (const link of links) {
      for (const row of await this.records.listForHandle(link.recordHandle, RECORDS_PER_SUBJECT)) {
        if (row.status === 'erased') continue;
        if (row.contentType !== FHIR_JSON) {
          skippedFiles++;
          continue;
        }
        const allowed = await this.consented.allowed(institution, row, Purpose.DSRCH).catch((error: unknown) => {
          if (error instanceof ApiError && error.getStatus() === HttpStatus.FORBIDDEN) return null;
          throw error;
        });
        if (!allowed || allowed.relationshipHandle !== link.relationshipHandle) continue;
        const { content } = await this.reads.proven(row);
        if (!('resource' in content)) continue;
        const resource = content.resource as object;
        // An id for this export only: random, so two exports cannot be joined by it.
        if (!subjects.has(link.relationshipHandle)) subjects.set(link.relationshipHandle, `subject-${randomBytes(6).toString('hex')}`);
        candidates.push({ subject: subjects.get(link.relationshipHandle)!, qi: quasiIdentifiersOf(resource, thisYear), item: { row, allowed, resource } });
      }
    }
    const { released, report } = kAnonymous(shuffled(withSubjectQuasiIdentifiers(candidates)), k);
    if (released.length > 0) await this.consented.logReleases(auth, institution, Purpose.DSRCH, released.map(({ item }) => item));
    return {
      report: { ...report, subjects: subjects.size, releasedRecords: released.length, skippedFiles },
      rows: released.map(({ subject, qi, item }) => ({
        subject, ...qi, category: categoryName(item.row.category), year: Number(item.row.clinicalDate.slice(0, 4)), resource: generalised(item.resource) ?? {},
      })),
    };
  }

  /** The researcher's institution: the consortium member (a hospital account) patients grant research consents to. */
  private async institutionOf(auth: AccountPrincipal): Promise<string> {
    const account = await this.db.manager.findOneBy(AccountEntity, { id: auth.accountId });
    const institution = account?.hospitalId ? await this.db.manager.findOneBy(AccountEntity, { id: account.hospitalId }) : null;
    if (!institution?.chainAddress || institution.disabledAt) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'NO_RESEARCH_INSTITUTION', 'Your account belongs to no consortium member (hospitalId): patients grant research consents to an institution');
    }
    return institution.chainAddress;
  }
}

/** The rows in a random order: the order records were read in (link by link) says nothing. */
function shuffled<T>(rows: T[]): T[] {
  for (let i = rows.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows;
}
