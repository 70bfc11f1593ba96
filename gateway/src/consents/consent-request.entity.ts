import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** draft: typed data handed to the doctor to sign; queued: signed, in the outbox; requested: on chain; failed: the chain refused it. */
export type ConsentRequestRowStatus = 'draft' | 'queued' | 'requested' | 'failed';

/**
 * A doctor's request for a patient's consent (ConsentManager.requestConsent), naming the
 * patient's relationship with that doctor, which the patient's software registered and gave the
 * doctor. The patient answers it with a message their software signs (approval or denial).
 */
@Entity('consent_requests')
@Index('IDX_consent_requests_patient_handle', ['patientHandle'])
@Index('IDX_consent_requests_doctor_account', ['doctorAccount'])
@Check('CHK_consent_requests_status', `"status" IN ('draft','queued','requested','failed')`)
export class ConsentRequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The patient's relationship with the doctor (its handle). */
  @Column({ name: 'patient_handle', type: 'varchar', length: 66 })
  patientHandle!: string;

  @Column({ type: 'varchar', length: 42 })
  doctor!: string;

  @Column({ name: 'doctor_account', type: 'uuid' })
  doctorAccount!: string;

  /** What is asked: ConsentTerms without a records root. */
  @Column({ type: 'jsonb' })
  terms!: { categories: number; purposes: number; fromDate: number; toDate: number; expiry: number };

  @Column({ type: 'bigint' })
  nonce!: string;

  @Column({ type: 'bigint' })
  deadline!: string;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status!: ConsentRequestRowStatus;

  @Column({ name: 'chain_request_id', type: 'bigint', nullable: true })
  chainRequestId!: string | null;

  @Column({ name: 'tx_hash', type: 'varchar', length: 66, nullable: true })
  txHash!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
