import { Global, Module } from '@nestjs/common';
import { WebhookEvents } from './webhook-events';
import { WebhookSender } from './webhook-sender';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Signed, retried, durable webhooks to hospital systems (issue 14, point 6). Global: features emit events in their own transactions. */
@Global()
@Module({
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookEvents, WebhookSender],
  exports: [WebhookEvents],
})
export class WebhooksModule {}
