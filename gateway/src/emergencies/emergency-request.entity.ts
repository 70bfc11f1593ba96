import { Check, Column, Entity, Index } from 'typeorm';
import { SignedRequestColumns } from '../common/signed-request.columns';

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
export class EmergencyRequestEntity extends SignedRequestColumns {
  /** The handle the patient's records are filed under (never put on chain by this request). */
  @Column({ name: 'record_handle', type: 'varchar', length: 66 })
  recordHandle!: string;

  /** Who the request names on chain: the doctor's relationship with the patient, or a pseudonym made for this patient and doctor. */
  @Column({ name: 'patient_pseudonym', type: 'varchar', length: 66 })
  patientPseudonym!: string;

  /** Why, in the doctor's words (scrubbed of identifiers). */
  @Column({ type: 'text' })
  reason!: string;

  /** The salt of the reason's commitment on chain. */
  @Column({ name: 'reason_salt', type: 'varchar', length: 66 })
  reasonSalt!: string;

  @Column({ name: 'duration_seconds', type: 'integer' })
  durationSeconds!: number;
}
