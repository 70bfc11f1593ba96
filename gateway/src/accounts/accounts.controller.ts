import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ErrorResponseDto } from '../common/error-response.dto';
import { AccountCreateDto, AccountPageDto, AccountResponseDto, AccountSearchDto, PasswordResetDto, PasswordResetResponseDto } from './accounts.dto';
import { AccountsService } from './accounts.service';

const NOT_FOUND = { type: ErrorResponseDto, description: 'No such account (ACCOUNT_NOT_FOUND)' };

/** Administrators manage the accounts of people and hospital systems. */
@ApiTags('accounts')
@Controller({ path: 'accounts', version: '1' })
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an account for a person or a hospital system',
    description:
      'People get a password (NIST SP 800-63B rules); hospital systems get none and sign in with API keys only. Creating an administrator takes your own password again (`currentPassword`). Recorded in the security audit trail.',
  })
  @Authenticated({ permission: Permission.AccountCreate })
  @ApiCreatedResponse({ type: AccountResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The username is taken (ACCOUNT_EXISTS)' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'A password for a hospital system (PASSWORD_NOT_FOR_SYSTEMS), or none for a person (PASSWORD_REQUIRED)' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Creating an administrator without your own password (REAUTHENTICATION_REQUIRED)' })
  create(@Body() dto: AccountCreateDto, @AuditedBy() context: AuditContext): Promise<AccountResponseDto> {
    return this.accounts.create(dto, context);
  }

  @Get()
  @ApiOperation({ summary: 'List and search accounts, by username', description: 'Filter by role, username prefix (`q`) and status; pages of `limit` (at most 100), the next one from `after`.' })
  @Authenticated({ permission: Permission.AccountRead })
  @ApiOkResponse({ type: AccountPageDto })
  search(@Query() query: AccountSearchDto): Promise<AccountPageDto> {
    return this.accounts.search(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an account', description: 'Its id, role, username, creation time and whether it is disabled. Never a password or key.' })
  @Authenticated({ permission: Permission.AccountRead })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AccountResponseDto> {
    return this.accounts.get(id);
  }

  @Post(':id/password-reset')
  @HttpCode(200)
  @ApiOperation({
    summary: "Reset a person's password: a new one, shown once; every session of the account ends",
    description: "Resetting an administrator's password takes your own password again (`currentPassword`). Recorded in the security audit trail.",
  })
  @Authenticated({ permission: Permission.AccountPasswordReset })
  @ApiOkResponse({ type: PasswordResetResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'A hospital system: API keys only (NO_PASSWORD)' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: "An administrator's, without your own password (REAUTHENTICATION_REQUIRED)" })
  resetPassword(@Param('id', ParseUUIDPipe) id: string, @Body() dto: PasswordResetDto, @AuditedBy() context: AuditContext): Promise<PasswordResetResponseDto> {
    return this.accounts.resetPassword(id, context, dto.currentPassword);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable an account: its tokens, API keys and password stop working at once', description: 'Idempotent. You cannot disable your own account. Recorded in the security audit trail.' })
  @Authenticated({ permission: Permission.AccountDisable })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Your own account (CANNOT_DISABLE_SELF)' })
  disable(@Param('id', ParseUUIDPipe) id: string, @AuditedBy() context: AuditContext): Promise<AccountResponseDto> {
    return this.accounts.setDisabled(id, true, context);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a disabled account again', description: 'Idempotent. Recorded in the security audit trail.' })
  @Authenticated({ permission: Permission.AccountDisable })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  enable(@Param('id', ParseUUIDPipe) id: string, @AuditedBy() context: AuditContext): Promise<AccountResponseDto> {
    return this.accounts.setDisabled(id, false, context);
  }
}
