import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Medical records (issue 13): one row per version, keyed by the patient's pseudonymous handle
 * only; hospitals' chain addresses and doctors' hospitals on accounts, so that an upload can be
 * matched to the hospital a patient's filing token names.
 */
export class Records1796140800000 implements MigrationInterface {
  name = 'Records1796140800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "accounts" ADD "chain_address" varchar(42)`);
    await q.query(`ALTER TABLE "accounts" ADD "hospital_id" uuid`);
    await q.query(`ALTER TABLE "accounts" ADD CONSTRAINT "UQ_accounts_chain_address" UNIQUE ("chain_address")`);
    await q.query(`
      CREATE TABLE "records" (
        "record_id" uuid NOT NULL,
        "version" integer NOT NULL,
        "patient_handle" varchar(66) NOT NULL,
        "category" smallint NOT NULL,
        "clinical_date" date NOT NULL,
        "content_type" varchar(80) NOT NULL,
        "cid" text,
        "sha512" bytea NOT NULL,
        "size_bytes" integer NOT NULL,
        "wrapped_key" text,
        "key_id" varchar(64),
        "version_hash" varchar(66) NOT NULL,
        "previous_hash" varchar(66) NOT NULL,
        "author" varchar(42) NOT NULL,
        "filed_by" uuid NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'current',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "anchor_status" varchar(16) NOT NULL DEFAULT 'pending',
        "anchor_batch_id" varchar(66),
        "anchor_proof" jsonb,
        "anchor_author" varchar(42),
        "anchor_tx_hash" varchar(66),
        "anchored_block" bigint,
        "anchor_error" text,
        CONSTRAINT "PK_records" PRIMARY KEY ("record_id", "version"),
        CONSTRAINT "CHK_records_status" CHECK ("status" IN ('current','superseded','erased'))
      )`);
    await q.query(`CREATE INDEX "IDX_records_patient_handle" ON "records" ("patient_handle", "clinical_date")`);
    await q.query(`
      CREATE TABLE "idempotency_keys" (
        "account_id" uuid NOT NULL,
        "key" varchar(255) NOT NULL,
        "fingerprint" bytea NOT NULL,
        "status" varchar(16) NOT NULL,
        "response_status" integer,
        "response" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("account_id", "key"),
        CONSTRAINT "CHK_idempotency_keys_status" CHECK ("status" IN ('in_progress','done'))
      )`);
    await q.query(`CREATE INDEX "IDX_idempotency_keys_created_at" ON "idempotency_keys" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "idempotency_keys"`);
    await q.query(`DROP TABLE "records"`);
    await q.query(`ALTER TABLE "accounts" DROP CONSTRAINT "UQ_accounts_chain_address"`);
    await q.query(`ALTER TABLE "accounts" DROP COLUMN "hospital_id"`);
    await q.query(`ALTER TABLE "accounts" DROP COLUMN "chain_address"`);
  }
}
