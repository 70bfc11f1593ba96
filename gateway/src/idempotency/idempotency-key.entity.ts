import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BYTEA_AS_BUFFER } from '../database/columns';

/**
 * One Idempotency-Key a caller used (IETF draft-ietf-httpapi-idempotency-key-header): what the
 * request was (a fingerprint) and, once done, the answer it got, replayed to a retry.
 */
@Entity('idempotency_keys')
@Index('IDX_idempotency_keys_created_at', ['createdAt'])
@Check('CHK_idempotency_keys_status', `"status" IN ('in_progress','done')`)
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  /** SHA-256 of the request's method, target, relevant headers and body. */
  @Column({ type: 'bytea', transformer: BYTEA_AS_BUFFER })
  fingerprint!: Buffer;

  @Column({ type: 'varchar', length: 16 })
  status!: 'in_progress' | 'done';

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  response!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
