import { Check, Column, Entity, Index } from 'typeorm';
import { SignedRequestColumns } from '../common/signed-request.columns';

/**
 * A doctor's request for a patient's consent (ConsentManager.requestConsent), naming the
 * patient's relationship with that doctor, which the patient's software registered and gave the
 * doctor. The patient answers it with a message their software signs (approval or denial).
 */
@Entity('consent_requests')
@Index('IDX_consent_requests_patient_handle', ['patientHandle'])
@Index('IDX_consent_requests_doctor_account', ['doctorAccount'])
@Check('CHK_consent_requests_status', `"status" IN ('draft','queued','requested','failed')`)
export class ConsentRequestEntity extends SignedRequestColumns {
  /** The patient's relationship with the doctor (its handle). */
  @Column({ name: 'patient_handle', type: 'varchar', length: 66 })
  patientHandle!: string;

  /** What is asked: ConsentTerms without a records root. */
  @Column({ type: 'jsonb' })
  terms!: { categories: number; purposes: number; fromDate: number; toDate: number; expiry: number };
}
