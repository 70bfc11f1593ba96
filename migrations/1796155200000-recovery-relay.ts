import { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'Registration','RelationshipGrant','ConsentGrant','ConsentRevocation','ConsentApproval','ConsentDenial','GuardianSet','RecoveryVeto'`;

/** Guardians' recoveries are relayed too: `RecoveryStart` and `RecoveryCompletion` messages in consent_messages, one of each pending per handle. */
export class RecoveryRelay1796155200000 implements MigrationInterface {
  name = 'RecoveryRelay1796155200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "consent_messages" DROP CONSTRAINT "CHK_consent_messages_type"`);
    await q.query(`ALTER TABLE "consent_messages" ADD CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN (${BEFORE},'RecoveryStart','RecoveryCompletion'))`);
    // They are sent without a sign-in: one of each queued per handle at a time.
    await q.query(
      `CREATE UNIQUE INDEX "UQ_consent_messages_pending_recovery" ON "consent_messages" ("patient_handle", "type") WHERE "status" = 'pending' AND "type" IN ('RecoveryStart','RecoveryCompletion')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "UQ_consent_messages_pending_recovery"`);
    await q.query(`DELETE FROM "consent_messages" WHERE "type" IN ('RecoveryStart','RecoveryCompletion')`);
    await q.query(`ALTER TABLE "consent_messages" DROP CONSTRAINT "CHK_consent_messages_type"`);
    await q.query(`ALTER TABLE "consent_messages" ADD CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN (${BEFORE}))`);
  }
}
