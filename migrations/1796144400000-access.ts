import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access (issue 14): the patient's signed messages the gateway relays, which relationships'
 * consents cover which records, the record sets consents name, every release of a record, and
 * doctors' break-glass requests; the authority role. Handles and chain addresses only: nothing
 * of a persona.
 */
export class Access1796144400000 implements MigrationInterface {
  name = 'Access1796144400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "accounts" DROP CONSTRAINT "CHK_accounts_role"`);
    await q.query(`ALTER TABLE "accounts" ADD CONSTRAINT "CHK_accounts_role" CHECK ("role" IN ('admin','hospital','doctor','pharmacist','researcher','patient','authority'))`);
    await q.query(`
      CREATE TABLE "consent_messages" (
        "id" uuid NOT NULL,
        "type" varchar(32) NOT NULL,
        "patient_handle" varchar(66) NOT NULL,
        "grantee" varchar(42),
        "submitted_by" varchar(66),
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "tx_hash" varchar(66),
        "block" bigint,
        "error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_consent_messages" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN ('Registration','RelationshipGrant','ConsentGrant','ConsentRevocation','ConsentApproval','ConsentDenial')),
        CONSTRAINT "CHK_consent_messages_status" CHECK ("status" IN ('pending','applied','failed','cancelled'))
      )`);
    await q.query(`
      CREATE TABLE "consent_links" (
        "relationship_handle" varchar(66) NOT NULL,
        "record_handle" varchar(66) NOT NULL,
        "grantee" varchar(42) NOT NULL,
        "status" varchar(16) NOT NULL,
        "grant_nonce" bigint NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_consent_links" PRIMARY KEY ("relationship_handle", "record_handle", "grantee"),
        CONSTRAINT "CHK_consent_links_status" CHECK ("status" IN ('active','revoked'))
      )`);
    await q.query(`CREATE INDEX "IDX_consent_links_grantee" ON "consent_links" ("grantee")`);
    await q.query(`CREATE INDEX "IDX_consent_links_record_handle" ON "consent_links" ("record_handle")`);
    await q.query(`
      CREATE TABLE "consent_link_proposals" (
        "message_id" uuid NOT NULL,
        "relationship_handle" varchar(66) NOT NULL,
        "record_handle" varchar(66) NOT NULL,
        "grantee" varchar(42) NOT NULL,
        "nonce" bigint NOT NULL,
        CONSTRAINT "PK_consent_link_proposals" PRIMARY KEY ("message_id")
      )`);
    await q.query(`
      CREATE TABLE "consent_pairs" (
        "relationship_handle" varchar(66) NOT NULL,
        "grantee" varchar(42) NOT NULL,
        "nonce" bigint NOT NULL,
        "last_grant_nonce" bigint,
        "revoked_below" bigint NOT NULL DEFAULT 0,
        CONSTRAINT "PK_consent_pairs" PRIMARY KEY ("relationship_handle", "grantee")
      )`);
    await q.query(`
      CREATE TABLE "consent_record_sets" (
        "records_root" varchar(66) NOT NULL,
        "record_ids" jsonb NOT NULL,
        "salt" varchar(66) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_consent_record_sets" PRIMARY KEY ("records_root")
      )`);
    await q.query(`
      CREATE TABLE "access_entries" (
        "id" uuid NOT NULL,
        "record_id" uuid NOT NULL,
        "version" integer NOT NULL,
        "relationship_handle" varchar(66) NOT NULL,
        "reader" varchar(42) NOT NULL,
        "reader_account" uuid NOT NULL,
        "purpose" smallint NOT NULL,
        "kind" smallint NOT NULL,
        "authorization_id" varchar(66) NOT NULL,
        "logged_record_id" varchar(66) NOT NULL,
        "blinding_salt" varchar(66) NOT NULL,
        "accessed_at" timestamptz NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "batch_id" varchar(66),
        "tx_hash" varchar(66),
        "block" bigint,
        "error" text,
        CONSTRAINT "PK_access_entries" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_access_entries_status" CHECK ("status" IN ('pending','logged','failed'))
      )`);
    await q.query(`CREATE INDEX "IDX_access_entries_record" ON "access_entries" ("record_id")`);
    await q.query(`CREATE INDEX "IDX_access_entries_reader" ON "access_entries" ("reader", "accessed_at")`);
    await q.query(`
      CREATE TABLE "emergency_requests" (
        "id" uuid NOT NULL,
        "record_handle" varchar(66) NOT NULL,
        "patient_pseudonym" varchar(66) NOT NULL,
        "doctor" varchar(42) NOT NULL,
        "doctor_account" uuid NOT NULL,
        "reason" text NOT NULL,
        "reason_salt" varchar(66) NOT NULL,
        "duration_seconds" integer NOT NULL,
        "nonce" bigint NOT NULL,
        "deadline" bigint NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'draft',
        "chain_request_id" bigint,
        "tx_hash" varchar(66),
        "error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_emergency_requests" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_emergency_requests_status" CHECK ("status" IN ('draft','queued','requested','failed'))
      )`);
    await q.query(`CREATE INDEX "IDX_emergency_requests_record_handle" ON "emergency_requests" ("record_handle")`);
    await q.query(`CREATE INDEX "IDX_emergency_requests_doctor" ON "emergency_requests" ("doctor")`);
    await q.query(`
      CREATE TABLE "consent_requests" (
        "id" uuid NOT NULL,
        "patient_handle" varchar(66) NOT NULL,
        "doctor" varchar(42) NOT NULL,
        "doctor_account" uuid NOT NULL,
        "terms" jsonb NOT NULL,
        "nonce" bigint NOT NULL,
        "deadline" bigint NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'draft',
        "chain_request_id" bigint,
        "tx_hash" varchar(66),
        "error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_consent_requests" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_consent_requests_status" CHECK ("status" IN ('draft','queued','requested','failed'))
      )`);
    await q.query(`CREATE INDEX "IDX_consent_requests_patient_handle" ON "consent_requests" ("patient_handle")`);
    await q.query(`CREATE INDEX "IDX_consent_requests_doctor_account" ON "consent_requests" ("doctor_account")`);
    await q.query(`
      CREATE TABLE "webhook_subscriptions" (
        "id" uuid NOT NULL,
        "account_id" uuid NOT NULL,
        "url" text NOT NULL,
        "events" jsonb NOT NULL,
        "wrapped_key" text NOT NULL,
        "key_id" varchar(64) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_webhook_subscriptions" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_webhook_subscriptions_account" ON "webhook_subscriptions" ("account_id")`);
    await q.query(`
      CREATE TABLE "webhook_deliveries" (
        "id" uuid NOT NULL,
        "subscription_id" uuid NOT NULL,
        "event" varchar(64) NOT NULL,
        "payload" jsonb NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL,
        "last_status" integer,
        "last_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "delivered_at" timestamptz,
        CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_webhook_deliveries_status" CHECK ("status" IN ('pending','delivered','failed'))
      )`);
    await q.query(`CREATE INDEX "IDX_webhook_deliveries_due" ON "webhook_deliveries" ("status", "next_attempt_at")`);
    await q.query(`CREATE INDEX "IDX_webhook_deliveries_subscription" ON "webhook_deliveries" ("subscription_id", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhook_subscriptions"`);
    await q.query(`DROP TABLE "consent_requests"`);
    await q.query(`DROP TABLE "emergency_requests"`);
    await q.query(`DROP TABLE "access_entries"`);
    await q.query(`DROP TABLE "consent_record_sets"`);
    await q.query(`DROP TABLE "consent_pairs"`);
    await q.query(`DROP TABLE "consent_link_proposals"`);
    await q.query(`DROP TABLE "consent_links"`);
    await q.query(`DROP TABLE "consent_messages"`);
    await q.query(`ALTER TABLE "accounts" DROP CONSTRAINT "CHK_accounts_role"`);
    await q.query(`ALTER TABLE "accounts" ADD CONSTRAINT "CHK_accounts_role" CHECK ("role" IN ('admin','hospital','doctor','pharmacist','researcher','patient'))`);
  }
}
