import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What a security event is about: sign-ins, refused credentials and permissions, administrators' acts. */
export const SECURITY_EVENTS = [
  'login.succeeded',
  'login.failed',
  'credential.rejected',
  'permission.denied',
  'account.created',
  'account.disabled',
  'account.enabled',
  'password.changed',
  'password.reset',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'aadhaar.resolved',
  'persona.registered',
  'persona.erased',
  'session.refreshed',
  'session.ended',
] as const;
export type SecurityEventName = (typeof SECURITY_EVENTS)[number];

/**
 * One row of the security audit trail (issue 10): who (an account, "a pseudonym", or nobody
 * signed in), from which address, in which request, did what to which target, with what before
 * and after. Never a password, token, key, or a pseudonym's handle: a handle next to an address
 * would start joining a pseudonym to a person (trust model 1). Rows are only ever inserted.
 */
@Entity('security_events')
export class SecurityEventEntity {
  /** Increasing: the order of the trail, and the cursor of its pages. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_security_events' })
  id!: string;

  @Index('IDX_security_events_at')
  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'varchar', length: 40 })
  event!: SecurityEventName;

  @Column({ name: 'actor_kind', type: 'varchar', length: 10 })
  actorKind!: 'account' | 'pseudonym' | 'anonymous';

  @Column({ name: 'actor_account_id', type: 'uuid', nullable: true })
  actorAccountId!: string | null;

  /** The username a sign-in named (whether or not such an account exists). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  username!: string | null;

  @Column({ name: 'target_type', type: 'varchar', length: 20, nullable: true })
  targetType!: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true })
  targetId!: string | null;

  @Column({ name: 'client_address', type: 'varchar', length: 45, nullable: true })
  clientAddress!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  /** What else the event says: the route and permission refused, the state before and after an administrator's act. */
  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;
}
