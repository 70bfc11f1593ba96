import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account life cycle (issue 10): API keys record their last use and may expire (the overlap of a
 * rotation); hospital systems sign in with API keys only, so their passwords are dropped.
 */
export class AccountLifeCycle1796126400000 implements MigrationInterface {
  name = 'AccountLifeCycle1796126400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_keys" ADD "last_used_at" timestamptz`);
    await q.query(`ALTER TABLE "api_keys" ADD "expires_at" timestamptz`);
    await q.query(`UPDATE "accounts" SET "password_hash" = NULL WHERE "role" = 'hospital'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The dropped hospital passwords are not restored: they were never to be used again.
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "expires_at"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "last_used_at"`);
  }
}
