import { MigrationInterface, QueryRunner } from 'typeorm';

const ZERO32 = `0x${'00'.repeat(32)}`;
const ZERO_ADDRESS = `0x${'00'.repeat(20)}`;

/**
 * Batched outbox: a batch is the unit sent as one transaction (its id fixed on its rows before
 * the first send); rows only say which batch holds them. Blobs keep the Merkle proof of their
 * anchor. Chain writes still waiting under the single-anchor format are re-queued as record
 * versions, and every blob is anchored again in a batch (the old single anchors stay on chain
 * but reads now verify batches).
 */
export class OutboxBatches1796112000000 implements MigrationInterface {
  name = 'OutboxBatches1796112000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "chain_outbox_batches" (
        "id" varchar(66) NOT NULL,
        "kind" varchar(32) NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'claimed',
        "tx_hash" varchar(66),
        "sends" integer NOT NULL DEFAULT 0,
        "block_number" bigint,
        "last_error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_chain_outbox_batches" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_chain_outbox_batches_status" CHECK ("status" IN ('claimed','sent','done','failed'))
      )`);
    await q.query(`CREATE INDEX "chain_outbox_batches_open_idx" ON "chain_outbox_batches" ("status", "created_at")`);

    await q.query(`ALTER TABLE "chain_outbox" ADD "batch_id" varchar(66)`);
    await q.query(`ALTER TABLE "chain_outbox" ADD CONSTRAINT "FK_chain_outbox_batch" FOREIGN KEY ("batch_id") REFERENCES "chain_outbox_batches"("id")`);
    await q.query(`
      UPDATE "chain_outbox" SET "kind" = 'record-anchor', "status" = 'pending', "last_error" = NULL,
        "payload" = jsonb_build_object(
          'recordId', "payload"->>'recordId', 'patientHandle', '${ZERO32}', 'cid', "payload"->>'cid',
          'sha512Digest', '0x' || ("payload"->>'sha512'), 'category', 0, 'previousVersion', '${ZERO32}',
          'tombstone', false, 'author', '${ZERO_ADDRESS}')
      WHERE "kind" = 'anchor'`);
    await q.query(`ALTER TABLE "chain_outbox" DROP COLUMN "tx_hash"`);
    await q.query(`ALTER TABLE "chain_outbox" DROP COLUMN "attempts"`);
    await q.query(`DROP INDEX "chain_outbox_open_idx"`);
    await q.query(`CREATE INDEX "chain_outbox_pending_idx" ON "chain_outbox" ("kind", "status", "id")`);
    await q.query(`CREATE INDEX "chain_outbox_batch_idx" ON "chain_outbox" ("batch_id")`);
    await q.query(`ALTER TABLE "chain_outbox" ADD CONSTRAINT "CHK_chain_outbox_status" CHECK ("status" IN ('pending','batched','done','failed'))`);

    await q.query(`ALTER TABLE "anchored_blobs" ADD "anchor_batch_id" varchar(66)`);
    await q.query(`ALTER TABLE "anchored_blobs" ADD "anchor_proof" jsonb`);
    await q.query(`ALTER TABLE "anchored_blobs" ADD "anchor_author" varchar(42)`);
    await q.query(`ALTER TABLE "anchored_blobs" ADD "anchor_error" text`);
    await q.query(`UPDATE "anchored_blobs" SET "anchor_status" = 'pending', "anchor_tx_hash" = NULL, "anchored_block" = NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "anchored_blobs" DROP COLUMN "anchor_error"`);
    await q.query(`ALTER TABLE "anchored_blobs" DROP COLUMN "anchor_author"`);
    await q.query(`ALTER TABLE "anchored_blobs" DROP COLUMN "anchor_proof"`);
    await q.query(`ALTER TABLE "anchored_blobs" DROP COLUMN "anchor_batch_id"`);
    await q.query(`UPDATE "anchored_blobs" SET "anchor_status" = 'pending', "anchor_tx_hash" = NULL, "anchored_block" = NULL`);

    await q.query(`ALTER TABLE "chain_outbox" DROP CONSTRAINT "CHK_chain_outbox_status"`);
    await q.query(`DROP INDEX "chain_outbox_batch_idx"`);
    await q.query(`DROP INDEX "chain_outbox_pending_idx"`);
    await q.query(`CREATE INDEX "chain_outbox_open_idx" ON "chain_outbox" ("status", "id")`);
    await q.query(`ALTER TABLE "chain_outbox" ADD "attempts" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "chain_outbox" ADD "tx_hash" varchar(66)`);
    // The single-anchor format re-anchors every record on its own.
    await q.query(`
      UPDATE "chain_outbox" SET "kind" = 'anchor', "status" = 'pending', "last_error" = NULL,
        "payload" = jsonb_build_object('recordId', "payload"->>'recordId', 'cid', "payload"->>'cid', 'sha512', substr("payload"->>'sha512Digest', 3))
      WHERE "kind" = 'record-anchor'`);
    await q.query(`ALTER TABLE "chain_outbox" DROP CONSTRAINT "FK_chain_outbox_batch"`);
    await q.query(`ALTER TABLE "chain_outbox" DROP COLUMN "batch_id"`);
    await q.query(`DROP TABLE "chain_outbox_batches"`);
  }
}
