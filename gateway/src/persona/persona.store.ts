import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { companionSchema, qualified } from '../database/companion-schemas';
import { CodePurpose } from '../identity/ekyc-provider';

export type PersonaStatus = 'pending' | 'verified' | 'erased';

export interface PersonaRow {
  id: string;
  status: PersonaStatus;
  accountId: string | null;
  aadhaarRef: string | null;
  sealedFields: Buffer | null;
  /** Null once erased: the data key is destroyed. */
  wrappedKey: string | null;
  verifiedAt: Date | null;
}

export interface CodeRow {
  id: string;
  personaId: string;
  purpose: CodePurpose;
  codeHash: Buffer;
  expiresAt: Date;
  attempts: number;
  usedAt: Date | null;
}

const toBuffer = (value: Uint8Array | null): Buffer | null => (value === null ? null : Buffer.from(value.buffer, value.byteOffset, value.byteLength));

/**
 * The persona store (DESIGN trust model 1): who a patient is, in a schema of its own
 * (companion-schemas.ts). Identifying fields are one sealed document per persona under the
 * persona's data key (data_keys, wrapped by the keyring); one-time codes are kept as keyed
 * hashes. No business logic here. Raw SQL, because the schema's name depends on the main one.
 */
@Injectable()
export class PersonaStore {
  private readonly personas: string;
  private readonly keys: string;
  private readonly codes: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectConfig() config: AppConfig,
  ) {
    const schema = companionSchema(config.database.schema, 'persona');
    this.personas = qualified(schema, 'personas');
    this.keys = qualified(schema, 'data_keys');
    this.codes = qualified(schema, 'one_time_codes');
  }

  async insertPending(values: { id: string; aadhaarRef: string; sealedFields: Buffer; wrappedKey: string; keyId: string }, em: EntityManager): Promise<void> {
    await em.query(`INSERT INTO ${this.personas} ("id", "status", "aadhaar_ref", "sealed_fields") VALUES ($1, 'pending', $2, $3)`, [values.id, values.aadhaarRef, values.sealedFields]);
    await em.query(`INSERT INTO ${this.keys} ("persona_id", "wrapped_key", "key_id") VALUES ($1, $2, $3)`, [values.id, values.wrappedKey, values.keyId]);
  }

  findByAadhaarRef(aadhaarRef: string, em?: EntityManager): Promise<PersonaRow | null> {
    return this.findOne(`p."aadhaar_ref" = $1`, aadhaarRef, em);
  }

  /** With `lock`, the row stays locked for the rest of `em`'s transaction (a read before a write that depends on it). */
  findByAccount(accountId: string, em?: EntityManager, lock = false): Promise<PersonaRow | null> {
    return this.findOne(`p."account_id" = $1`, accountId, em, lock);
  }

  findById(id: string, em?: EntityManager, lock = false): Promise<PersonaRow | null> {
    return this.findOne(`p."id" = $1`, id, em, lock);
  }

  /** Vault references of registrations never confirmed and started more than `seconds` ago (a page). */
  async stalePendingRefs(seconds: number, limit: number, em?: EntityManager): Promise<string[]> {
    const rows = (await (em ?? this.db.manager).query(
      `SELECT "aadhaar_ref" FROM ${this.personas} WHERE "status" = 'pending' AND "created_at" < now() - make_interval(secs => $1) LIMIT $2`,
      [seconds, limit],
    )) as { aadhaar_ref: string }[];
    return rows.map((row) => row.aadhaar_ref);
  }

  /** Deletes the pending persona of `aadhaarRef` if it is still stale (its data key and codes with it); whether one was. */
  async deleteStalePending(aadhaarRef: string, seconds: number, em: EntityManager): Promise<boolean> {
    const deleted = (await em.query(
      `DELETE FROM ${this.personas} WHERE "aadhaar_ref" = $1 AND "status" = 'pending' AND "created_at" < now() - make_interval(secs => $2) RETURNING "id"`,
      [aadhaarRef, seconds],
    )) as unknown[];
    return deleted.length > 0;
  }

  async setFields(id: string, sealedFields: Buffer, em: EntityManager): Promise<void> {
    await em.query(`UPDATE ${this.personas} SET "sealed_fields" = $2 WHERE "id" = $1`, [id, sealedFields]);
  }

  async markVerified(id: string, accountId: string, em: EntityManager): Promise<void> {
    await em.query(`UPDATE ${this.personas} SET "status" = 'verified', "account_id" = $2, "verified_at" = now() WHERE "id" = $1`, [id, accountId]);
  }

  /**
   * Crypto-shredding: the data key is deleted, so the sealed fields cannot be opened anywhere,
   * backups included; the fields and the vault reference go too. The row stays, marked erased,
   * so the account it belonged to keeps pointing at something that says what happened.
   */
  async erase(id: string, em: EntityManager): Promise<void> {
    await em.query(`DELETE FROM ${this.keys} WHERE "persona_id" = $1`, [id]);
    await em.query(`UPDATE ${this.personas} SET "status" = 'erased', "sealed_fields" = NULL, "aadhaar_ref" = NULL, "erased_at" = now() WHERE "id" = $1`, [id]);
    await em.query(`DELETE FROM ${this.codes} WHERE "persona_id" = $1`, [id]);
  }

  async insertCode(values: { id: string; personaId: string; purpose: CodePurpose; codeHash: Buffer; expiresAt: Date }, em: EntityManager): Promise<void> {
    // Codes issued before this one for the same purpose stop working: only the latest SMS counts.
    await em.query(`UPDATE ${this.codes} SET "used_at" = now() WHERE "persona_id" = $1 AND "purpose" = $2 AND "used_at" IS NULL`, [values.personaId, values.purpose]);
    await em.query(`DELETE FROM ${this.codes} WHERE "expires_at" < now() - interval '1 day'`);
    await em.query(`INSERT INTO ${this.codes} ("id", "persona_id", "purpose", "code_hash", "expires_at") VALUES ($1, $2, $3, $4, $5)`, [values.id, values.personaId, values.purpose, values.codeHash, values.expiresAt]);
  }

  /** The code row, locked for the rest of `em`'s transaction (two guesses never race past the attempt count). */
  async lockCode(id: string, em: EntityManager): Promise<CodeRow | null> {
    const rows = (await em.query(`SELECT * FROM ${this.codes} WHERE "id" = $1 FOR UPDATE`, [id])) as Record<string, unknown>[];
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id as string,
      personaId: row.persona_id as string,
      purpose: row.purpose as CodePurpose,
      codeHash: toBuffer(row.code_hash as Uint8Array)!,
      expiresAt: new Date(row.expires_at as string),
      attempts: row.attempts as number,
      usedAt: row.used_at === null ? null : new Date(row.used_at as string),
    };
  }

  async countAttempt(id: string, em?: EntityManager): Promise<void> {
    await (em ?? this.db.manager).query(`UPDATE ${this.codes} SET "attempts" = "attempts" + 1 WHERE "id" = $1`, [id]);
  }

  async markCodeUsed(id: string, em: EntityManager): Promise<void> {
    await em.query(`UPDATE ${this.codes} SET "used_at" = now() WHERE "id" = $1`, [id]);
  }

  private async findOne(where: string, value: string, em?: EntityManager, lock = false): Promise<PersonaRow | null> {
    const rows = (await (em ?? this.db.manager).query(
      `SELECT p."id", p."status", p."account_id", p."aadhaar_ref", p."sealed_fields", p."verified_at", k."wrapped_key"
       FROM ${this.personas} p LEFT JOIN ${this.keys} k ON k."persona_id" = p."id" WHERE ${where}${lock ? ' FOR UPDATE OF p' : ''}`,
      [value],
    )) as Record<string, unknown>[];
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id as string,
      status: row.status as PersonaStatus,
      accountId: (row.account_id as string | null) ?? null,
      aadhaarRef: (row.aadhaar_ref as string | null) ?? null,
      sealedFields: toBuffer(row.sealed_fields as Uint8Array | null),
      wrappedKey: (row.wrapped_key as string | null) ?? null,
      verifiedAt: row.verified_at ? new Date(row.verified_at as string) : null,
    };
  }
}
