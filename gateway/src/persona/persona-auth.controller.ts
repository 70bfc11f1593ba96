import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { Public } from '../auth/authenticated.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SignInRateLimit } from '../common/rate-limits';
import { OneTimeCodeSentDto, PersonaCodeConfirmDto, PersonaSignInCodeCreateDto, PersonaTokenDto } from './persona.dto';
import { PersonaSignInService } from './persona-sign-in.service';

/** A patient signs in as their persona (identity matters) with a one-time code. */
@ApiTags('auth')
@Controller({ path: 'auth/persona', version: '1' })
export class PersonaAuthController {
  constructor(private readonly signIn: PersonaSignInService) {}

  @Post('codes')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a one-time code to the mobile number of a registered patient',
    description: 'The answer is the same whether or not the number is registered: it never tells who uses the service. At most 5 per number an hour.',
  })
  @Public('Asking for a code is how a persona signs in')
  @SignInRateLimit()
  @ApiAcceptedResponse({ type: OneTimeCodeSentDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'VERIFICATIONS_RATE_LIMITED' })
  sendCode(@Body() dto: PersonaSignInCodeCreateDto): Promise<OneTimeCodeSentDto> {
    return this.signIn.sendCode(dto.aadhaar);
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange the code for a persona token', description: 'Recorded in the security audit trail.' })
  @Public('Signing in is how a persona token is obtained')
  @SignInRateLimit()
  @ApiOkResponse({ type: PersonaTokenDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'CODE_INVALID: wrong, expired, used, superseded or out of tries (one answer for all, so it never tells whether a code was sent); nothing changed; ACCOUNT_DISABLED' })
  token(@Body() dto: PersonaCodeConfirmDto, @AuditedBy() context: AuditContext): Promise<PersonaTokenDto> {
    return this.signIn.token(dto.id, dto.code, context);
  }
}
