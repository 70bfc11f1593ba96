import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { Role } from '../auth/permissions';
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhook.entities';

export const WEBHOOK_EVENTS = ['consent.granted', 'consent.revoked', 'consent_request.approved', 'consent_request.denied', 'record.anchored'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * Queues webhook deliveries in the caller's transaction: the event is stored with the change that
 * caused it (a consent the chain applied, a record anchored), so neither exists without the other.
 */
@Injectable()
export class WebhookEvents {
  /** The hospital system accounts an address concerns: the hospital itself, or a practitioner's hospital. */
  async hospitalsOf(manager: EntityManager, address: string): Promise<string[]> {
    const account = await manager.findOneBy(AccountEntity, { chainAddress: address });
    if (!account) return [];
    if (account.role === Role.Hospital) return [account.id];
    return account.hospitalId ? [account.hospitalId] : [];
  }

  async emit(manager: EntityManager, accountIds: readonly string[], event: WebhookEvent, data: Record<string, unknown>): Promise<void> {
    if (accountIds.length === 0) return;
    const subscriptions = await manager.createQueryBuilder(WebhookSubscriptionEntity, 's')
      .where('s.account_id IN (:...ids)', { ids: [...new Set(accountIds)] })
      .andWhere('s.events @> :event::jsonb', { event: JSON.stringify([event]) })
      .getMany();
    const now = new Date();
    for (const subscription of subscriptions) {
      const id = randomUUID();
      await manager.insert(WebhookDeliveryEntity, {
        id, subscriptionId: subscription.id, event, payload: { id, event, createdAt: now.toISOString(), data }, status: 'pending', attempts: 0, nextAttemptAt: now,
        lastStatus: null, lastError: null, deliveredAt: null,
      });
    }
  }
}
