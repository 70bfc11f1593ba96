import { Controller, Get, Header, Param, ParseUUIDPipe, Query, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBadGatewayResponse, ApiForbiddenResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal, PseudonymPrincipal } from '../auth/principal';
import { AuthAccount, AuthPseudonym } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { RecordContentDto } from '../records/records.dto';
import { served } from '../records/served';
import { AccessAuditQueryDto, AccessEntryResponseDto, AccessLogQueryDto, ConsentedReadQueryDto, GrantedPatientDto, PseudonymousAccessEntryDto } from './access.dto';
import { AccessLogService } from './access-log.service';
import { ConsentedReads } from './consented-reads';
import { purposeIndex } from './purposes';

const REFUSALS =
  'Not allowed, and why: CONSENT_REQUIRED (no consent from the patient), CONSENT_REVOKED, CONSENT_EXPIRED, CONSENT_CATEGORY_NOT_COVERED, CONSENT_PURPOSE_NOT_COVERED, CONSENT_DATE_NOT_COVERED, CONSENT_RECORD_NOT_COVERED, CONSENT_NOT_IN_FORCE (membership or a key recovery), PRESCRIPTIONS_ONLY (pharmacists), NO_CHAIN_ADDRESS; with purpose BTG, EMERGENCY_NOT_GRANTED';
const DEFAULT_LIMIT = 200;

/** Reads by others than the patient, under the patient's consent, each logged on chain; and the patient's view of them. */
@ApiTags('access')
@Controller({ version: '1' })
export class AccessController {
  constructor(
    private readonly reads: ConsentedReads,
    private readonly accessLog: AccessLogService,
  ) {}

  @Get('access/patients')
  @ApiOperation({
    summary: 'Patients who granted you a consent, and the records it covers now',
    description: 'By relationship (a pseudonymous handle per patient and grantee): the consent as the chain says it now and, while it is active, the records in its scope.',
  })
  @Authenticated({ permission: Permission.RecordReadConsented })
  @ApiOkResponse({ type: [GrantedPatientDto] })
  patients(@AuthAccount() account: AccountPrincipal): Promise<GrantedPatientDto[]> {
    return this.reads.patients(account);
  }

  @Get('access/records/:recordId')
  @ApiOperation({
    summary: "Read a patient's record under their consent (logged on chain)",
    description:
      "Allowed when the chain's ConsentManager.mayRead says so now for you, the record (its category, date, id) and the purpose you state: a revocation counts from the block that includes it. With purpose BTG (break-the-glass), allowed instead by an emergency request of yours that k authorities granted (POST /v1/emergencies), until it expires. The record is proven as the patient's own reads are (anchor, ciphertext, digest). The read is logged (reader, record blinded for the relationship, purpose, consent id) through the outbox before the answer is sent, and reaches AccessLog in the next batch even if the gateway stops right after.",
  })
  @Authenticated({ permission: Permission.RecordReadConsented })
  @ApiOkResponse({ type: RecordContentDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: REFUSALS })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such record (RECORD_NOT_FOUND)' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'Erased at the patient\'s request (RECORD_ERASED)' })
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'INTEGRITY_MISMATCH' })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'The chain, database or IPFS does not answer; nothing is released unlogged' })
  async read(
    @AuthAccount() account: AccountPrincipal,
    @Param('recordId', ParseUUIDPipe) recordId: string,
    @Query() query: ConsentedReadQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordContentDto | StreamableFile> {
    return served(reply, await this.reads.read(account, recordId, purposeIndex(query.purpose)));
  }

  @Get('access-log')
  @ApiOperation({
    summary: 'Who read your records, when, for what',
    description: "Signed in as the pseudonym your records are filed under (or the relationship a read was made under): every release to someone else, newest first, with the block and transaction of its AccessLog entry (status pending until the batch is mined).",
  })
  @Authenticated({ permission: Permission.AccessLogRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: [AccessEntryResponseDto] })
  log(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Query() query: AccessLogQueryDto): Promise<AccessEntryResponseDto[]> {
    return this.accessLog.forPatient(pseudonym.handle, query.limit ?? DEFAULT_LIMIT);
  }

  @Get('access-log/all')
  @ApiOperation({
    summary: 'Every release of a record, pseudonymous: the authorities\' audit',
    description: "Newest first, pages with `before`: the reader, the relationship's handle, the record id blinded as on chain, the purpose, the consent or emergency, where it is on chain (or pending). Nothing names a record or joins a patient's relationships; the chain's AccessLog events say the same.",
  })
  @Authenticated({ permission: Permission.AccessLogAudit })
  @ApiOkResponse({ type: [PseudonymousAccessEntryDto] })
  all(@Query() query: AccessAuditQueryDto): Promise<PseudonymousAccessEntryDto[]> {
    return this.accessLog.forAuthorities(query.limit ?? DEFAULT_LIMIT, query.before);
  }

  @Get('access-log/export')
  @ApiOperation({ summary: 'Who read your records, as CSV', description: 'The same entries as GET /v1/access-log, one line each (RFC 4180).' })
  @Authenticated({ permission: Permission.AccessLogRead, principals: ['pseudonym'] })
  @ApiProduces('text/csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="access-log.csv"')
  @ApiOkResponse({ description: 'text/csv: accessedAt, recordId, version, readerName, reader, purpose, kind, authorizationId, status, block, txHash' })
  export(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Query() query: AccessLogQueryDto): Promise<string> {
    return this.accessLog.csvForPatient(pseudonym.handle, query.limit ?? DEFAULT_LIMIT);
  }
}
