import { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'Registration','RelationshipGrant','ConsentGrant','ConsentRevocation','ConsentApproval','ConsentDenial','GuardianSet'`;

/** Patients veto a recovery their guardians started through the relay too: `RecoveryVeto` messages in consent_messages. */
export class RecoveryVetoes1796151600000 implements MigrationInterface {
  name = 'RecoveryVetoes1796151600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "consent_messages" DROP CONSTRAINT "CHK_consent_messages_type"`);
    await q.query(`ALTER TABLE "consent_messages" ADD CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN (${BEFORE},'RecoveryVeto'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "consent_messages" WHERE "type" = 'RecoveryVeto'`);
    await q.query(`ALTER TABLE "consent_messages" DROP CONSTRAINT "CHK_consent_messages_type"`);
    await q.query(`ALTER TABLE "consent_messages" ADD CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN (${BEFORE}))`);
  }
}
