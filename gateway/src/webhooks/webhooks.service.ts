import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountPrincipal } from '../auth/principal';
import { ApiError, NotFoundError } from '../common/errors';
import { InjectConfig } from '../config/config.module';
import { AppConfig } from '../config/app-config';
import { wrappingKeyId } from '../keys/envelope';
import { Keyring } from '../keys/keyring';
import { WEBHOOK_EVENTS } from './webhook-events';
import { webhookKeyAad } from './webhook-sender';
import { webhookUrlProblem } from './webhook-urls';
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhook.entities';
import { WebhookCreatedDto, WebhookCreateDto, WebhookDeliveryDto, WebhookResponseDto } from './webhooks.dto';

const MAX_PER_ACCOUNT = 10;
const DELIVERIES_LISTED = 100;

const describe = (s: WebhookSubscriptionEntity): WebhookResponseDto => ({ id: s.id, url: s.url, events: s.events, createdAt: s.createdAt });
const notFound = () => new NotFoundError('WEBHOOK_NOT_FOUND', 'No such webhook of yours');

/** A hospital system's webhooks: registered with a URL the gateway may call, a secret shown once. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly keyring: Keyring,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async create(auth: AccountPrincipal, dto: WebhookCreateDto): Promise<WebhookCreatedDto> {
    const problem = webhookUrlProblem(dto.url, this.config.webhooks.allowPrivateUrls);
    if (problem) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'WEBHOOK_URL_REFUSED', `The webhook URL is refused: ${problem}`);
    if ((await this.db.manager.countBy(WebhookSubscriptionEntity, { accountId: auth.accountId })) >= MAX_PER_ACCOUNT) {
      throw new ApiError(HttpStatus.CONFLICT, 'WEBHOOK_LIMIT', `A hospital system has at most ${MAX_PER_ACCOUNT} webhooks; remove one first`);
    }
    const id = randomUUID();
    const secret = randomBytes(32);
    const wrappedKey = this.keyring.wrap(secret, webhookKeyAad(id));
    await this.db.manager.insert(WebhookSubscriptionEntity, { id, accountId: auth.accountId, url: dto.url, events: dto.events ?? [...WEBHOOK_EVENTS], wrappedKey, keyId: wrappingKeyId(wrappedKey) });
    return { ...describe((await this.own(auth, id))), secret: secret.toString('base64url') };
  }

  async list(auth: AccountPrincipal): Promise<WebhookResponseDto[]> {
    return (await this.db.manager.find(WebhookSubscriptionEntity, { where: { accountId: auth.accountId }, order: { createdAt: 'ASC' } })).map(describe);
  }

  /** Removes the webhook; its pending deliveries are failed when next due (no post goes out). */
  async remove(auth: AccountPrincipal, id: string): Promise<void> {
    await this.own(auth, id);
    await this.db.manager.delete(WebhookSubscriptionEntity, { id });
  }

  async deliveries(auth: AccountPrincipal, id: string): Promise<WebhookDeliveryDto[]> {
    await this.own(auth, id);
    const rows = await this.db.manager.find(WebhookDeliveryEntity, { where: { subscriptionId: id }, order: { createdAt: 'DESC' }, take: DELIVERIES_LISTED });
    return rows.map(({ id: deliveryId, event, status, attempts, lastStatus, lastError, nextAttemptAt, createdAt, deliveredAt }) => ({
      id: deliveryId, event, status, attempts, lastStatus, lastError, nextAttemptAt, createdAt, deliveredAt,
    }));
  }

  private async own(auth: AccountPrincipal, id: string): Promise<WebhookSubscriptionEntity> {
    const row = await this.db.manager.findOneBy(WebhookSubscriptionEntity, { id });
    if (!row || row.accountId !== auth.accountId) throw notFound();
    return row;
  }
}
