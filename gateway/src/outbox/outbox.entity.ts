import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { OutboxBatchEntity } from './outbox-batch.entity';

/** pending: waiting for a batch; batched: claimed into `batchId`; done/failed: as its batch ended. */
export type OutboxStatus = 'pending' | 'batched' | 'done' | 'failed';

/**
 * One chain write waiting to happen. Rows are inserted in the same database transaction as the
 * change that caused them, so a crash can delay a chain write but never lose it.
 */
@Entity('chain_outbox')
@Index('chain_outbox_kind_ref_key', ['kind', 'ref'], { unique: true })
@Index('chain_outbox_pending_idx', ['kind', 'status', 'id'])
@Check('CHK_chain_outbox_status', `"status" IN ('pending','batched','done','failed')`)
export class OutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** The handler's kind, e.g. 'record-anchor'; one handler class per kind. */
  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  /** The id of the thing written (record, consent, access entry), unique per kind. */
  @Column({ type: 'varchar', length: 80 })
  ref!: string;

  /** The handler's typed payload, as JSON. */
  @Column({ type: 'jsonb' })
  payload!: unknown;

  /**
   * HMAC-SHA-256 (hex) of kind, ref and payload under a key outside the database: a row edited
   * or planted in the table fails it and is never sent. Null only on rows of an earlier version.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  mac!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: OutboxStatus;

  @Index('chain_outbox_batch_idx')
  @Column({ name: 'batch_id', type: 'varchar', length: 66, nullable: true })
  batchId!: string | null;

  @ManyToOne(() => OutboxBatchEntity, { nullable: true })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'FK_chain_outbox_batch' })
  batch?: OutboxBatchEntity | null;

  /** Why the row's batch failed. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
