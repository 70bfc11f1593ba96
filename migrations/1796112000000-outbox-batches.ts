import { MigrationInterface, QueryRunner } from 'typeorm';

const LEGACY_UNSENT = 'Queued by the single-anchor outbox of an earlier version, without a MAC; upload the blob again';

/**
 * Batched outbox: a batch is the unit sent as one transaction (its id fixed on its rows before
 * the first send); rows only say which batch holds them, and carry a MAC of their payload under
 * a key the database does not hold. Blobs keep the Merkle proof of their anchor.
 * Rows of the single-anchor outbox: done ones stay (their blobs are verified against
 * RecordAnchors.anchorOf); unfinished ones cannot be authenticated, so they fail, and so do
 * their blobs unless the chain anchored them after all (a read checks anchorOf whatever the row says).
 */
export class OutboxBatches1796112000000 implements MigrationInterface {
  name = 'OutboxBatches1796112000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "anchored_blobs" ADD "anchor_batch_id" varchar(66)`);
    await q.query(`ALTER TABLE "anchored_blobs" ADD "anchor_proof" jsonb`);
    await q.query(`ALTER TABLE "anchored_blobs" ADD "anchor_author" varchar(42)`);
    await q.query(`ALTER TABLE "anchored_blobs" ADD "anchor_error" text`);
    await q.query(`
      CREATE TABLE "chain_outbox_batches" (
        "id" varchar(66) NOT NULL,
        "kind" varchar(32) NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'claimed',
        "tx_hash" varchar(66),
        "sends" integer NOT NULL DEFAULT 0,
        "sent_at" timestamptz,
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
    await q.query(`ALTER TABLE "chain_outbox" ADD "mac" varchar(64)`);
    await q.query(
      `UPDATE "anchored_blobs" SET "anchor_status" = 'failed', "anchor_error" = $1
        WHERE "id"::text IN (SELECT "ref" FROM "chain_outbox" WHERE "kind" = 'anchor' AND "status" <> 'done')`,
      [LEGACY_UNSENT],
    );
    await q.query(`UPDATE "chain_outbox" SET "status" = 'failed', "last_error" = $1 WHERE "kind" = 'anchor' AND "status" <> 'done'`, [LEGACY_UNSENT]);
    await q.query(`ALTER TABLE "chain_outbox" DROP COLUMN "tx_hash"`);
    await q.query(`ALTER TABLE "chain_outbox" DROP COLUMN "attempts"`);
    await q.query(`DROP INDEX "chain_outbox_open_idx"`);
    await q.query(`CREATE INDEX "chain_outbox_pending_idx" ON "chain_outbox" ("kind", "status", "id")`);
    await q.query(`CREATE INDEX "chain_outbox_batch_idx" ON "chain_outbox" ("batch_id")`);
    await q.query(`ALTER TABLE "chain_outbox" ADD CONSTRAINT "CHK_chain_outbox_status" CHECK ("status" IN ('pending','batched','done','failed'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "anchored_blobs" DROP COLUMN "anchor_error"`);
    await q.query(`ALTER TABLE "anchored_blobs" DROP COLUMN "anchor_author"`);
    await q.query(`ALTER TABLE "anchored_blobs" DROP COLUMN "anchor_proof"`);
    await q.query(`ALTER TABLE "anchored_blobs" DROP COLUMN "anchor_batch_id"`);

    await q.query(`ALTER TABLE "chain_outbox" DROP CONSTRAINT "CHK_chain_outbox_status"`);
    await q.query(`DROP INDEX "chain_outbox_batch_idx"`);
    await q.query(`DROP INDEX "chain_outbox_pending_idx"`);
    await q.query(`CREATE INDEX "chain_outbox_open_idx" ON "chain_outbox" ("status", "id")`);
    await q.query(`ALTER TABLE "chain_outbox" ADD "attempts" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "chain_outbox" ADD "tx_hash" varchar(66)`);
    // The single-anchor sender knows no batches: what they held waits for a new upload.
    await q.query(`DELETE FROM "chain_outbox" WHERE "kind" = 'record-anchor'`);
    await q.query(`ALTER TABLE "chain_outbox" DROP COLUMN "mac"`);
    await q.query(`ALTER TABLE "chain_outbox" DROP CONSTRAINT "FK_chain_outbox_batch"`);
    await q.query(`ALTER TABLE "chain_outbox" DROP COLUMN "batch_id"`);
    await q.query(`DROP TABLE "chain_outbox_batches"`);
  }
}
