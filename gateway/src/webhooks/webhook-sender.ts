import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../config/config.module';
import { AppConfig } from '../config/app-config';
import { Keyring } from '../keys/keyring';
import { WrappedKeyTable } from '../keys/rewrap';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';
import { postWebhook } from './webhook-post';
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhook.entities';

/** Deliveries claimed per cycle. */
const BATCH = 20;
/** A claimed delivery is not claimed again (by this or another replica) for this long. */
const LEASE_MS = 60_000;
const TIMEOUT_MS = 5_000;
/** After this many attempts (about 10 hours of back-off), a delivery is failed for good. */
export const MAX_ATTEMPTS = 12;

/** Wait before attempt n + 1: 10 s, 20 s, 40 s, … up to an hour. */
export const backoffMs = (attempts: number): number => Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

export const webhookKeyAad = (subscriptionId: string): string => `ehrchain-webhook:${subscriptionId}`;

/** The webhook secrets, for key rotation (keys/rewrap.ts). */
export const webhookKeyTable = (mainSchema: string): WrappedKeyTable => ({ schema: mainSchema, table: 'webhook_subscriptions', id: '"id"', aad: webhookKeyAad });

/**
 * Posts due webhook deliveries, signed (webhook-signature.ts), and retries with exponential
 * back-off until the receiver answers 2xx. Deliveries are claimed with FOR UPDATE SKIP LOCKED and
 * leased, so replicas share the work and a crash mid-post only delays a retry: a receiver may see
 * a delivery twice (at least once), and tells by its id (X-EHRChain-Delivery).
 */
@Injectable()
export class WebhookSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookSender.name);
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly keyring: Keyring,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.drain(), this.config.webhooks.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.cycle;
  }

  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.cycle ??= this.run()
      .catch((error: unknown) => this.logger.warn({ event: 'webhook_cycle_failed', error: String(error) }))
      .finally(() => (this.cycle = null));
    return this.cycle;
  }

  private async run(): Promise<void> {
    const due = await this.db.transaction(async (manager) => {
      const rows = await manager.createQueryBuilder(WebhookDeliveryEntity, 'd')
        .where('d.status = :pending AND d.next_attempt_at <= now()', { pending: 'pending' })
        .orderBy('d.next_attempt_at', 'ASC')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const row of rows) {
        row.attempts += 1;
        await manager.update(WebhookDeliveryEntity, { id: row.id }, { attempts: row.attempts, nextAttemptAt: new Date(Date.now() + LEASE_MS) });
      }
      return rows;
    });
    await Promise.all(due.map((delivery) => this.deliver(delivery)));
  }

  private async deliver(delivery: WebhookDeliveryEntity): Promise<void> {
    const subscription = await this.db.manager.findOneBy(WebhookSubscriptionEntity, { id: delivery.subscriptionId });
    if (!subscription) return this.settle(delivery, { failed: 'the webhook was removed' });
    const body = JSON.stringify(delivery.payload);
    let status: number | null = null;
    try {
      const secret = this.keyring.unwrap(subscription.wrappedKey, webhookKeyAad(subscription.id));
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'EHRChain-Webhooks/1',
        'x-ehrchain-event': delivery.event,
        'x-ehrchain-delivery': delivery.id,
        [SIGNATURE_HEADER]: signatureHeader(secret, Math.floor(Date.now() / 1000), body),
      };
      status = await postWebhook(subscription.url, headers, body, { allowPrivate: this.config.webhooks.allowPrivateUrls, timeoutMs: TIMEOUT_MS });
      if (status >= 200 && status < 300) return this.settle(delivery, { status });
      throw new Error(`answered ${status}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (delivery.attempts >= MAX_ATTEMPTS) return this.settle(delivery, { status, failed: reason });
      await this.db.manager.update(WebhookDeliveryEntity, { id: delivery.id }, { lastStatus: status, lastError: reason, nextAttemptAt: new Date(Date.now() + backoffMs(delivery.attempts)) });
    }
  }

  private async settle(delivery: WebhookDeliveryEntity, outcome: { status?: number | null; failed?: string }): Promise<void> {
    await this.db.manager.update(WebhookDeliveryEntity, { id: delivery.id }, outcome.failed === undefined
      ? { status: 'delivered', lastStatus: outcome.status ?? null, lastError: null, deliveredAt: new Date() }
      : { status: 'failed', lastStatus: outcome.status ?? null, lastError: outcome.failed });
    if (outcome.failed !== undefined) this.logger.warn({ event: 'webhook_failed', deliveryId: delivery.id, attempts: delivery.attempts, reason: outcome.failed });
  }
}
