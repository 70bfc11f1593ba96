import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type OutboxStatus = 'pending' | 'sent' | 'done' | 'failed';

/**
 * One chain write waiting to happen. Rows are inserted in the same database transaction as the
 * change that caused them, so a crash can delay a chain write but never lose it.
 */
@Entity('chain_outbox')
@Index('chain_outbox_kind_ref_key', ['kind', 'ref'], { unique: true })
@Index('chain_outbox_open_idx', ['status', 'id'])
export class OutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** What to write, e.g. 'anchor'; the sender has one handler per kind. */
  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  /** The id of the thing written (record, consent, access entry): makes writes idempotent. */
  @Column({ type: 'varchar', length: 80 })
  ref!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: OutboxStatus;

  @Column({ name: 'tx_hash', type: 'varchar', length: 66, nullable: true })
  txHash!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
