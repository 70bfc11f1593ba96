import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { Public } from '../auth/authenticated.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SignInRateLimit } from '../common/rate-limits';
import { OneTimeCodeDto, OneTimeCodeSentDto, PatientRegistrationCreateDto, PersonaTokenDto } from './persona.dto';
import { PersonaService } from './persona.service';

/** Patients register themselves: eKYC demographic match, then a one-time code to the mobile on their Aadhaar record. */
@ApiTags('patients')
@Controller({ path: 'patients/registrations', version: '1' })
export class PatientsController {
  constructor(private readonly personas: PersonaService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start registering as a patient: a one-time code goes to the mobile number on your Aadhaar record',
    description:
      'Your name, year of birth and gender are matched against the Aadhaar record by the eKYC provider; the Aadhaar number (or VID) is checked first. The code works for 5 minutes and 3 tries; starting again sends a new one. At most 5 verifications per number an hour. A number registered already gets the same answer, and its mobile a message saying so instead of a code.',
  })
  @Public('Patients register themselves; eKYC and a one-time code prove who they are')
  @SignInRateLimit()
  @ApiAcceptedResponse({ type: OneTimeCodeSentDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'The details do not match the Aadhaar record (IDENTITY_MISMATCH)' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many verifications for this number this hour (VERIFICATIONS_RATE_LIMITED)' })
  start(@Body() dto: PatientRegistrationCreateDto): Promise<OneTimeCodeSentDto> {
    return this.personas.startRegistration(dto);
  }

  @Post(':id/confirm')
  @ApiOperation({ summary: 'Confirm the registration with the code: your persona is made and signed in', description: 'Answers a persona token (identity matters only). Recorded in the security audit trail.' })
  @Public('The one-time code is the credential')
  @SignInRateLimit()
  @ApiCreatedResponse({ type: PersonaTokenDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'CODE_INVALID: wrong, expired, used, superseded or out of tries (one answer for all, so it never tells whether a code was sent); nothing changed' })
  confirm(@Param('id', ParseUUIDPipe) id: string, @Body() dto: OneTimeCodeDto, @AuditedBy() context: AuditContext): Promise<PersonaTokenDto> {
    return this.personas.confirmRegistration(id, dto.code, context);
  }
}
