import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SecurityAudit } from './security-audit';
import { SecurityEventPageDto, SecurityEventQueryDto } from './security-events.dto';

/** The security audit trail, for administrators investigating an incident. */
@ApiTags('security events')
@Controller({ path: 'security-events', version: '1' })
export class SecurityEventsController {
  constructor(private readonly audit: SecurityAudit) {}

  @Get()
  @ApiOperation({
    summary: 'Search the security audit trail, newest first',
    description:
      'Sign-ins (succeeded, failed, with the username and address), rejected tokens and API keys, refused permissions, and every administrator\'s act with the state before and after. Filter by event, actor, username and time; page with `before`.',
  })
  @Authenticated({ permission: Permission.SecurityEventRead })
  @ApiOkResponse({ type: SecurityEventPageDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A malformed filter (VALIDATION_FAILED)' })
  list(@Query() query: SecurityEventQueryDto): Promise<SecurityEventPageDto> {
    return this.audit.list({ ...query, limit: query.limit ?? 50 });
  }
}
