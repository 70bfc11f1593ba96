import { AccountEntity } from '../auth/account.entity';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { BlobEntity } from '../blobs/blob.entity';
import { OutboxBatchEntity } from '../outbox/outbox-batch.entity';
import { OutboxEntity } from '../outbox/outbox.entity';

/** Every entity; a test checks that the migrations build exactly this schema. */
export const ENTITIES = [AccountEntity, ApiKeyEntity, BlobEntity, OutboxEntity, OutboxBatchEntity];
