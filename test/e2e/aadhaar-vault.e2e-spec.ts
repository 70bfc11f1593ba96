import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { Role } from '../../gateway/src/auth/permissions';
import { companionSchema } from '../../gateway/src/database/companion-schemas';
import { AadhaarVault } from '../../gateway/src/identity/aadhaar-vault';
import { madeUpAadhaar, SANDBOX_RESIDENTS } from '../../gateway/src/identity/sandbox-ekyc';
import { Keyring } from '../../gateway/src/keys/keyring';
import { rewrapTable } from '../../gateway/src/keys/rewrap';
import { WRAPPED_KEY_TABLES } from '../../gateway/src/keys-rotate';
import { webhookKeyAad } from '../../gateway/src/webhooks/webhook-sender';
import { AccountFactory } from '../factories/account.factory';
import { dumpSchemas, PatientFactory } from '../factories/patient.factory';
import { RecordFactory } from '../factories/record.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

const ROTATE_JS = join(__dirname, '..', '..', 'dist', 'gateway', 'src', 'keys-rotate.js');

/**
 * Issue 12, points 1, 2 and 4: practitioners and hospitals' officers are registered with an
 * Aadhaar number, which only the vault keeps; reading it back in full is a permission of its own
 * and audited; rotating the keyring rewraps every data key and leaves every persona readable.
 */
