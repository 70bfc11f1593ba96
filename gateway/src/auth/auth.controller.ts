import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse,
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
import { AccountPrincipal } from './principal';
import { AuthAccount } from './principal.decorator';

/** Sign-in for accounts and the caller's own session. */
@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AuthController {
  constructor(private readonly auth: AuthService, private readonly accounts: AccountsService) {}

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

  @Get('me')
  @ApiOperation({ summary: 'The signed-in account', description: 'Whose token or API key this is: id, role, username.' })
  @Authenticated({ permission: Permission.SessionRead })
  @ApiOkResponse({ type: AccountResponseDto })
  me(@AuthAccount() account: AccountPrincipal): Promise<AccountResponseDto> {
    return this.accounts.get(account.accountId);
  }
}
