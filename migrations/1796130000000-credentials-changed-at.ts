import { MigrationInterface, QueryRunner } from 'typeorm';

/** When an account's password last changed or was reset: tokens issued before then stop working. */
export class CredentialsChangedAt1796130000000 implements MigrationInterface {
  name = 'CredentialsChangedAt1796130000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "accounts" ADD "credentials_changed_at" timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "accounts" DROP COLUMN "credentials_changed_at"`);
  }
}
