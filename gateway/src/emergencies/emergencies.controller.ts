import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { In } from 'typeorm';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal, Principal } from '../auth/principal';
import { Auth, AuthAccount } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { DoctorSignatureDto, RequestSubmitQueryDto } from '../common/signed-request.dto';
import { EmergencyDraftDto, EmergencyDraftResponseDto, EmergencyResponseDto } from './emergencies.dto';
import { EmergenciesService } from './emergencies.service';

/** Break-glass access: doctors ask, k of n authorities approve on chain, patients see it at once. */
@ApiTags('emergencies')
@Controller({ path: 'emergencies', version: '1' })
export class EmergenciesController {
  constructor(private readonly emergencies: EmergenciesService) {}

  @Post()
  @ApiOperation({
    summary: "Ask for emergency access to a patient's records: step 1, the request to sign",
    description:
      "For records filed under the patient's pseudonym. Answers the EIP-712 message (EmergencyAccess `EmergencyRequest`: the patient as named on chain, the salted commitment to your reason, the duration, your nonce, a deadline) to sign with your practitioner key. Nothing is on chain yet.",
  })
  @Authenticated({ permission: Permission.EmergencyRequest })
  @ApiCreatedResponse({ type: EmergencyDraftResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No records are filed under this pseudonym (PATIENT_NOT_FOUND)' })
  draft(@AuthAccount() account: AccountPrincipal, @Body() dto: EmergencyDraftDto): Promise<EmergencyDraftResponseDto> {
    return this.emergencies.draft(account, dto);
  }

  @Post(':id/signature')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ask for emergency access: step 2, your signature (relayed to the chain)',
    description:
      'Checked by simulating the request on chain, then queued. k of the consortium authorities approve it on chain, with their own keys; once granted, read with `GET /v1/access/records/{id}?purpose=BTG` until it expires. The patient sees the request at once.',
  })
  @Authenticated({ permission: Permission.EmergencyRequest })
  @ApiOkResponse({ type: EmergencyResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'EMERGENCY_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'EMERGENCY_ALREADY_SIGNED' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'The chain would refuse it (CHAIN_WOULD_REVERT: a signature by another key, a used nonce, not an active doctor)' })
  submit(
    @AuthAccount() account: AccountPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: DoctorSignatureDto,
    @Query() query: RequestSubmitQueryDto,
  ): Promise<EmergencyResponseDto> {
    return this.emergencies.submit(account, id, dto.signature, query.wait === 'requested');
  }

  @Get()
  @ApiOperation({
    summary: 'Emergency requests: yours (a doctor), or those for your records (a patient)',
    description: "A doctor sees their own requests; a patient, signed in as the pseudonym their records are filed under, sees every request for them with its reason, its doctor and its state on chain.",
  })
  @Authenticated({ permission: Permission.EmergencyRead, principals: ['account', 'pseudonym'] })
  @ApiOkResponse({ type: [EmergencyResponseDto] })
  list(@Auth() principal: Principal): Promise<EmergencyResponseDto[]> {
    return this.emergencies.list(principal.kind === 'pseudonym' ? { recordHandle: principal.handle } : { doctorAccount: principal.accountId });
  }

  @Get('review')
  @ApiOperation({
    summary: 'Every emergency request, for the authorities',
    description: 'Newest first, with its reason and the salt that checks it against the commitment on chain, its doctor and its state. Approve or deny on chain with your authority key (EmergencyAccess.approve / deny).',
  })
  @Authenticated({ permission: Permission.EmergencyReview })
  @ApiOkResponse({ type: [EmergencyResponseDto] })
  review(): Promise<EmergencyResponseDto[]> {
    return this.emergencies.list({ status: In(['queued', 'requested']) }, { withRecordsHandle: false });
  }
}
