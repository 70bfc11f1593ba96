import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A pseudonym sign-in challenge already exchanged for a token, kept until it would have expired
 * anyway. Deliberately holds no handle and nothing that names an account: the table cannot
 * join a pseudonym to a persona (trust model 1). The id is the challenge's random half.
 */
@Entity('used_challenges')
export class UsedChallengeEntity {
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'PK_used_challenges' })
  id!: string;

  @Index('IDX_used_challenges_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
