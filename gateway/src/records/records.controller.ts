import { Body, Controller, Get, Headers, Param, ParseIntPipe, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse, ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiConsumes, ApiCreatedResponse, ApiGatewayTimeoutResponse, ApiHeader, ApiNotFoundResponse,
  ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal, Principal, PseudonymPrincipal } from '../auth/principal';
import { Auth, AuthAccount, AuthPseudonym } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { RecordContentDto, RecordListDto, RecordListQueryDto, RecordResponseDto, RecordUploadQueryDto } from './records.dto';
import { RecordsService } from './records.service';

const NOT_FOUND = { type: ErrorResponseDto, description: 'No such record, or not yours (RECORD_NOT_FOUND)' };
const DEPENDENCY_DOWN = { type: ErrorResponseDto, description: 'The database, chain or IPFS does not answer (DATABASE_UNAVAILABLE, CHAIN_UNAVAILABLE, IPFS_UNAVAILABLE); nothing is lost' };
const READERS = { permission: Permission.RecordRead, principals: ['account', 'pseudonym'] as const };

@ApiTags('records')
@Controller({ path: 'records', version: '1' })
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Post()
  @ApiOperation({
    summary: 'File a FHIR R4 record for a patient who gave you their filing token',
    description:
      'The body is a FHIR R4 resource or Bundle (`application/fhir+json`). It is validated (400 `FHIR_INVALID` lists each problem with its path), de-identified (HIPAA Safe Harbor plus Aadhaar and ABHA numbers: docs/records.md), salted and hashed (SHA-512), encrypted under a key of its own, added to IPFS, and anchored on chain in the next Merkle batch. The answer comes at once with `anchor.status: pending` (or, with `wait=anchored`, once anchored).',
  })
  @Authenticated({ permission: Permission.RecordWrite })
  @ApiHeader({ name: 'X-Filing-Token', required: true, description: "The patient's filing token for your hospital (ehrft1.…), made by their EHRChain software" })
  @ApiConsumes('application/fhir+json', 'application/json')
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, effectiveDateTime: '2026-11-30', valueQuantity: { value: 72, unit: '/min' } } } })
  @ApiCreatedResponse({ type: RecordResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not FHIR R4 (FHIR_INVALID, with details.problems), no date of care (CLINICAL_DATE_REQUIRED, CLINICAL_DATE_INVALID), no or malformed filing token (FILING_TOKEN_REQUIRED, FILING_TOKEN_MALFORMED)' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'An identifier sits where it cannot be removed (DEIDENTIFICATION_INCOMPLETE, with details.paths), or removing identifiers leaves invalid FHIR (DEIDENTIFIED_RECORD_INVALID)' })
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'With wait=anchored: the anchor failed (ANCHOR_FAILED)' })
  @ApiGatewayTimeoutResponse({ type: ErrorResponseDto, description: 'With wait=anchored: filed, not anchored within 30 s (ANCHOR_PENDING)' })
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  upload(
    @AuthAccount() auth: AccountPrincipal,
    @Body() body: unknown,
    @Headers('x-filing-token') filingToken: string | undefined,
    @Query() query: RecordUploadQueryDto,
  ): Promise<RecordResponseDto> {
    return this.records.upload(auth, body, filingToken, query);
  }

  @Get()
  @ApiOperation({
    summary: 'Your records (as the pseudonym of one relationship): the newest version of each, newest care first',
    description: 'What the hospitals of this relationship filed under its handle. Another relationship (another hospital) has another handle and its own list: nothing joins them.',
  })
  @Authenticated({ permission: Permission.RecordRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: RecordListDto })
  async list(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Query() query: RecordListQueryDto): Promise<RecordListDto> {
    return { records: await this.records.list(pseudonym.handle, query.limit ?? 50) };
  }

  @Get(':recordId')
  @ApiOperation({
    summary: "A record's newest version: digest, CID, anchor status and, once anchored, the Merkle proof",
    description: 'For the patient (their pseudonym) and for the hospital that filed it (its system and its doctors). `anchor.version` and `anchor.proof` check against RecordAnchors.verifyRecord on chain.',
  })
  @Authenticated(READERS)
  @ApiOkResponse({ type: RecordResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  get(@Auth() principal: Principal, @Param('recordId', ParseUUIDPipe) recordId: string): Promise<RecordResponseDto> {
    return this.records.get(principal, recordId);
  }

  @Get(':recordId/versions')
  @ApiOperation({ summary: 'Every version of a record, oldest first', description: 'A correction is a new version; each names the leaf hash of the one it replaces (anchor.version.previousVersion), as on chain.' })
  @Authenticated(READERS)
  @ApiOkResponse({ type: [RecordResponseDto] })
  @ApiNotFoundResponse(NOT_FOUND)
  versions(@Auth() principal: Principal, @Param('recordId', ParseUUIDPipe) recordId: string): Promise<RecordResponseDto[]> {
    return this.records.versions(principal, recordId);
  }

  @Get(':recordId/content')
  @ApiOperation({
    summary: 'Your record, proven: its anchor on chain, its ciphertext and its digest checked before it is returned',
    description: 'The newest version. Any mismatch is 502 INTEGRITY_MISMATCH (and an alert in the logs and metrics), never data.',
  })
  @Authenticated({ permission: Permission.RecordRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: RecordContentDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not anchored yet (ANCHOR_PENDING) or never will be (ANCHOR_FAILED)' })
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'What is stored does not prove against the chain, its key or its digest (INTEGRITY_MISMATCH)' })
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  content(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Param('recordId', ParseUUIDPipe) recordId: string): Promise<RecordContentDto> {
    return this.records.content(pseudonym.handle, recordId);
  }

  @Get(':recordId/versions/:version/content')
  @ApiOperation({ summary: 'One version of your record, proven as the newest is', description: 'Versions are numbered from 1; an earlier version is proven against its own anchor.' })
  @Authenticated({ permission: Permission.RecordRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: RecordContentDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'INTEGRITY_MISMATCH' })
  versionContent(
    @AuthPseudonym() pseudonym: PseudonymPrincipal,
    @Param('recordId', ParseUUIDPipe) recordId: string,
    @Param('version', ParseIntPipe) version: number,
  ): Promise<RecordContentDto> {
    return this.records.content(pseudonym.handle, recordId, version);
  }
}
