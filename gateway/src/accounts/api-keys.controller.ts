import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ApiKeyCreateDto, ApiKeyResponseDto, ApiKeyRotateDto, ApiKeyRotatedDto, ApiKeySummaryDto } from './accounts.dto';
import { ApiKeysService } from './api-keys.service';

const NOT_HOSPITAL = { type: ErrorResponseDto, description: 'The account is not a hospital system (API_KEY_ROLE)' };

/** Administrators issue, rotate and revoke hospital systems' API keys. */
@ApiTags('API keys')
@Controller({ path: 'accounts/:id/api-keys', version: '1' })
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: "Issue an API key to a hospital system's account (shown once)", description: 'Only its SHA-256 is kept. Recorded in the security audit trail.' })
  @Authenticated({ permission: Permission.ApiKeyCreate })
  @ApiCreatedResponse({ type: ApiKeyResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such account (ACCOUNT_NOT_FOUND)' })
  @ApiUnprocessableEntityResponse(NOT_HOSPITAL)
  create(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ApiKeyCreateDto, @AuditedBy() context: AuditContext): Promise<ApiKeyResponseDto> {
    return this.keys.create(id, dto.label, context);
  }

  @Get()
  @ApiOperation({ summary: "List an account's API keys: active, expiring and revoked, with when each was last used", description: 'Never the keys themselves: only their public prefix.' })
  @Authenticated({ permission: Permission.AccountRead })
  @ApiOkResponse({ type: [ApiKeySummaryDto] })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such account (ACCOUNT_NOT_FOUND)' })
  list(@Param('id', ParseUUIDPipe) id: string): Promise<ApiKeySummaryDto[]> {
    return this.keys.list(id);
  }

  @Post(':keyId/rotate')
  @ApiOperation({
    summary: 'Rotate an API key: a new key now, the old one working for an overlap (24 h by default)',
    description: 'The new key is shown once. Recorded in the security audit trail.',
  })
  @Authenticated({ permission: Permission.ApiKeyCreate })
  @ApiCreatedResponse({ type: ApiKeyRotatedDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such account (ACCOUNT_NOT_FOUND) or active key (API_KEY_NOT_FOUND)' })
  @ApiUnprocessableEntityResponse(NOT_HOSPITAL)
  rotate(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('keyId', ParseUUIDPipe) keyId: string,
    @Body() dto: ApiKeyRotateDto,
    @AuditedBy() context: AuditContext,
  ): Promise<ApiKeyRotatedDto> {
    return this.keys.rotate(id, keyId, dto.overlapHours, context);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key: it stops working at once', description: 'Recorded in the security audit trail.' })
  @Authenticated({ permission: Permission.ApiKeyRevoke })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such active key (API_KEY_NOT_FOUND)' })
  revoke(@Param('id', ParseUUIDPipe) id: string, @Param('keyId', ParseUUIDPipe) keyId: string, @AuditedBy() context: AuditContext): Promise<void> {
    return this.keys.revoke(id, keyId, context);
  }
}
