import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** claimed: contents fixed, not sent; sent: `txHash` handed to the node; done/failed: final. */
export type OutboxBatchStatus = 'claimed' | 'sent' | 'done' | 'failed';

/**
 * Rows of one kind sent as one transaction. Its id (bytes32, also the on-chain batch id) and
 * its rows are fixed when it is claimed, before the first send, so every resend sends the same
 * batch and the contracts can ignore a repeat.
 */
@Entity('chain_outbox_batches')
@Index('chain_outbox_batches_open_idx', ['status', 'createdAt'])
@Check('CHK_chain_outbox_batches_status', `"status" IN ('claimed','sent','done','failed')`)
export class OutboxBatchEntity {
  /** 0x + 64 hex digits, random. */
  @PrimaryColumn({ type: 'varchar', length: 66 })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ type: 'varchar', length: 16, default: 'claimed' })
  status!: OutboxBatchStatus;

  /** The latest transaction sent for the batch; recorded before the node sees it. */
  @Column({ name: 'tx_hash', type: 'varchar', length: 66, nullable: true })
  txHash!: string | null;

  /** How many transactions were sent for the batch (more than one after a lost transaction). */
  @Column({ type: 'integer', default: 0 })
  sends!: number;

  /** When the latest transaction was handed to the node. */
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'block_number', type: 'bigint', nullable: true })
  blockNumber!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
