import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { In } from 'typeorm';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal, Principal, PseudonymPrincipal } from '../auth/principal';
import { Auth, AuthAccount, AuthPseudonym } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import {
  ConsentApprovalDto, ConsentDenialDto, ConsentRequestDraftDto, ConsentRequestDraftResponseDto, ConsentRequestResponseDto,
} from './consent-requests.dto';
import { DoctorSignatureDto, RequestSubmitQueryDto } from '../common/signed-request.dto';
import { ConsentRequestsService } from './consent-requests.service';
import { ConsentMessageResponseDto, RelayQueryDto } from './consents.dto';

const REFUSED = { type: ErrorResponseDto, description: "The chain would refuse it (CHAIN_WOULD_REVERT, with the contract's error); nothing was queued" };

/** Doctors ask for a patient's consent; patients approve or deny with messages their software signs. */
@ApiTags('consents')
@Controller({ path: 'consent-requests', version: '1' })
export class ConsentRequestsController {
  constructor(private readonly requests: ConsentRequestsService) {}

  @Post()
  @ApiOperation({
    summary: "Ask a patient for consent: step 1, the request to sign",
    description: "Name the patient by their relationship with you (the handle their software registered and gave you). Answers the EIP-712 ConsentRequest to sign with your practitioner key.",
  })
  @Authenticated({ permission: Permission.ConsentRequest })
  @ApiCreatedResponse({ type: ConsentRequestDraftResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No relationship with this handle is registered (PATIENT_NOT_FOUND)' })
  draft(@AuthAccount() account: AccountPrincipal, @Body() dto: ConsentRequestDraftDto): Promise<ConsentRequestDraftResponseDto> {
    return this.requests.draft(account, dto);
  }

  @Post(':id/signature')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ask a patient for consent: step 2, your signature (relayed to the chain)', description: 'Simulated on chain, then queued; the patient sees it once it is on chain.' })
  @Authenticated({ permission: Permission.ConsentRequest })
  @ApiOkResponse({ type: ConsentRequestResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'CONSENT_REQUEST_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'CONSENT_REQUEST_ALREADY_SIGNED' })
  @ApiUnprocessableEntityResponse(REFUSED)
  submit(
    @AuthAccount() account: AccountPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: DoctorSignatureDto,
    @Query() query: RequestSubmitQueryDto,
  ): Promise<ConsentRequestResponseDto> {
    return this.requests.submit(account, id, dto.signature, query.wait === 'requested');
  }

  @Get()
  @ApiOperation({
    summary: 'Consent requests: yours (a doctor), or those asking you (a patient)',
    description: "A doctor sees the requests they made; a patient, signed in as their relationship with a doctor, sees that doctor's requests, with their state on chain.",
  })
  @Authenticated({ permission: Permission.ConsentRequestRead, principals: ['account', 'pseudonym'] })
  @ApiOkResponse({ type: [ConsentRequestResponseDto] })
  list(@Auth() principal: Principal): Promise<ConsentRequestResponseDto[]> {
    // A patient sees what doctors signed, not their drafts.
    return this.requests.list(principal.kind === 'pseudonym' ? { patientHandle: principal.handle, status: In(['queued', 'requested']) } : { doctorAccount: principal.accountId });
  }

  @Post(':id/approval')
  @ApiOperation({
    summary: 'Approve a consent request (relayed)',
    description:
      "Signed in as the pseudonym whose records you share, send the ConsentApproval your software signed with the key of your relationship with the doctor: it names the request's number, you and the doctor, and what you grant (what was asked, or less).",
  })
  @Authenticated({ permission: Permission.ConsentWrite, principals: ['pseudonym'] })
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'CONSENT_REQUEST_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'CONSENT_REQUEST_NOT_ON_CHAIN' })
  @ApiUnprocessableEntityResponse(REFUSED)
  approve(
    @AuthPseudonym() pseudonym: PseudonymPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ConsentApprovalDto,
    @Query() query: RelayQueryDto,
  ): Promise<ConsentMessageResponseDto> {
    return this.requests.approve(pseudonym, id, dto, query.wait === 'applied');
  }

  @Post(':id/denial')
  @ApiOperation({ summary: 'Deny a consent request (relayed)', description: 'The ConsentDenial your software signed with the key of your relationship with the doctor.' })
  @Authenticated({ permission: Permission.ConsentWrite, principals: ['pseudonym'] })
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'CONSENT_REQUEST_NOT_FOUND' })
  @ApiUnprocessableEntityResponse(REFUSED)
  deny(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ConsentDenialDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.requests.deny(id, dto, query.wait === 'applied');
  }
}
