import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { AuthAccount } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { WebhookCreatedDto, WebhookCreateDto, WebhookDeliveryDto, WebhookResponseDto } from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

const NOT_FOUND = { type: ErrorResponseDto, description: 'WEBHOOK_NOT_FOUND' };

@ApiTags('webhooks')
@Controller({ path: 'webhooks', version: '1' })
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook for your hospital system',
    description:
      'Events that concern your hospital or its practitioners are posted to it as JSON ({id, event, createdAt, data}): consent.granted and consent.revoked (the chain applied it), consent_request.approved and consent_request.denied, record.anchored (a record you filed is on chain). Each is signed (X-EHRChain-Signature), stored with what caused it, and retried with back-off (10 s doubling to an hour, 12 attempts) until you answer 2xx; a retry keeps its X-EHRChain-Delivery id.',
  })
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiCreatedResponse({ type: WebhookCreatedDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'WEBHOOK_URL_REFUSED (not https, or a private address)' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'WEBHOOK_LIMIT' })
  create(@AuthAccount() account: AccountPrincipal, @Body() dto: WebhookCreateDto): Promise<WebhookCreatedDto> {
    return this.webhooks.create(account, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your webhooks', description: 'Without their secrets, which are shown once.' })
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOkResponse({ type: [WebhookResponseDto] })
  list(@AuthAccount() account: AccountPrincipal): Promise<WebhookResponseDto[]> {
    return this.webhooks.list(account);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a webhook', description: 'Nothing more is posted to it.' })
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiNoContentResponse()
  @ApiNotFoundResponse(NOT_FOUND)
  remove(@AuthAccount() account: AccountPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.webhooks.remove(account, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "A webhook's latest deliveries", description: 'Newest first: each event, whether it was delivered, how many attempts, your last answer.' })
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOkResponse({ type: [WebhookDeliveryDto] })
  @ApiNotFoundResponse(NOT_FOUND)
  deliveries(@AuthAccount() account: AccountPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<WebhookDeliveryDto[]> {
    return this.webhooks.deliveries(account, id);
  }
}
