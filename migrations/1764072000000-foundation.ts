import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts and API keys, the first anchored-blob slice and the chain outbox. */
export class Foundation1764072000000 implements MigrationInterface {
  name = 'Foundation1764072000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "accounts" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "role" varchar(16) NOT NULL,
        "username" varchar(64) NOT NULL,
        "password_hash" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "disabled_at" timestamptz,
        CONSTRAINT "PK_accounts" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_accounts_username" UNIQUE ("username"),
        CONSTRAINT "CHK_accounts_role" CHECK ("role" IN ('admin','hospital','doctor','pharmacist','researcher','patient'))
      )`);
    await q.query(`
      CREATE TABLE "api_keys" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "account_id" uuid NOT NULL,
        "prefix" varchar(16) NOT NULL,
        "secret_sha256" varchar(64) NOT NULL,
        "label" varchar(100) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "revoked_at" timestamptz,
        CONSTRAINT "PK_api_keys" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_api_keys_prefix" UNIQUE ("prefix"),
        CONSTRAINT "FK_api_keys_account" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE "anchored_blobs" (
        "id" uuid NOT NULL,
        "cid" text NOT NULL,
        "sha512" bytea NOT NULL,
        "size_bytes" integer NOT NULL,
        "created_by" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "anchor_status" varchar(16) NOT NULL DEFAULT 'pending',
        "anchor_tx_hash" varchar(66),
        "anchored_block" bigint,
        CONSTRAINT "PK_anchored_blobs" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE TABLE "chain_outbox" (
        "id" BIGSERIAL NOT NULL,
        "kind" varchar(32) NOT NULL,
        "ref" varchar(80) NOT NULL,
        "payload" jsonb NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "tx_hash" varchar(66),
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_chain_outbox" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "chain_outbox_kind_ref_key" ON "chain_outbox" ("kind", "ref")`);
    await q.query(`CREATE INDEX "chain_outbox_open_idx" ON "chain_outbox" ("status", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "chain_outbox"`);
    await q.query(`DROP TABLE "anchored_blobs"`);
    await q.query(`DROP TABLE "api_keys"`);
    await q.query(`DROP TABLE "accounts"`);
  }
}
