import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PatientMessage } from '../chain/patient-messages';

export type ConsentMessageStatus = 'pending' | 'applied' | 'failed' | 'cancelled';

/**
 * One message a patient signed and the gateway relays (registration, grant, revocation, answer to a request, guardian set, recovery veto, recovery start and completion): what it
 * is about and how it ended on chain. The message itself, signature included, is the outbox row's
 * payload; this row is what the patient's software polls.
 */
@Entity('consent_messages')
@Check('CHK_consent_messages_type', `"type" IN ('Registration','RelationshipGrant','ConsentGrant','ConsentRevocation','ConsentApproval','ConsentDenial','GuardianSet','RecoveryVeto','RecoveryStart','RecoveryCompletion')`)
@Check('CHK_consent_messages_status', `"status" IN ('pending','applied','failed','cancelled')`)
// One recovery start and one completion queued per handle at a time: they are sent without a
// sign-in, and a second copy would only be sent to revert.
@Index('UQ_consent_messages_pending_recovery', ['patientHandle', 'type'], { unique: true, where: `"status" = 'pending' AND "type" IN ('RecoveryStart','RecoveryCompletion')` })
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
 * link signed by the grantee relationship's key (proof of that one). A link exists once its grant
 * was applied on chain (consent-links.ts). Handles only: nothing of the persona (trust model 1).
 */
@Entity('consent_links')
@Index('IDX_consent_links_grantee', ['grantee'])
@Index('IDX_consent_links_record_handle', ['recordHandle'])
@Check('CHK_consent_links_status', `"status" IN ('active','revoked')`)
export class ConsentLinkEntity {
  /** The handle of the relationship with the grantee: the one the consent is granted under on chain. */
  @PrimaryColumn({ name: 'relationship_handle', type: 'varchar', length: 66 })
  relationshipHandle!: string;

  /** The handle the covered records are filed under. */
  @PrimaryColumn({ name: 'record_handle', type: 'varchar', length: 66 })
  recordHandle!: string;

  /** The grantee's chain address (checksummed). */
  @PrimaryColumn({ type: 'varchar', length: 42 })
  grantee!: string;

  /** active: its latest grant was applied and no revocation since; revoked: a revocation applied after it. */
  @Column({ type: 'varchar', length: 16 })
  status!: 'active' | 'revoked';

  /** The pair nonce of the applied grant that linked it last. */
  @Column({ name: 'grant_nonce', type: 'bigint' })
  grantNonce!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A link a queued grant will make once applied: one per message (a grant may wait beside another). */
@Entity('consent_link_proposals')
export class ConsentLinkProposalEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'relationship_handle', type: 'varchar', length: 66 })
  relationshipHandle!: string;

  @Column({ name: 'record_handle', type: 'varchar', length: 66 })
  recordHandle!: string;

  @Column({ type: 'varchar', length: 42 })
  grantee!: string;

  /** The grant's pair nonce (checked against the chain when it was sent). */
  @Column({ type: 'bigint' })
  nonce!: string;
}

/**
 * What this gateway saw applied on a (relationship, grantee) pair: the pair nonce after it, the
 * nonce of the latest grant, and of the latest revocation. A read is served only while the chain's
 * nonce is the one recorded here: a change made through another relay (or not confirmed here yet)
 * is one whose records this gateway cannot know, so it refuses rather than guesses.
 */
@Entity('consent_pairs')
export class ConsentPairEntity {
  @PrimaryColumn({ name: 'relationship_handle', type: 'varchar', length: 66 })
  relationshipHandle!: string;

  @PrimaryColumn({ type: 'varchar', length: 42 })
  grantee!: string;

  @Column({ type: 'bigint' })
  nonce!: string;

  @Column({ name: 'last_grant_nonce', type: 'bigint', nullable: true })
  lastGrantNonce!: string | null;

  @Column({ name: 'revoked_below', type: 'bigint', default: 0 })
  revokedBelow!: string;
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
