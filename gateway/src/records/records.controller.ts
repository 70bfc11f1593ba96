import { Body, Controller, Delete, Get, Headers, Param, ParseIntPipe, ParseUUIDPipe, Post, Query, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiBadGatewayResponse, ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiConsumes, ApiCreatedResponse, ApiGatewayTimeoutResponse, ApiGoneResponse, ApiHeader, ApiNotFoundResponse,
  ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal, Principal, PseudonymPrincipal } from '../auth/principal';
import { Auth, AuthAccount, AuthPseudonym } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ATTACHMENT_MEDIA_TYPES } from './attachment';
import { RecordReads } from './record-reads';
import { served } from './served';
import { RecordContentDto, RecordCorrectionQueryDto, RecordListDto, RecordListQueryDto, RecordResponseDto, RecordUploadQueryDto } from './records.dto';
import { FilingAnswer, RecordsService } from './records.service';

const NOT_FOUND = { type: ErrorResponseDto, description: 'No such record, or not yours (RECORD_NOT_FOUND)' };
const DEPENDENCY_DOWN = { type: ErrorResponseDto, description: 'The database, chain or IPFS does not answer (DATABASE_UNAVAILABLE, CHAIN_UNAVAILABLE, IPFS_UNAVAILABLE); nothing is lost' };
const READERS = { permission: Permission.RecordRead, principals: ['account', 'pseudonym'] as const };
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Any unique string (a UUID): a retry with the same key and the same request gets the first answer again (header Idempotent-Replayed: true) and files nothing twice; the same key with another request is 422 IDEMPOTENCY_KEY_REUSED, a retry while the first still runs 409 IDEMPOTENCY_REQUEST_IN_PROGRESS. Kept a day.',
};
const IDEMPOTENCY_ANSWERS = { type: ErrorResponseDto, description: 'The Idempotency-Key was used for another request (IDEMPOTENCY_KEY_REUSED)' };

/** Sends a create's answer: 201, marked when it replays an earlier request's. */
function answered(reply: FastifyReply, answer: FilingAnswer): RecordResponseDto {
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  return answer.record;
}

