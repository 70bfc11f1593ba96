import { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'Registration','RelationshipGrant','ConsentGrant','ConsentRevocation','ConsentApproval','ConsentDenial','GuardianSet','RecoveryVeto'`;

/** Guardians' recoveries are relayed too: `RecoveryStart` and `RecoveryCompletion` messages in consent_messages. */
export class RecoveryRelay1796155200000 implements MigrationInterface {
  name = 'RecoveryRelay1796155200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "consent_messages" DROP CONSTRAINT "CHK_consent_messages_type"`);
    await q.query(`ALTER TABLE "consent_messages" ADD CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN (${BEFORE},'RecoveryStart','RecoveryCompletion'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "consent_messages" WHERE "type" IN ('RecoveryStart','RecoveryCompletion')`);
    await q.query(`ALTER TABLE "consent_messages" DROP CONSTRAINT "CHK_consent_messages_type"`);
    await q.query(`ALTER TABLE "consent_messages" ADD CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN (${BEFORE}))`);
  }
}
