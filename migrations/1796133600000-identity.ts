import { MigrationInterface, QueryRunner } from 'typeorm';
import { companionSchema, qualified } from '../gateway/src/database/companion-schemas';

/**
 * Identity (issue 12): the Aadhaar vault and the persona store, each in a schema of its own
 * named after the main schema (companion-schemas.ts), and the reference to the vault that a
 * practitioner's or hospital officer's account keeps.
 *
 * No table outside the vault holds a number or anything derived from one: only the vault's
 * random reference (UIDAI, Aadhaar Data Vault).
 */
export class Identity1796133600000 implements MigrationInterface {
  name = 'Identity1796133600000';

  async up(q: QueryRunner): Promise<void> {
    const { main, vault, persona } = await schemas(q);
    await q.query(`CREATE SCHEMA IF NOT EXISTS "${vault}"`);
    await q.query(`
      CREATE TABLE ${qualified(vault, 'entries')} (
        "reference" uuid NOT NULL DEFAULT gen_random_uuid(),
        "lookup" bytea NOT NULL,
        "wrapped_key" text NOT NULL,
        "key_id" varchar(16) NOT NULL,
        "sealed_number" bytea NOT NULL,
        "masked" varchar(19) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_vault_entries" PRIMARY KEY ("reference"),
        CONSTRAINT "UQ_vault_entries_lookup" UNIQUE ("lookup")
      )`);
    await q.query(`CREATE INDEX "IDX_vault_entries_key_id" ON ${qualified(vault, 'entries')} ("key_id")`);
    // Verification attempts per number (keyed hash only), for the per-number rate limit.
    await q.query(`
      CREATE TABLE ${qualified(vault, 'attempts')} (
        "lookup" bytea NOT NULL,
        "at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "IDX_vault_attempts_lookup_at" ON ${qualified(vault, 'attempts')} ("lookup", "at")`);

    await q.query(`CREATE SCHEMA IF NOT EXISTS "${persona}"`);
    await q.query(`
      CREATE TABLE ${qualified(persona, 'personas')} (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "status" varchar(10) NOT NULL,
        "account_id" uuid,
        "aadhaar_ref" uuid,
        "sealed_fields" bytea,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "verified_at" timestamptz,
        "erased_at" timestamptz,
        CONSTRAINT "PK_personas" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_personas_account" UNIQUE ("account_id"),
        CONSTRAINT "UQ_personas_aadhaar_ref" UNIQUE ("aadhaar_ref"),
        CONSTRAINT "FK_personas_account" FOREIGN KEY ("account_id") REFERENCES ${qualified(main, 'accounts')} ("id"),
        CONSTRAINT "CHK_personas_status" CHECK ("status" IN ('pending','verified','erased'))
      )`);
    // Registrations not confirmed, by age: every registration looks for stale ones (PersonaService).
    await q.query(`CREATE INDEX "IDX_personas_pending_created_at" ON ${qualified(persona, 'personas')} ("created_at") WHERE "status" = 'pending'`);
    // Apart from the data it opens, so erasure can destroy the key (crypto-shredding: copies of
    // the ciphertext in backups become unreadable too) and rotation rewraps keys alone.
    await q.query(`
      CREATE TABLE ${qualified(persona, 'data_keys')} (
        "persona_id" uuid NOT NULL,
        "wrapped_key" text NOT NULL,
        "key_id" varchar(16) NOT NULL,
        CONSTRAINT "PK_persona_data_keys" PRIMARY KEY ("persona_id"),
        CONSTRAINT "FK_persona_data_keys_persona" FOREIGN KEY ("persona_id") REFERENCES ${qualified(persona, 'personas')} ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_persona_data_keys_key_id" ON ${qualified(persona, 'data_keys')} ("key_id")`);
    await q.query(`
      CREATE TABLE ${qualified(persona, 'one_time_codes')} (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "persona_id" uuid NOT NULL,
        "purpose" varchar(12) NOT NULL,
        "code_hash" bytea NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "used_at" timestamptz,
        CONSTRAINT "PK_one_time_codes" PRIMARY KEY ("id"),
        CONSTRAINT "FK_one_time_codes_persona" FOREIGN KEY ("persona_id") REFERENCES ${qualified(persona, 'personas')} ("id") ON DELETE CASCADE,
        CONSTRAINT "CHK_one_time_codes_purpose" CHECK ("purpose" IN ('registration','sign-in'))
      )`);
    await q.query(`CREATE INDEX "IDX_one_time_codes_persona" ON ${qualified(persona, 'one_time_codes')} ("persona_id", "created_at")`);

    await q.query(`ALTER TABLE "accounts" ADD "aadhaar_ref" uuid`);
    await q.query(`ALTER TABLE "accounts" ADD CONSTRAINT "UQ_accounts_aadhaar_ref" UNIQUE ("aadhaar_ref")`);
  }

  async down(q: QueryRunner): Promise<void> {
    const { vault, persona } = await schemas(q);
    await q.query(`ALTER TABLE "accounts" DROP CONSTRAINT "UQ_accounts_aadhaar_ref"`);
    await q.query(`ALTER TABLE "accounts" DROP COLUMN "aadhaar_ref"`);
    await q.query(`DROP SCHEMA "${persona}" CASCADE`);
    await q.query(`DROP SCHEMA "${vault}" CASCADE`);
  }
}

/** The companion schemas of the schema this migration runs in (the first on the search path). */
async function schemas(q: QueryRunner): Promise<{ main: string; vault: string; persona: string }> {
  const [{ main }] = (await q.query(`SELECT current_schema() AS main`)) as { main: string }[];
  return { main, vault: companionSchema(main, 'aadhaar_vault'), persona: companionSchema(main, 'persona') };
}
