import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { AccountResponseDto } from '../accounts/accounts.dto';
import { AccountsService } from '../accounts/accounts.service';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { LoginDto, PasswordChangeDto, TokenResponseDto } from './auth.dto';
import { AuthService } from './auth.service';
import { SignInRateLimit } from '../common/rate-limits';
import { Authenticated, Public } from './authenticated.decorator';
import { Permission } from './permissions';
import { AccountPrincipal, Principal } from './principal';
import { Auth, AuthAccount } from './principal.decorator';
import { SessionsService } from './sessions.service';

/** Sign-in for accounts and the caller's own session. */
@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with username and password; returns an account token', description: 'For people; hospital systems use API keys. The same answer for an unknown username and a wrong password. After 5 failures in a row a username must wait (429 LOGIN_BACKOFF), and each address has a sign-in limit. Recorded in the security audit trail.' })
  @Public('Sign-in is how a token is obtained')
  @SignInRateLimit()
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Wrong username or password, or a disabled account (UNAUTHENTICATED)' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'This username must wait after failed sign-ins (LOGIN_BACKOFF), or this address signs in too often (RATE_LIMITED); Retry-After says how long' })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Too many passwords are being checked (AUTH_BUSY); Retry-After: 1' })
  async login(@Body() dto: LoginDto, @AuditedBy() context: AuditContext): Promise<TokenResponseDto> {
    return { tokenType: 'Bearer', ...(await this.auth.login(dto.username, dto.password, context)) };
  }

  @Post('password')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Change your own password; every other session of your account ends',
    description: 'Give the current password and a new one (NIST SP 800-63B rules). The answer is a fresh token for this session. Recorded in the security audit trail.',
  })
  @Authenticated({ permission: Permission.SessionRead })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The new password is refused, naming why (VALIDATION_FAILED)' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'The current password is not right (WRONG_PASSWORD)' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'The account signs in with API keys only (NO_PASSWORD)' })
  async changePassword(@AuthAccount() account: AccountPrincipal, @Body() dto: PasswordChangeDto, @AuditedBy() context: AuditContext): Promise<TokenResponseDto> {
    return { tokenType: 'Bearer', ...(await this.auth.changePassword(account.accountId, dto.currentPassword, dto.newPassword, context)) };
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange your token for a new one; the old one ends',
    description:
      'For every bearer token: a person\'s, a patient\'s persona or pseudonym. The new token lasts as long as a fresh one, and refreshing works up to SESSION_MAX_SECONDS (12 h) after the sign-in that started the session; then sign in again (401 SESSION_EXPIRED). Each token refreshes once. Recorded in the security audit trail.',
  })
  @Authenticated({ permission: Permission.SessionRead, principals: ['account', 'pseudonym'] })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'An API key is no session (BEARER_TOKEN_REQUIRED)' })
  async refresh(@Auth() principal: Principal, @Headers('authorization') authorization: string | undefined, @AuditedBy() context: AuditContext): Promise<TokenResponseDto> {
    return { tokenType: 'Bearer', ...(await this.sessions.refresh(principal, authorization, context)) };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End your token now, in every gateway process', description: 'For every bearer token. Other sessions of the same account go on. Recorded in the security audit trail.' })
  @Authenticated({ permission: Permission.SessionRead, principals: ['account', 'pseudonym'] })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'An API key is no session (BEARER_TOKEN_REQUIRED)' })
  logout(@Headers('authorization') authorization: string | undefined, @AuditedBy() context: AuditContext): Promise<void> {
    return this.sessions.logout(authorization, context);
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in account', description: 'Whose token or API key this is: id, role, username.' })
  @Authenticated({ permission: Permission.SessionRead })
  @ApiOkResponse({ type: AccountResponseDto })
  me(@AuthAccount() account: AccountPrincipal): Promise<AccountResponseDto> {
    return this.accounts.get(account.accountId);
  }
}
