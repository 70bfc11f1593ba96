import { MigrationInterface, QueryRunner } from 'typeorm';

/** Pseudonym sign-in: challenges already used, kept until they expire. No handle, no account. */
export class UsedChallenges1796115600000 implements MigrationInterface {
  name = 'UsedChallenges1796115600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "used_challenges" (
        "id" varchar(32) NOT NULL,
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "PK_used_challenges" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_used_challenges_expires_at" ON "used_challenges" ("expires_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "used_challenges"`);
  }
}
