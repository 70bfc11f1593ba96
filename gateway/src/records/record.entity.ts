import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BYTEA_AS_BUFFER } from '../database/columns';

export type RecordStatus = 'current' | 'superseded' | 'erased';
export type AnchorStatus = 'pending' | 'anchored' | 'failed';

/**
 * One version of a medical record: where its ciphertext is (CID), what it must hash to, the key
 * that opens it (wrapped by the keyring), and its anchor. Keyed by the patient's pseudonymous
 * handle and nothing else about the patient (DESIGN trust model 1): no persona id, no account
 * of the patient, no name.
 */
@Entity('records')
@Check('CHK_records_status', `"status" IN ('current','superseded','erased')`)
@Index('IDX_records_patient_handle', ['patientHandle', 'clinicalDate'])
export class RecordEntity {
  @PrimaryColumn({ name: 'record_id', type: 'uuid' })
  recordId!: string;

  /** 1 for the first version; a correction is the next number. */
  @PrimaryColumn({ type: 'integer' })
  version!: number;

  /** The relationship handle the patient's filing token named (0x + 64 hex). */
  @Column({ name: 'patient_handle', type: 'varchar', length: 66 })
  patientHandle!: string;

  /** ABDM HI type index (record-categories.ts). */
  @Column({ type: 'smallint' })
  category!: number;

  /** The day the care happened (what a consent's date range is checked against). */
  @Column({ name: 'clinical_date', type: 'date' })
  clinicalDate!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 80 })
  contentType!: string;

  /** The ciphertext's IPFS CIDv1; null once erased. */
  @Column({ type: 'text', nullable: true })
  cid!: string | null;

  /** Salted SHA-512 of the canonical plaintext (the salt is inside the encrypted record). */
  @Column({ type: 'bytea', transformer: BYTEA_AS_BUFFER })
  sha512!: Buffer;

  /** Ciphertext bytes. */
  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  /** The record key, wrapped by the keyring (kw1.…); null once erased: the ciphertext can never be opened again. */
  @Column({ name: 'wrapped_key', type: 'text', nullable: true })
  wrappedKey!: string | null;

  @Column({ name: 'key_id', type: 'varchar', length: 64, nullable: true })
  keyId!: string | null;

  /** This version's leaf hash (RecordAnchors.recordLeaf): what the next version's previous_hash holds. */
  @Column({ name: 'version_hash', type: 'varchar', length: 66 })
  versionHash!: string;

  /** The previous version's leaf hash; zero for the first. */
  @Column({ name: 'previous_hash', type: 'varchar', length: 66 })
  previousHash!: string;

  /** The hospital's chain address the version is anchored for (checksummed). */
  @Column({ type: 'varchar', length: 42 })
  author!: string;

  /** The hospital system or doctor account that filed it. */
  @Column({ name: 'filed_by', type: 'uuid' })
  filedBy!: string;

  @Column({ type: 'varchar', length: 16, default: 'current' })
  status!: RecordStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'anchor_status', type: 'varchar', length: 16, default: 'pending' })
  anchorStatus!: AnchorStatus;

  @Column({ name: 'anchor_batch_id', type: 'varchar', length: 66, nullable: true })
  anchorBatchId!: string | null;

  @Column({ name: 'anchor_proof', type: 'jsonb', nullable: true })
  anchorProof!: string[] | null;

  @Column({ name: 'anchor_author', type: 'varchar', length: 42, nullable: true })
  anchorAuthor!: string | null;

  @Column({ name: 'anchor_tx_hash', type: 'varchar', length: 66, nullable: true })
  anchorTxHash!: string | null;

  @Column({ name: 'anchored_block', type: 'bigint', nullable: true })
  anchoredBlock!: string | null;

  @Column({ name: 'anchor_error', type: 'text', nullable: true })
  anchorError!: string | null;
}
