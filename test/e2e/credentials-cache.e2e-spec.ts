import { DataSource } from 'typeorm';
import { CredentialsCache } from '../../gateway/src/accounts/credentials-cache';
import { sha256Hex } from '../../gateway/src/auth/secrets';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { Role } from '../../gateway/src/auth/permissions';
import { AccountFactory } from '../factories/account.factory';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';

/**
 * Issue 11: credential checks come from memory (no database round trip per request), and a
 * change made through any process of the deployment ends what every process cached. On
 * Postgres the test runs two gateway processes' worth of apps on one database (as
 * GATEWAY_WORKERS or replicas do): A checks, B changes. PGlite is one process's database, so
 * there the one gateway is both A and B.
 *
 * Another process hears a change when Postgres delivers the NOTIFY sent at commit: within
 * milliseconds, so the checks on A wait up to a second for it (the cache would otherwise keep
 * an entry for minutes, so a missing invalidation still fails the test).
 */
describe('cached credential checks across gateway processes (e2e)', () => {
  const onPostgres = !!process.env.DATABASE_URL;
  let a: TestApp;
  let b: TestApp;
  let adminToken: string;
  const admin = () => ({ Authorization: `Bearer ${adminToken}` });
  const refusedOnA = (auth: Record<string, string>) => eventually(async () => expect((await a.http.get('/v1/auth/me').set(auth)).status).toBe(401), { timeoutMs: 1_000 });
  const cachedOnA = (key: string) => a.app.get(CredentialsCache).apiKey(sha256Hex(key));

  beforeAll(async () => {
    a = await createTestApp();
    adminToken = await AccountFactory.adminToken(a);
    b = onPostgres ? await createTestApp({ previous: a.config, env: { CHAIN_EMBEDDED_RPC_URL: a.app.get(ChainClient).rpcUrl } }) : a;
  });
  afterAll(async () => {
    if (b !== a) await b?.close();
    await a?.close();
    if (a) await removeGatewayData(a.config);
  });

  it("serves a hospital key from memory once checked, and refuses it on A as soon as B disables the account", async () => {
    const hospital = await AccountFactory.hospital(b, adminToken);
    expect(cachedOnA(hospital.apiKey)).toBeUndefined();
    await a.http.get('/v1/auth/me').set(hospital.auth).expect(200);
    expect(cachedOnA(hospital.apiKey)).toMatchObject({ keyId: hospital.apiKeyId, account: { id: hospital.id, role: Role.Hospital, disabled: false } });

    await b.http.post(`/v1/accounts/${hospital.id}/disable`).set(admin()).expect(200);

    await refusedOnA(hospital.auth);
    // What A knows of the key now is the account as disabled (read again since), never as it was.
    expect(cachedOnA(hospital.apiKey)?.account.disabled ?? true).toBe(true);
  });

  it('stops a key rotated out with no overlap on A, and takes its successor there at once', async () => {
    const hospital = await AccountFactory.hospital(b, adminToken);
    await a.http.get('/v1/auth/me').set(hospital.auth).expect(200);

    const rotated = (await b.http.post(`/v1/accounts/${hospital.id}/api-keys/${hospital.apiKeyId}/rotate`).set(admin()).send({ overlapHours: 0 }).expect(201)).body;

    await refusedOnA(hospital.auth);
    await a.http.get('/v1/auth/me').set({ 'X-API-Key': rotated.key }).expect(200);
  });

  it('ends on A a token logged out on B, and a token B refreshed', async () => {
    const doctor = await AccountFactory.person(b, adminToken, Role.Doctor);
    const second = await AccountFactory.person(b, adminToken, Role.Pharmacist);
    await a.http.get('/v1/auth/me').set(doctor.auth).expect(200);
    await a.http.get('/v1/auth/me').set(second.auth).expect(200);

    await b.http.post('/v1/auth/logout').set(doctor.auth).expect(204);
    await b.http.post('/v1/auth/refresh').set(second.auth).expect(200);

    await refusedOnA(doctor.auth);
    await refusedOnA(second.auth);
  });

  it("ends on A a person's session whose password B reset", async () => {
    const doctor = await AccountFactory.person(b, adminToken, Role.Doctor);
    await a.http.get('/v1/auth/me').set(doctor.auth).expect(200);
    expect(a.app.get(CredentialsCache).account(doctor.id)).toMatchObject({ id: doctor.id, disabled: false });

    await b.http.post(`/v1/accounts/${doctor.id}/password-reset`).set(admin()).send({}).expect(200);

    await refusedOnA(doctor.auth);
  });

  it('stops on A a key B revoked, and ends on A the other sessions of a person who changed their own password on B', async () => {
    const hospital = await AccountFactory.hospital(b, adminToken);
    await a.http.get('/v1/auth/me').set(hospital.auth).expect(200);
    await b.http.delete(`/v1/accounts/${hospital.id}/api-keys/${hospital.apiKeyId}`).set(admin()).expect(204);
    await refusedOnA(hospital.auth);

    const password = 'the nurse who left her laptop open';
    await b.http.post('/v1/accounts').set(admin()).send({ role: Role.Doctor, username: 'dr.laptop', password, aadhaar: madeUpAadhaar() }).expect(201);
    const login = async () => ({ Authorization: `Bearer ${(await b.http.post('/v1/auth/login').send({ username: 'dr.laptop', password }).expect(200)).body.accessToken}` });
    const [onTheLaptop, atHome] = [await login(), await login()];
    await a.http.get('/v1/auth/me').set(onTheLaptop).expect(200);

    const changed = await b.http.post('/v1/auth/password').set(atHome).send({ currentPassword: password, newPassword: 'a new one nobody has seen' }).expect(200);

    await refusedOnA(onTheLaptop);
    await a.http.get('/v1/auth/me').set({ Authorization: `Bearer ${changed.body.accessToken}` }).expect(200);
  });

  if (onPostgres) {
    // PGlite has no listening connection to lose: there every change is made in the one process.
    const listeners = async (db: DataSource): Promise<number[]> =>
      (await db.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [a.app.get(CredentialsCache).channel])).map((row: { pid: number }) => row.pid);

    it('forgets everything when its listening connection is lost, caches nothing meanwhile, and hears changes again once it listens again', async () => {
      const hospital = await AccountFactory.hospital(b, adminToken);
      await a.http.get('/v1/auth/me').set(hospital.auth).expect(200);
      expect(cachedOnA(hospital.apiKey)).toBeDefined();

      // Both apps listen (this schema's channel only: other test files' gateways are not touched).
      const db = b.app.get(DataSource);
      expect(await listeners(db)).toHaveLength(2);
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [a.app.get(CredentialsCache).channel]);
      await eventually(() => expect(cachedOnA(hospital.apiKey)).toBeUndefined(), { timeoutMs: 5_000 });

      // Listening again (within a second or two), it caches again and hears B's next change.
      await eventually(async () => {
        await a.http.get('/v1/auth/me').set(hospital.auth).expect(200);
        expect(cachedOnA(hospital.apiKey)).toBeDefined();
      }, { timeoutMs: 10_000, intervalMs: 200 });
      await eventually(async () => expect(await listeners(db)).toHaveLength(2));
      await b.http.post(`/v1/accounts/${hospital.id}/disable`).set(admin()).expect(200);
      await refusedOnA(hospital.auth);
    });

    it('goes dark when its listening connection hangs without an error (it pings itself every few seconds)', async () => {
      const hospital = await AccountFactory.hospital(b, adminToken);
      await a.http.get('/v1/auth/me').set(hospital.auth).expect(200);
      expect(cachedOnA(hospital.apiKey)).toBeDefined();
      const db = b.app.get(DataSource);
      const hung = await listeners(db);

      // Stop both listeners' server processes, as a dropped route would: no error, no notification.
      for (const pid of hung) process.kill(pid, 'SIGSTOP');
      try {
        await eventually(() => expect(cachedOnA(hospital.apiKey)).toBeUndefined(), { timeoutMs: 10_000, intervalMs: 100 });
      } finally {
        for (const pid of hung) process.kill(pid, 'SIGCONT');
      }
      await eventually(async () => {
        await a.http.get('/v1/auth/me').set(hospital.auth).expect(200);
        expect(cachedOnA(hospital.apiKey)).toBeDefined();
      }, { timeoutMs: 10_000, intervalMs: 200 });
    });
  }
});
