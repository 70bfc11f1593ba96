import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Role } from '../auth/permissions';

/** A person or system that calls the gateway. Patients' identities live in the persona store, not here. */
@Entity('accounts')
@Unique('UQ_accounts_aadhaar_ref', ['aadhaarRef'])
@Unique('UQ_accounts_chain_address', ['chainAddress'])
@Check('CHK_accounts_role', `"role" IN ('admin','hospital','doctor','pharmacist','researcher','patient','authority')`)
export class AccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  /** scrypt hash (see password.ts); null for accounts that only use API keys. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  /** When the password last changed or was reset: account tokens issued before then are refused. */
  @Column({ name: 'credentials_changed_at', type: 'timestamptz', nullable: true })
  credentialsChangedAt!: Date | null;

  /**
   * A practitioner's or hospital officer's Aadhaar number, as the vault's random reference
   * (UIDAI Aadhaar Data Vault: no other table holds the number). Null for administrators,
   * researchers and hospital systems' accounts made before issue 12, and for patients, whose
   * persona holds theirs.
   */
  @Column({ name: 'aadhaar_ref', type: 'uuid', nullable: true })
  aadhaarRef!: string | null;

  /**
   * A hospital system's address in the consortium registry (checksummed): the hospital a
   * patient's filing token names. Null for every other role, and for hospitals not on chain yet.
   */
  @Column({ name: 'chain_address', type: 'varchar', length: 42, nullable: true })
  chainAddress!: string | null;

  /** The hospital account a doctor or pharmacist works at (their records are filed for it); null otherwise. */
  @Column({ name: 'hospital_id', type: 'uuid', nullable: true })
  hospitalId!: string | null;
}
