import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AccountsService } from './accounts.service';
import { Auth, AuthContext } from './auth-context';
import { AccountCreateDto, AccountResponseDto, ApiKeyCreateDto, ApiKeyResponseDto, LoginDto, TokenResponseDto } from './auth.dto';
import { AuthService } from './auth.service';
import { Authenticated, Public } from './authenticated.decorator';
import { Permission } from './permissions';

@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AuthController {
  constructor(private readonly auth: AuthService, private readonly accounts: AccountsService) {}

  @Post('login')
  @HttpCode(200)
  @Public('Sign-in is how a token is obtained')
  @ApiOkResponse({ type: TokenResponseDto })
  async login(@Body() dto: LoginDto): Promise<TokenResponseDto> {
    return { tokenType: 'Bearer', ...(await this.auth.login(dto.username, dto.password)) };
  }

  @Get('me')
  @Authenticated({ permission: Permission.SessionRead })
  @ApiOkResponse({ type: AccountResponseDto })
  me(@Auth() auth: AuthContext): Promise<AccountResponseDto> {
    return this.accounts.get(auth.accountId);
  }
}

@ApiTags('accounts')
@Controller({ path: 'accounts', version: '1' })
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @Authenticated({ permission: Permission.AccountCreate })
  @ApiCreatedResponse({ type: AccountResponseDto })
  create(@Body() dto: AccountCreateDto): Promise<AccountResponseDto> {
    return this.accounts.create(dto);
  }

  @Get(':id')
  @Authenticated({ permission: Permission.AccountRead })
  @ApiOkResponse({ type: AccountResponseDto })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AccountResponseDto> {
    return this.accounts.get(id);
  }

  @Post(':id/api-keys')
  @Authenticated({ permission: Permission.ApiKeyCreate })
  @ApiCreatedResponse({ type: ApiKeyResponseDto })
  createApiKey(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ApiKeyCreateDto): Promise<ApiKeyResponseDto> {
    return this.accounts.createApiKey(id, dto.label);
  }

  @Delete(':id/api-keys/:keyId')
  @HttpCode(204)
  @Authenticated({ permission: Permission.ApiKeyRevoke })
  @ApiNoContentResponse()
  revokeApiKey(@Param('id', ParseUUIDPipe) id: string, @Param('keyId', ParseUUIDPipe) keyId: string): Promise<void> {
    return this.accounts.revokeApiKey(id, keyId);
  }
}
