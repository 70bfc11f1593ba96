import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** draft: typed data handed to the doctor to sign; queued: signed, in the outbox; requested: on chain; failed: the chain refused it. */
export type EmergencyRowStatus = 'draft' | 'queued' | 'requested' | 'failed';

/**
 * A doctor's break-glass request for a patient's records (DESIGN trust model 8): what the doctor
 * asked, for whose records (the pseudonym their hospital files under), and the on-chain request it
 * became. Its reason stays here, for the authorities who judge it; the chain holds its salted
 * commitment only.
 */
@Entity('emergency_requests')
@Index('IDX_emergency_requests_record_handle', ['recordHandle'])
@Index('IDX_emergency_requests_doctor', ['doctor'])
@Check('CHK_emergency_requests_status', `"status" IN ('draft','queued','requested','failed')`)
export class EmergencyRequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The handle the patient's records are filed under (never put on chain by this request). */
  @Column({ name: 'record_handle', type: 'varchar', length: 66 })
  recordHandle!: string;

  /** Who the request names on chain: the doctor's relationship with the patient, or a pseudonym made for this patient and doctor. */
  @Column({ name: 'patient_pseudonym', type: 'varchar', length: 66 })
  patientPseudonym!: string;

  /** The doctor's chain address (checksummed). */
  @Column({ type: 'varchar', length: 42 })
  doctor!: string;

  @Column({ name: 'doctor_account', type: 'uuid' })
  doctorAccount!: string;

  /** Why, in the doctor's words (scrubbed of identifiers). */
  @Column({ type: 'text' })
  reason!: string;

  /** The salt of the reason's commitment on chain. */
  @Column({ name: 'reason_salt', type: 'varchar', length: 66 })
  reasonSalt!: string;

  @Column({ name: 'duration_seconds', type: 'integer' })
  durationSeconds!: number;

  /** The doctor's nonce and the signature deadline the typed data was made with. */
  @Column({ type: 'bigint' })
  nonce!: string;

  @Column({ type: 'bigint' })
  deadline!: string;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status!: EmergencyRowStatus;

  /** EmergencyAccess's id once the request is on chain. */
  @Column({ name: 'chain_request_id', type: 'bigint', nullable: true })
  chainRequestId!: string | null;

  @Column({ name: 'tx_hash', type: 'varchar', length: 66, nullable: true })
  txHash!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
