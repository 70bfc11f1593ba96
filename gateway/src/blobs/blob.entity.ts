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

  /** The outbox batch (and on-chain batch id) whose Merkle root anchors this blob. */
  @Column({ name: 'anchor_batch_id', type: 'varchar', length: 66, nullable: true })
  anchorBatchId!: string | null;

  /** The blob's inclusion proof in that batch's tree (sibling hashes, leaf to root). */
  @Column({ name: 'anchor_proof', type: 'jsonb', nullable: true })
  anchorProof!: string[] | null;

  /** The author field of the anchored record version (the gateway's chain account). */
  @Column({ name: 'anchor_author', type: 'varchar', length: 42, nullable: true })
  anchorAuthor!: string | null;

  /** Why anchoring failed, when `anchorStatus` is 'failed'. */
  @Column({ name: 'anchor_error', type: 'text', nullable: true })
  anchorError!: string | null;
}