@ApiTags('records')
@Controller({ path: 'records', version: '1' })
export class RecordsController {
  constructor(
    private readonly records: RecordsService,
    private readonly reads: RecordReads,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'File a FHIR R4 record for a patient who gave you their filing token',
    description:
      'The body is a FHIR R4 resource or Bundle (`application/fhir+json`), or a file (a PDF or an image: `application/pdf`, `image/jpeg`, `image/png`, `image/tiff`, `application/dicom` or `application/octet-stream`; its type is read from its bytes, anything else is 415 ATTACHMENT_TYPE_NOT_ALLOWED; up to BODY_LIMIT_BYTES; give `clinicalDate`; JPEG and PNG metadata such as EXIF is removed; a file is encrypted but not de-identified: a scan, the text of a PDF or a DICOM header may name the patient). A FHIR body is validated (400 `FHIR_INVALID` lists each problem with its path), de-identified (HIPAA Safe Harbor plus Aadhaar and ABHA numbers: docs/records.md), salted and hashed (SHA-512), encrypted under a key of its own, added to IPFS, and anchored on chain in the next Merkle batch. The answer comes at once with `anchor.status: pending` (or, with `wait=anchored`, once anchored). Only a hospital the consortium\'s authorities hold admitted on chain files: 403 HOSPITAL_NOT_ADMITTED or HOSPITAL_SUSPENDED otherwise.',
  })
  @Authenticated({ permission: Permission.RecordWrite })
  @ApiHeader({ name: 'X-Filing-Token', required: true, description: "The patient's filing token for your hospital (ehrft1.…), made by their EHRChain software" })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiConsumes('application/fhir+json', 'application/json', ...ATTACHMENT_MEDIA_TYPES)
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, effectiveDateTime: '2026-11-30', valueQuantity: { value: 72, unit: '/min' } } } })
  @ApiCreatedResponse({ type: RecordResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not FHIR R4 (FHIR_INVALID, with details.problems), no date of care (CLINICAL_DATE_REQUIRED, CLINICAL_DATE_INVALID), no or malformed filing token (FILING_TOKEN_REQUIRED, FILING_TOKEN_MALFORMED)' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'An identifier sits where it cannot be removed (DEIDENTIFICATION_INCOMPLETE, with details.paths), or removing identifiers leaves invalid FHIR (DEIDENTIFIED_RECORD_INVALID); IDEMPOTENCY_KEY_REUSED' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A request with this Idempotency-Key is still being processed (IDEMPOTENCY_REQUEST_IN_PROGRESS)' })
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'With wait=anchored: the anchor failed (ANCHOR_FAILED)' })
  @ApiGatewayTimeoutResponse({ type: ErrorResponseDto, description: 'With wait=anchored: filed, not anchored within 30 s (ANCHOR_PENDING)' })
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  async file(
    @AuthAccount() auth: AccountPrincipal,
    @Body() body: unknown,
    @Headers('x-filing-token') filingToken: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Query() query: RecordUploadQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordResponseDto> {
    return answered(reply, await this.records.file(auth, body, filingToken, query, idempotencyKey));
  }

  @Post(':recordId/versions')
  @ApiOperation({
    summary: 'Correct a record your hospital filed: a new version, linked to the current one',
    description:
      "The body is the corrected FHIR resource, handled as on filing (validated, de-identified, encrypted, anchored). The version's `previousVersion` on chain is the current version's leaf, so the chain holds the history. No filing token: the patient's token let your hospital file this record. Two corrections at once: one wins, the other is 409 VERSION_CONFLICT. A hospital the authorities suspended corrects nothing until reinstated (403 HOSPITAL_SUSPENDED).",
  })
  @Authenticated({ permission: Permission.RecordWrite })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiConsumes('application/fhir+json', 'application/json')
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { resourceType: 'Observation', status: 'amended', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, effectiveDateTime: '2026-11-30', valueQuantity: { value: 74, unit: '/min' } } } })
  @ApiCreatedResponse({ type: RecordResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Another version was filed meanwhile (VERSION_CONFLICT); IDEMPOTENCY_REQUEST_IN_PROGRESS' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'The patient erased the record (RECORD_ERASED)' })
  @ApiUnprocessableEntityResponse(IDEMPOTENCY_ANSWERS)
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  async correct(
    @AuthAccount() auth: AccountPrincipal,
    @Param('recordId', ParseUUIDPipe) recordId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Query() query: RecordCorrectionQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordResponseDto> {
    return answered(reply, await this.records.correct(auth, recordId, body, query, idempotencyKey));
  }

  @Delete(':recordId')
  @ApiOperation({
    summary: 'Erase your record (DPDP Act 2023): its keys destroyed, its content unpinned, a tombstone on chain',
    description:
      'Every version becomes unreadable for good: the keys that open them are destroyed, the ciphertexts removed from IPFS, and a tombstone version is anchored after the last. Reads answer 410 RECORD_ERASED; the record, its versions and their anchors still show that it existed. Erasing again changes nothing.',
  })
  @Authenticated({ permission: Permission.RecordErase, principals: ['pseudonym'] })
  @ApiOkResponse({ type: RecordResponseDto, description: 'The tombstone version (status erased)' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  erase(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Param('recordId', ParseUUIDPipe) recordId: string): Promise<RecordResponseDto> {
    return this.records.erase(pseudonym.handle, recordId);
  }

  @Get()
  @ApiOperation({
    summary: 'Your records (as the pseudonym of one relationship): the newest version of each, newest care first',
    description: 'What the hospitals of this relationship filed under its handle. Another relationship (another hospital) has another handle and its own list: nothing joins them.',
  })
  @Authenticated({ permission: Permission.RecordRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: RecordListDto })
  async list(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Query() query: RecordListQueryDto): Promise<RecordListDto> {
    return { records: await this.reads.list(pseudonym.handle, query.limit ?? 50) };
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
    return this.reads.get(principal, recordId);
  }

  @Get(':recordId/versions')
  @ApiOperation({ summary: 'Every version of a record, oldest first', description: 'A correction is a new version; each names the leaf hash of the one it replaces (anchor.version.previousVersion), as on chain.' })
  @Authenticated(READERS)
  @ApiOkResponse({ type: [RecordResponseDto] })
  @ApiNotFoundResponse(NOT_FOUND)
  versions(@Auth() principal: Principal, @Param('recordId', ParseUUIDPipe) recordId: string): Promise<RecordResponseDto[]> {
    return this.reads.versions(principal, recordId);
  }

  @Get(':recordId/content')
  @ApiOperation({
    summary: 'Your record, proven: its anchor on chain, its ciphertext and its digest checked before it is returned',
    description: 'The newest version: a FHIR record as JSON ({record, resource}), a file as itself (its type, headers X-Record-Id and X-Record-Version). Any mismatch is 502 INTEGRITY_MISMATCH (and an alert in the logs and metrics), never data.',
  })
  @Authenticated({ permission: Permission.RecordRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: RecordContentDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not anchored yet (ANCHOR_PENDING) or never will be (ANCHOR_FAILED)' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'Erased at your request (RECORD_ERASED)' })
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'What is stored does not prove against the chain, its key or its digest (INTEGRITY_MISMATCH)' })
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  async content(
    @AuthPseudonym() pseudonym: PseudonymPrincipal,
    @Param('recordId', ParseUUIDPipe) recordId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordContentDto | StreamableFile> {
    return served(reply, await this.reads.content(pseudonym.handle, recordId));
  }

  @Get(':recordId/versions/:version/content')
  @ApiOperation({ summary: 'One version of your record, proven as the newest is', description: 'Versions are numbered from 1; an earlier version is proven against its own anchor.' })
  @Authenticated({ permission: Permission.RecordRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: RecordContentDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'Erased at your request (RECORD_ERASED)' })
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'INTEGRITY_MISMATCH' })
  async versionContent(
    @AuthPseudonym() pseudonym: PseudonymPrincipal,
    @Param('recordId', ParseUUIDPipe) recordId: string,
    @Param('version', ParseIntPipe) version: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecordContentDto | StreamableFile> {
    return served(reply, await this.reads.content(pseudonym.handle, recordId, version));
  }
}
