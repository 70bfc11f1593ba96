import { MigrationInterface, QueryRunner } from 'typeorm';

/** The security audit trail: sign-ins, refused credentials and permissions, administrators' acts. */
export class SecurityEvents1796122800000 implements MigrationInterface {
  name = 'SecurityEvents1796122800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "security_events" (
        "id" BIGSERIAL NOT NULL,
        "at" timestamptz NOT NULL DEFAULT now(),
        "event" varchar(40) NOT NULL,
        "actor_kind" varchar(10) NOT NULL,
        "actor_account_id" uuid,
        "username" varchar(64),
        "target_type" varchar(20),
        "target_id" varchar(64),
        "client_address" varchar(45),
        "request_id" varchar(64),
        "details" jsonb,
        CONSTRAINT "PK_security_events" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_security_events_at" ON "security_events" ("at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "security_events"`);
  }
}
