import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type AccessEntryStatus = 'pending' | 'logged' | 'failed';

/**
 * One release of a record to someone other than its patient (DESIGN trust model 6), written in
 * the same transaction as the outbox row that logs it on chain (AccessLog), before the record is
 * returned: a gateway that dies after the read still logs it. The chain entry is the public
 * trace; this row is how the patient finds it (and the state of its logging).
 */
@Entity('access_entries')
@Index('IDX_access_entries_record', ['recordId'])
@Index('IDX_access_entries_reader', ['reader', 'accessedAt'])
@Check('CHK_access_entries_status', `"status" IN ('pending','logged','failed')`)
export class AccessEntryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'record_id', type: 'uuid' })
  recordId!: string;

  @Column({ type: 'integer' })
  version!: number;

  /** The relationship the release was authorised under (its handle is the chain entry's patient handle). */
  @Column({ name: 'relationship_handle', type: 'varchar', length: 66 })
  relationshipHandle!: string;

  /** The reader's chain address (checksummed). */
  @Column({ type: 'varchar', length: 42 })
  reader!: string;

  /** The account that read (a hospital system, doctor or pharmacist). */
  @Column({ name: 'reader_account', type: 'uuid' })
  readerAccount!: string;

  /** PurposeOfUse index (AccessLog.PURPOSE_COUNT). */
  @Column({ type: 'smallint' })
  purpose!: number;

  /** 0 consent, 1 emergency (AccessLog.KIND_*). */
  @Column({ type: 'smallint' })
  kind!: number;

  /** The consent id (or emergency request) that allowed it, as logged. */
  @Column({ name: 'authorization_id', type: 'varchar', length: 66 })
  authorizationId!: string;

  /** The record id as logged: blinded for the relationship with `blindingSalt` (accessLogRecordId). */
  @Column({ name: 'logged_record_id', type: 'varchar', length: 66 })
  loggedRecordId!: string;

  /** 32 random bytes: without them the logged id cannot be tested against a known record id. */
  @Column({ name: 'blinding_salt', type: 'varchar', length: 66 })
  blindingSalt!: string;

  @Column({ name: 'accessed_at', type: 'timestamptz' })
  accessedAt!: Date;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: AccessEntryStatus;

  @Column({ name: 'batch_id', type: 'varchar', length: 66, nullable: true })
  batchId!: string | null;

  @Column({ name: 'tx_hash', type: 'varchar', length: 66, nullable: true })
  txHash!: string | null;

  @Column({ type: 'bigint', nullable: true })
  block!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
