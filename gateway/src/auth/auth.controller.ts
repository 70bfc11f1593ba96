import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountResponseDto } from '../accounts/accounts.dto';
import { AccountsService } from '../accounts/accounts.service';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { LoginDto, TokenResponseDto } from './auth.dto';
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
  @ApiOperation({ summary: 'Sign in with username and password; returns an account token' })
  @Public('Sign-in is how a token is obtained')
  @SignInRateLimit()
  @ApiOkResponse({ type: TokenResponseDto })
  async login(@Body() dto: LoginDto, @AuditedBy() context: AuditContext): Promise<TokenResponseDto> {
    return { tokenType: 'Bearer', ...(await this.auth.login(dto.username, dto.password, context)) };
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in account' })
  @Authenticated({ permission: Permission.SessionRead })
  @ApiOkResponse({ type: AccountResponseDto })
  me(@AuthAccount() account: AccountPrincipal): Promise<AccountResponseDto> {
    return this.accounts.get(account.accountId);
  }
}
