import { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'Registration','RelationshipGrant','ConsentGrant','ConsentRevocation','ConsentApproval','ConsentDenial'`;

/** Patients name their guardians through the relay too (issue 15): `GuardianSet` messages in consent_messages. */
export class GuardianMessages1796148000000 implements MigrationInterface {
  name = 'GuardianMessages1796148000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "consent_messages" DROP CONSTRAINT "CHK_consent_messages_type"`);
    await q.query(`ALTER TABLE "consent_messages" ADD CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN (${BEFORE},'GuardianSet'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "consent_messages" WHERE "type" = 'GuardianSet'`);
    await q.query(`ALTER TABLE "consent_messages" DROP CONSTRAINT "CHK_consent_messages_type"`);
    await q.query(`ALTER TABLE "consent_messages" ADD CONSTRAINT "CHK_consent_messages_type" CHECK ("type" IN (${BEFORE}))`);
  }
}
