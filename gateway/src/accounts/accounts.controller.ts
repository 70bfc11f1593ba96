import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountCreateDto, AccountResponseDto, ApiKeyCreateDto, ApiKeyResponseDto } from './accounts.dto';
import { AccountsService } from './accounts.service';

/** Administrators manage the accounts of people and hospital systems, and hospitals' API keys. */
@ApiTags('accounts')
@Controller({ path: 'accounts', version: '1' })
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an account for a person or a hospital system' })
  @Authenticated({ permission: Permission.AccountCreate })
  @ApiCreatedResponse({ type: AccountResponseDto })
  create(@Body() dto: AccountCreateDto, @AuditedBy() context: AuditContext): Promise<AccountResponseDto> {
    return this.accounts.create(dto, context);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an account' })
  @Authenticated({ permission: Permission.AccountRead })
  @ApiOkResponse({ type: AccountResponseDto })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AccountResponseDto> {
    return this.accounts.get(id);
  }

  @Post(':id/api-keys')
  @ApiOperation({ summary: "Issue an API key to a hospital system's account (shown once)" })
  @Authenticated({ permission: Permission.ApiKeyCreate })
  @ApiCreatedResponse({ type: ApiKeyResponseDto })
  createApiKey(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ApiKeyCreateDto, @AuditedBy() context: AuditContext): Promise<ApiKeyResponseDto> {
    return this.accounts.createApiKey(id, dto.label, context);
  }

  @Delete(':id/api-keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  @Authenticated({ permission: Permission.ApiKeyRevoke })
  @ApiNoContentResponse()
  revokeApiKey(@Param('id', ParseUUIDPipe) id: string, @Param('keyId', ParseUUIDPipe) keyId: string, @AuditedBy() context: AuditContext): Promise<void> {
    return this.accounts.revokeApiKey(id, keyId, context);
  }
}
