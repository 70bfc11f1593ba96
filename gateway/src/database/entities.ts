import { AccountEntity } from '../accounts/account.entity';
import { ApiKeyEntity } from '../accounts/api-key.entity';
import { BlobEntity } from '../blobs/blob.entity';
import { OutboxEntity } from '../outbox/outbox.entity';

/** Every entity; a test checks that the migrations build exactly this schema. */
export const ENTITIES = [AccountEntity, ApiKeyEntity, BlobEntity, OutboxEntity];
