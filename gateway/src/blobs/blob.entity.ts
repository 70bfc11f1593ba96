import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { BYTEA_AS_BUFFER } from '../database/columns';

export type AnchorStatus = 'pending' | 'anchored' | 'failed';

/** Bytes stored on IPFS whose SHA-512 is anchored on chain: the plumbing records are built on. */
@Entity('anchored_blobs')
export class BlobEntity {
  /** Chosen by the gateway (uuid) so the outbox row can carry it in the same transaction. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  cid!: string;

  @Column({ type: 'bytea', transformer: BYTEA_AS_BUFFER })
  sha512!: Buffer;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'anchor_status', type: 'varchar', length: 16, default: 'pending' })
  anchorStatus!: AnchorStatus;

  @Column({ name: 'anchor_tx_hash', type: 'varchar', length: 66, nullable: true })
  anchorTxHash!: string | null;

  @Column({ name: 'anchored_block', type: 'bigint', nullable: true })
  anchoredBlock!: string | null;
}
