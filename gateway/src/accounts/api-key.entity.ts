import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AccountEntity } from './account.entity';

/**
 * A hospital system's credential. Only a SHA-256 of the secret part is kept: the keys are 256-bit
 * random, so a slow password hash adds nothing (the approach of GitHub's and Stripe's tokens).
 */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_api_keys_account' })
  account?: AccountEntity;

  /** Public, unique lookup part of the key (`ehr_<prefix>_<secret>`). */
  @Column({ type: 'varchar', length: 16, unique: true })
  prefix!: string;

  @Column({ name: 'secret_sha256', type: 'varchar', length: 64 })
  secretSha256!: string;

  @Column({ type: 'varchar', length: 100 })
  label!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** When the key last authenticated a request (to the minute: written at most once a minute). */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  /** When a rotated-out key stops working: the overlap a hospital has to switch to the new key. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