describe('The Aadhaar vault and key rotation (e2e)', () => {
  let gw: TestApp;
  let db: DataSource;
  let admin: { Authorization: string };
  const vaultEntries = async (): Promise<number> =>
    Number(((await db.query(`SELECT count(*)::int AS n FROM "${companionSchema(gw.config.database.schema, 'aadhaar_vault')}"."entries"`)) as { n: number }[])[0]!.n);
  const createDoctor = (fields: Record<string, unknown>) =>
    gw.http.post('/v1/accounts').set(admin).send({ role: Role.Doctor, password: 'a long and unusual passphrase', ...fields });

  beforeAll(async () => {
    gw = await createTestApp();
    db = gw.app.get(DataSource);
    admin = { Authorization: `Bearer ${await AccountFactory.adminToken(gw)}` };
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it("keeps a doctor's Aadhaar number only in the vault, sealed, and refuses it twice", async () => {
    const aadhaar = madeUpAadhaar();
    const created = await createDoctor({ username: 'dr.vault', aadhaar: `${aadhaar.slice(0, 4)}-${aadhaar.slice(4, 8)}-${aadhaar.slice(8)}` }).expect(201);
    expect(JSON.stringify(created.body)).not.toContain(aadhaar.slice(0, 8));
    const [account] = (await db.query(`SELECT "aadhaar_ref" FROM "accounts" WHERE "id" = $1`, [created.body.id])) as { aadhaar_ref: string }[];
    expect(account!.aadhaar_ref).toMatch(/^[0-9a-f-]{36}$/);
    const dump = await dumpSchemas(db, [gw.config.database.schema, companionSchema(gw.config.database.schema, 'persona'), companionSchema(gw.config.database.schema, 'aadhaar_vault')]);
    expect(dump).not.toContain(aadhaar);
    // The audit trail says which number, masked.
    const events = await gw.http.get('/v1/security-events').query({ event: 'account.created', limit: 1 }).set(admin).expect(200);
    expect(events.body.events[0].details.after.aadhaar).toBe(`XXXX XXXX ${aadhaar.slice(-4)}`);

    const entries = await vaultEntries();
    const twice = await createDoctor({ username: 'dr.vault.again', aadhaar }).expect(409);
    expect(twice.body.code).toBe('AADHAAR_IN_USE');
    expect(await vaultEntries()).toBe(entries);
    await gw.http.get('/v1/accounts').query({ q: 'dr.vault.again' }).set(admin).expect(200).expect((res) => expect(res.body.accounts).toEqual([]));
  });

  it('refuses a missing, malformed or VID number for a practitioner, and a patient made by an administrator, creating nothing', async () => {
    const entries = await vaultEntries();
    const body = async (fields: Record<string, unknown>, status: number) => (await createDoctor({ username: 'dr.refused', ...fields }).expect(status)).body.code as string;
    expect(await body({}, 422)).toBe('AADHAAR_REQUIRED');
    expect(await body({ aadhaar: '1234 5678 9012' }, 400)).toBe('AADHAAR_FIRST_DIGIT');
    expect(await body({ aadhaar: SANDBOX_RESIDENTS[0]!.vid }, 422)).toBe('VID_NOT_ACCEPTED');
    expect((await gw.http.post('/v1/accounts').set(admin).send({ role: Role.Hospital, username: 'his.no.officer' }).expect(422)).body.code).toBe('AADHAAR_REQUIRED');
    expect((await gw.http.post('/v1/accounts').set(admin).send({ role: Role.Patient, username: 'pt.by.admin', password: 'a long and unusual passphrase' }).expect(422)).body.code).toBe(
      'PATIENTS_REGISTER_THEMSELVES',
    );
    expect(await vaultEntries()).toBe(entries);
    expect((await gw.http.get('/v1/accounts').query({ q: 'dr.refused' }).set(admin).expect(200)).body.accounts).toEqual([]);
  });

  it('gives the number back in full only to a holder of aadhaar.resolve, and audits both', async () => {
    const aadhaar = madeUpAadhaar();
    const created = await createDoctor({ username: 'dr.resolved', aadhaar }).expect(201);
    const [{ aadhaar_ref: reference }] = (await db.query(`SELECT "aadhaar_ref" FROM "accounts" WHERE "id" = $1`, [created.body.id])) as { aadhaar_ref: string }[];
    const vault = gw.app.get(AadhaarVault);
    const hospital = await AccountFactory.hospital(gw, admin.Authorization.slice(7));

    await expect(vault.resolve(reference!, 'curiosity', { actor: { kind: 'account', accountId: hospital.id, role: Role.Hospital, via: 'api-key' } })).rejects.toMatchObject({ code: 'AADHAAR_RESOLVE_FORBIDDEN' });
    const adminId = (await gw.http.get('/v1/auth/me').set(admin).expect(200)).body.id as string;
    expect(await vault.resolve(reference!, 'eKYC re-verification', { actor: { kind: 'account', accountId: adminId, role: Role.Admin, via: 'jwt' } })).toBe(aadhaar);

    const resolved = (await gw.http.get('/v1/security-events').query({ event: 'aadhaar.resolved', limit: 1 }).set(admin).expect(200)).body.events[0];
    expect(resolved).toMatchObject({ actorAccountId: adminId, targetType: 'aadhaar_ref', targetId: reference, details: { purpose: 'eKYC re-verification' } });
    const denied = (await gw.http.get('/v1/security-events').query({ event: 'permission.denied', limit: 1 }).set(admin).expect(200)).body.events[0];
    expect(denied).toMatchObject({ actorAccountId: hospital.id, targetId: reference, details: { code: 'AADHAAR_RESOLVE_FORBIDDEN' } });
    expect(gw.logs.join('')).not.toContain(aadhaar);
  });

  it('RACE: an erasure and an account naming the same entry at once leave the entry in place', async () => {
    const aadhaar = madeUpAadhaar();
    const vault = gw.app.get(AadhaarVault);
    const { reference } = await vault.deposit(aadhaar);
    let deposited!: () => void;
    let release!: () => void;
    const [ready, gate] = [new Promise<void>((resolve) => (deposited = resolve)), new Promise<void>((resolve) => (release = resolve))];
    // An administrator creating a doctor with this number: the deposit finds the entry, the account row comes later.
    const creating = db.transaction(async (em) => {
      const entry = await vault.deposit(aadhaar, em);
      deposited();
      await gate;
      await em.query(`INSERT INTO "accounts" ("role", "username", "aadhaar_ref") VALUES ('doctor', 'dr.race', $1)`, [entry.reference]);
    });
    await ready;
    // Meanwhile the patient with this number erases their persona: the entry goes unless something names it.
    const named = (em: EntityManager) => async () => ((await em.query(`SELECT 1 FROM "accounts" WHERE "aadhaar_ref" = $1`, [reference])) as unknown[]).length > 0;
    const erasing = db.transaction((em) => vault.eraseUnlessNamed(reference, em, named(em)));
    setTimeout(release, 100);
    await creating;
    expect(await erasing).toBe(false);
    expect(await vault.masked(reference)).toBe(`XXXX XXXX ${aadhaar.slice(-4)}`);
  });

  it('rotates the keyring: every data key is rewrapped under the new key, and every persona still opens', async () => {
    const patient = await PatientFactory.register(gw, PatientFactory.resident(7));
    const before = (await gw.http.get('/v1/persona').set(patient.auth).expect(200)).body;
    // A hospital's webhook: its signing secret is wrapped by the keyring too.
    const hospital = await RecordFactory.hospital(gw, await AccountFactory.adminToken(gw));
    const webhook = await gw.http.post('/v1/webhooks').set(hospital.auth).send({ url: 'https://his.example-hospital.in/ehrchain' }).expect(201);
    const sealedBefore = await db.query(`SELECT "id", "sealed_fields" FROM "${companionSchema(gw.config.database.schema, 'persona')}"."personas" ORDER BY "id"`);

    const keyring = gw.app.get(Keyring);
    const old = keyring.activeKeyId;
    const fresh = await keyring.rotate();
    // Records' keys rotate too: records.e2e-spec.ts files records and checks them.
    const tables = WRAPPED_KEY_TABLES(gw.config.database.schema).filter((t) => t.table !== 'records');
    const counts = [];
    for (const table of tables) counts.push(await rewrapTable(db, keyring, table));
    expect(counts.every((n) => n > 0)).toBe(true);
    for (const table of tables) {
      // The column the rewrap pass selects by, and the key id inside each wrapped key, which unwrapping goes by.
      const ids = (await db.query(`SELECT DISTINCT "key_id", split_part("wrapped_key", '.', 2) AS "wrapped_under" FROM "${table.schema}"."${table.table}"`)) as { key_id: string; wrapped_under: string }[];
      expect({ table: table.table, keyIds: ids }).toEqual({ table: table.table, keyIds: [{ key_id: fresh, wrapped_under: fresh }] });
    }
    expect(fresh).not.toBe(old);
    // Nothing but the wrapped keys changed, and everything opens as before.
    expect(await db.query(`SELECT "id", "sealed_fields" FROM "${companionSchema(gw.config.database.schema, 'persona')}"."personas" ORDER BY "id"`)).toEqual(sealedBefore);
    expect((await gw.http.get('/v1/persona').set(patient.auth).expect(200)).body).toEqual(before);
    await gw.http.post('/v1/auth/persona/token').send(await PatientFactory.signInCode(gw, patient.resident)).expect(200);
    // The webhook's secret still opens (bound to its subscription), and is the one shown at creation.
    const [{ wrapped_key: wrapped }] = (await db.query(`SELECT "wrapped_key" FROM "${gw.config.database.schema}"."webhook_subscriptions" WHERE "id" = $1`, [webhook.body.id])) as { wrapped_key: string }[];
    expect(keyring.unwrap(wrapped!, webhookKeyAad(webhook.body.id)).toString('base64url')).toBe(webhook.body.secret);
    // A second run finds nothing left to do.
    for (const table of tables) expect(await rewrapTable(db, keyring, table)).toBe(0);
  });
});

describe('npm run keys:rotate (e2e)', () => {
  it('rotates the keyring of a stopped gateway and rewraps its data keys; the gateway reads every persona and record after restart', async () => {
    const first = await createTestApp();
    let second: TestApp | undefined;
    try {
      const patient = await PatientFactory.register(first, PatientFactory.resident(8));
      const before = (await first.http.get('/v1/persona').set(patient.auth).expect(200)).body;
      const hospital = await RecordFactory.hospital(first, await AccountFactory.adminToken(first));
      const pseudonym = await RecordFactory.patient(first);
      const { recordId } = await RecordFactory.file(first, hospital, pseudonym, 'sealed before the rotation');
      const oldKey = first.app.get(Keyring).activeKeyId;
      await first.close();

      const env = { ...process.env, DATA_DIR: first.config.dataDir, DATABASE_SCHEMA: first.config.database.schema, LOG_LEVEL: 'silent' };
      const run = spawnSync(process.execPath, [ROTATE_JS], { env, encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      const result = JSON.parse(run.stdout) as { activeKeyId: string; rewrapped: Record<string, number> };
      expect(result.activeKeyId).not.toBe(oldKey);
      expect(Object.values(result.rewrapped)).toEqual([1, 2, 1, 0]); // a persona; the patient's and the hospital officer's vault entries; a record; no webhook
      expect(run.stdout).not.toContain(patient.resident.aadhaar);

      second = await createTestApp({ previous: first.config });
      expect(second.app.get(Keyring).activeKeyId).toBe(result.activeKeyId);
      expect((await second.http.get('/v1/persona').set(patient.auth).expect(200)).body).toEqual(before);
      expect(await RecordFactory.note(second, pseudonym, recordId)).toEqual({ status: 200, note: 'sealed before the rotation' });
    } finally {
      await second?.close();
      await removeGatewayData(first.config);
    }
  });
});
