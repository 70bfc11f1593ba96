import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A bearer token ended before its expiry (logout, or replaced by a refresh), kept until it
 * would have expired anyway. Only the token's random id: nothing says whose it was, so the
 * table joins no pseudonym to a persona (trust model 1).
 */
@Entity('revoked_tokens')
export class RevokedTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'PK_revoked_tokens' })
  id!: string;

  @Index('IDX_revoked_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
