import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PatientMessage } from '../chain/patient-messages';

export type ConsentMessageStatus = 'pending' | 'applied' | 'failed' | 'cancelled';

/**
 * One message a patient signed and the gateway relays (registration, grant, revocation, answer to a request): what it
 * is about and how it ended on chain. The message itself, signature included, is the outbox row's
 * payload; this row is what the patient's software polls.
 */
@Entity('consent_messages')
@Check('CHK_consent_messages_type', `"type" IN ('Registration','RelationshipGrant','ConsentGrant','ConsentRevocation','ConsentApproval','ConsentDenial')`)
@Check('CHK_consent_messages_status', `"status" IN ('pending','applied','failed','cancelled')`)
export class ConsentMessageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: PatientMessage['type'];

  /** The relationship's handle the message is about. */
  @Column({ name: 'patient_handle', type: 'varchar', length: 66 })
  patientHandle!: string;

  /** The grantee (checksummed); null for a registration. */
  @Column({ type: 'varchar', length: 42, nullable: true })
  grantee!: string | null;

  /** The pseudonym that sent it (null for a registration, which needs no sign-in): the one who may withdraw it. */
  @Column({ name: 'submitted_by', type: 'varchar', length: 66, nullable: true })
  submittedBy!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: ConsentMessageStatus;

  @Column({ name: 'tx_hash', type: 'varchar', length: 66, nullable: true })
  txHash!: string | null;

  @Column({ type: 'bigint', nullable: true })
  block!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * Which records a relationship's consents cover: the records filed under `recordHandle` (the
 * patient's relationship with a hospital). Relationships are unlinkable on the ledger (DESIGN
 * trust model 10), so the chain cannot say that the relationship a patient opened with a doctor
 * is the same patient as the one a hospital files under; the patient tells the gateway, the
 * custodian, by granting while signed in as the records' pseudonym (proof of that handle) with a
 * message signed by the grantee relationship's key (proof of that one). Handles only: nothing of
 * the persona (trust model 1).
 */
@Entity('consent_links')
@Index('IDX_consent_links_grantee', ['grantee'])
@Index('IDX_consent_links_record_handle', ['recordHandle'])
@Index('IDX_consent_links_pending_message', ['pendingMessageId'])
@Check('CHK_consent_links_status', `"status" IN ('pending','active','revoked')`)
export class ConsentLinkEntity {
  /** The handle of the relationship with the grantee: the one the consent is granted under on chain. */
  @PrimaryColumn({ name: 'relationship_handle', type: 'varchar', length: 66 })
  relationshipHandle!: string;

  /** The handle the covered records are filed under. */
  @PrimaryColumn({ name: 'record_handle', type: 'varchar', length: 66 })
  recordHandle!: string;

  /** The grantee's chain address (checksummed). */
  @Column({ type: 'varchar', length: 42 })
  grantee!: string;

  /**
   * active: a grant naming this link was applied on chain and no revocation since; pending: its
   * grant is queued; revoked: a revocation applied after its grant (a later grant naming it
   * makes it active again).
   */
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: 'pending' | 'active' | 'revoked';

  /** The pair nonce of the applied grant that made it active (a consent id is made from it). */
  @Column({ name: 'grant_nonce', type: 'bigint', nullable: true })
  grantNonce!: string | null;

  /** The queued grant (its consent message) that will make it active, and its nonce. */
  @Column({ name: 'pending_message_id', type: 'uuid', nullable: true })
  pendingMessageId!: string | null;

  @Column({ name: 'pending_nonce', type: 'bigint', nullable: true })
  pendingNonce!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** The latest revocation applied on a relationship: grants at lower nonces cover nothing any more. */
@Entity('consent_revocations')
export class ConsentRevocationEntity {
  @PrimaryColumn({ name: 'relationship_handle', type: 'varchar', length: 66 })
  relationshipHandle!: string;

  /** The revocation's pair nonce. */
  @Column({ type: 'bigint' })
  nonce!: string;
}

/**
 * The records a records root names (a consent limited to named records): the chain holds the
 * root only, the gateway the list, so that a read can be proven against the root.
 */
@Entity('consent_record_sets')
export class ConsentRecordSetEntity {
  @PrimaryColumn({ name: 'records_root', type: 'varchar', length: 66 })
  recordsRoot!: string;

  /** Record ids (uuids), in the order the tree was built from. */
  @Column({ name: 'record_ids', type: 'jsonb' })
  recordIds!: string[];

  /** The tree's salt leaf. */
  @Column({ type: 'varchar', length: 66 })
  salt!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
