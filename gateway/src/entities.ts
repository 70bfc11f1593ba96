import { AccessEntryEntity } from './access/access-entry.entity';
import { AccountEntity } from './accounts/account.entity';
import { ApiKeyEntity } from './accounts/api-key.entity';
import { SecurityEventEntity } from './audit/security-event.entity';
import { RevokedTokenEntity } from './auth/revoked-token.entity';
import { UsedChallengeEntity } from './auth/used-challenge.entity';
import { BlobEntity } from './blobs/blob.entity';
import { ConsentRequestEntity } from './consents/consent-request.entity';
import { ConsentLinkEntity, ConsentLinkProposalEntity, ConsentMessageEntity, ConsentPairEntity, ConsentRecordSetEntity } from './consents/consent.entities';
import { EmergencyRequestEntity } from './emergencies/emergency-request.entity';
import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity';
import { OutboxBatchEntity } from './outbox/outbox-batch.entity';
import { OutboxEntity } from './outbox/outbox.entity';
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhooks/webhook.entities';
import { RecordEntity } from './records/record.entity';

/**
 * Every entity, registered here at the composition root and handed to DatabaseModule.forRoot,
 * so the database layer never imports a feature. data-source.spec.ts checks that the
 * migrations build exactly the schema these describe.
 */
export const ENTITIES = [AccountEntity, ApiKeyEntity, UsedChallengeEntity, RevokedTokenEntity, SecurityEventEntity, BlobEntity, OutboxEntity, OutboxBatchEntity, RecordEntity, IdempotencyKeyEntity,
  ConsentMessageEntity, ConsentLinkEntity, ConsentLinkProposalEntity, ConsentPairEntity, ConsentRecordSetEntity, AccessEntryEntity, EmergencyRequestEntity, ConsentRequestEntity,
  WebhookSubscriptionEntity, WebhookDeliveryEntity];
