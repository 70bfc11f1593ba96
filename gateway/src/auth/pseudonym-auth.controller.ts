import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { ErrorResponseDto } from '../common/error-response.dto';
import { TokenResponseDto } from './auth.dto';
import { SignInRateLimit } from '../common/rate-limits';
import { Authenticated, Public } from './authenticated.decorator';
import { Permission } from './permissions';
import { PseudonymChallengeCreateDto, PseudonymChallengeResponseDto, PseudonymSessionResponseDto, PseudonymTokenCreateDto } from './pseudonym-auth.dto';
import { PseudonymAuthService } from './pseudonym-auth.service';
import { PseudonymPrincipal } from './principal';
import { AuthPseudonym } from './principal.decorator';

const REFUSED = 'CHALLENGE_INVALID, CHALLENGE_EXPIRED, CHALLENGE_USED, PSEUDONYM_UNKNOWN or SIGNATURE_INVALID; nothing changed';

/** A patient signs in as their pseudonym (records, consents, audit), never as an account. */
@ApiTags('auth')
@Controller({ path: 'auth/pseudonym', version: '1' })
export class PseudonymAuthController {
  constructor(private readonly pseudonyms: PseudonymAuthService) {}

  @Post('challenge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Get a single-use challenge and the EIP-712 message to sign with the handle\'s consent key', description: 'Stores nothing: the challenge is random and carries its own MAC, valid for 5 minutes and for this handle only.' })
  @Public('Asking for a challenge is how a pseudonym signs in; it stores nothing')
  @SignInRateLimit()
  @ApiOkResponse({ type: PseudonymChallengeResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed handle (VALIDATION_FAILED)' })
  challenge(@Body() dto: PseudonymChallengeCreateDto): PseudonymChallengeResponseDto {
    return this.pseudonyms.challenge(dto.handle);
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a signed challenge for a pseudonym token (15 minutes)', description: "Accepted once the signer is the handle's consent key on chain (ConsentManager.signerOf); each challenge works once. The token names the handle, never an account." })
  @Public('Signing in is how a pseudonym token is obtained')
  @SignInRateLimit()
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed field (VALIDATION_FAILED)' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: REFUSED })
  token(@Body() dto: PseudonymTokenCreateDto, @AuditedBy() context: AuditContext): Promise<TokenResponseDto> {
    return this.pseudonyms.token(dto, context);
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in pseudonym', description: 'The handle this pseudonym token names and when it expires.' })
  @Authenticated({ permission: Permission.SessionRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: PseudonymSessionResponseDto })
  me(@AuthPseudonym() pseudonym: PseudonymPrincipal): PseudonymSessionResponseDto {
    return this.pseudonyms.session(pseudonym);
  }
}
