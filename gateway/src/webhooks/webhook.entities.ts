import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A hospital system's webhook: where the gateway posts the events that concern it, and the
 * secret their HMAC signatures are made with (wrapped by the keyring: the gateway needs it in
 * clear to sign, never to show again).
 */
@Entity('webhook_subscriptions')
@Index('IDX_webhook_subscriptions_account', ['accountId'])
export class WebhookSubscriptionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The hospital system account that registered it. */
  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ type: 'text' })
  url!: string;

  /** The event kinds it receives. */
  @Column({ type: 'jsonb' })
  events!: string[];

  /** The signing secret, wrapped by the keyring (kw1.…), bound to this subscription's id. */
  @Column({ name: 'wrapped_key', type: 'text' })
  wrappedKey!: string;

  @Column({ name: 'key_id', type: 'varchar', length: 64 })
  keyId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One event to post to one subscription, written in the transaction of what caused it (so an
 * event is never lost to a crash), retried with back-off until the receiver answers 2xx.
 */
@Entity('webhook_deliveries')
@Index('IDX_webhook_deliveries_due', ['status', 'nextAttemptAt'])
@Index('IDX_webhook_deliveries_subscription', ['subscriptionId', 'createdAt'])
@Check('CHK_webhook_deliveries_status', `"status" IN ('pending','delivered','failed')`)
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  @Column({ type: 'varchar', length: 64 })
  event!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** The receiver's last HTTP status (null: no answer). */
  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
