import { MigrationInterface, QueryRunner } from 'typeorm';

/** Bearer tokens ended by logout or a refresh, until they would have expired (issue 12, point 6). */
export class RevokedTokens1796137200000 implements MigrationInterface {
  name = 'RevokedTokens1796137200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "revoked_tokens" (
        "id" varchar(32) NOT NULL,
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "PK_revoked_tokens" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_revoked_tokens_expires_at" ON "revoked_tokens" ("expires_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "revoked_tokens"`);
  }
}
