import { Role } from '../../gateway/src/auth/permissions';
import { AccountFactory } from '../factories/account.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';

/** Issue 10: an administrator lists, disables, re-enables accounts and rotates keys; each takes effect at once. */
describe('account life cycle (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let adminId: string;
  const admin = () => ({ Authorization: `Bearer ${adminToken}` });
  const newestEvent = async (event: string) => (await gw.http.get('/v1/security-events').query({ event, limit: 1 }).set(admin()).expect(200)).body.events[0];

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    adminId = (await gw.http.get('/v1/auth/me').set(admin()).expect(200)).body.id;
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  describe('disable and enable', () => {
    it("cuts a person off at once (their token and their password), and lets them back in when enabled", async () => {
      const password = 'a doctor who is leaving';
      const created = await gw.http.post('/v1/accounts').set(admin()).send({ role: Role.Doctor, username: 'dr.leaving', password, aadhaar: madeUpAadhaar() }).expect(201);
      const token = (await gw.http.post('/v1/auth/login').send({ username: 'dr.leaving', password }).expect(200)).body.accessToken;

      const disabled = await gw.http.post(`/v1/accounts/${created.body.id}/disable`).set(admin()).expect(200);

      expect(disabled.body.disabledAt).toEqual(expect.any(String));
      await gw.http.get('/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
      await gw.http.post('/v1/auth/login').send({ username: 'dr.leaving', password }).expect(401);
      expect(await newestEvent('account.disabled')).toMatchObject({ actorAccountId: adminId, targetId: created.body.id, details: { before: { disabledAt: null } } });

      expect((await gw.http.post(`/v1/accounts/${created.body.id}/enable`).set(admin()).expect(200)).body.disabledAt).toBeNull();
      await gw.http.get('/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
      await gw.http.post('/v1/auth/login').send({ username: 'dr.leaving', password }).expect(200);
      expect(await newestEvent('account.enabled')).toMatchObject({ targetId: created.body.id });
    });

    it("stops a hospital system's API keys at once", async () => {
      const hospital = await AccountFactory.hospital(gw, adminToken);
      await gw.http.get('/v1/auth/me').set(hospital.auth).expect(200);

      await gw.http.post(`/v1/accounts/${hospital.id}/disable`).set(admin()).expect(200);
      await gw.http.get('/v1/auth/me').set(hospital.auth).expect(401);
      await gw.http.post(`/v1/accounts/${hospital.id}/enable`).set(admin()).expect(200);
      await gw.http.get('/v1/auth/me').set(hospital.auth).expect(200);
    });

    it('does not let an administrator disable their own account, and answers 404 for an unknown one', async () => {
      expect((await gw.http.post(`/v1/accounts/${adminId}/disable`).set(admin()).expect(409)).body.code).toBe('CANNOT_DISABLE_SELF');
      expect((await gw.http.post('/v1/accounts/00000000-0000-4000-8000-000000000000/disable').set(admin()).expect(404)).body.code).toBe('ACCOUNT_NOT_FOUND');
      await gw.http.get('/v1/auth/me').set(admin()).expect(200);
    });
  });

  describe('creating accounts', () => {
    it('gives hospital systems no password (API keys only) and people always one', async () => {
      const withPassword = await gw.http.post('/v1/accounts').set(admin()).send({ role: Role.Hospital, username: 'his.with.password', password: 'a long and unusual passphrase' }).expect(422);
      expect(withPassword.body.code).toBe('PASSWORD_NOT_FOR_SYSTEMS');
      const without = await gw.http.post('/v1/accounts').set(admin()).send({ role: Role.Pharmacist, username: 'ph.without' }).expect(422);
      expect(without.body.code).toBe('PASSWORD_REQUIRED');
      const hospital = await gw.http.post('/v1/accounts').set(admin()).send({ role: Role.Hospital, username: 'his.keys.only', aadhaar: madeUpAadhaar() }).expect(201);
      // Nothing to sign in with: the login answers as for any wrong password.
      await gw.http.post('/v1/auth/login').send({ username: 'his.keys.only', password: 'any password at all' }).expect(401);
      expect(hospital.body).toMatchObject({ role: 'hospital', disabledAt: null });
    });

    it("creates an administrator only with the acting administrator's own password again", async () => {
      const account = { role: Role.Admin, username: 'second.admin', password: 'another administrator passphrase' };
      const missing = await gw.http.post('/v1/accounts').set(admin()).send(account).expect(403);
      const wrong = await gw.http.post('/v1/accounts').set(admin()).send({ ...account, currentPassword: 'not my password' }).expect(403);
      expect([missing.body.code, wrong.body.code]).toEqual(['REAUTHENTICATION_REQUIRED', 'REAUTHENTICATION_REQUIRED']);
      await gw.http.get('/v1/accounts').query({ q: 'second.admin' }).set(admin()).expect(200).expect(({ body }) => expect(body.accounts).toEqual([]));

      const created = await gw.http.post('/v1/accounts').set(admin()).send({ ...account, currentPassword: gw.admin!.password }).expect(201);
      expect(await newestEvent('account.created')).toMatchObject({ actorAccountId: adminId, targetId: created.body.id, details: { after: { role: 'admin' } } });
    });
  });

  describe('passwords', () => {
    const signIn = (username: string, password: string) => gw.http.post('/v1/auth/login').send({ username, password });

    it('lets a person change their own password with the current one; their other sessions end, this one goes on', async () => {
      const old = 'the nurse first passphrase';
      await gw.http.post('/v1/accounts').set(admin()).send({ role: Role.Pharmacist, username: 'ph.changes', password: old, aadhaar: madeUpAadhaar() }).expect(201);
      const other = (await signIn('ph.changes', old).expect(200)).body.accessToken;
      const mine = (await signIn('ph.changes', old).expect(200)).body.accessToken;
      const change = (body: Record<string, string>) => gw.http.post('/v1/auth/password').set('Authorization', `Bearer ${mine}`).send(body);

      expect((await change({ currentPassword: 'not it', newPassword: 'a brand new passphrase' }).expect(403)).body.code).toBe('WRONG_PASSWORD');
      const refused = await change({ currentPassword: old, newPassword: 'ph.changes-2026' }).expect(400);
      expect(refused.body.details.errors).toEqual([{ field: 'newPassword', problems: ['newPassword must not contain the username or the service name'] }]);
      await signIn('ph.changes', old).expect(200);

      const changed = await change({ currentPassword: old, newPassword: 'a brand new passphrase' }).expect(200);

      await gw.http.get('/v1/auth/me').set('Authorization', `Bearer ${changed.body.accessToken}`).expect(200);
      // Sessions opened before the change end, however close to it.
      await gw.http.get('/v1/auth/me').set('Authorization', `Bearer ${other}`).expect(401);
      await signIn('ph.changes', old).expect(401);
      await signIn('ph.changes', 'a brand new passphrase').expect(200);
      expect(await newestEvent('password.changed')).toMatchObject({ actorKind: 'account', targetType: 'account' });
    });

    it("lets an administrator reset a person's password (shown once), ending their sessions; an administrator's only with their own password again", async () => {
      const person = await AccountFactory.person(gw, adminToken, Role.Doctor);
      const reset = await gw.http.post(`/v1/accounts/${person.id}/password-reset`).set(admin()).send({}).expect(200);

      await signIn(person.username, reset.body.password).expect(200);
      await gw.http.get('/v1/auth/me').set(person.auth).expect(401);
      expect(await newestEvent('password.reset')).toMatchObject({ actorAccountId: adminId, targetId: person.id });

      const other = await gw.http.post('/v1/accounts').set(admin()).send({ role: Role.Admin, username: 'third.admin', password: 'third administrator passphrase', currentPassword: gw.admin!.password }).expect(201);
      expect((await gw.http.post(`/v1/accounts/${other.body.id}/password-reset`).set(admin()).send({}).expect(403)).body.code).toBe('REAUTHENTICATION_REQUIRED');
      await gw.http.post(`/v1/accounts/${other.body.id}/password-reset`).set(admin()).send({ currentPassword: gw.admin!.password }).expect(200);
      const hospital = await AccountFactory.hospital(gw, adminToken);
      expect((await gw.http.post(`/v1/accounts/${hospital.id}/password-reset`).set(admin()).send({}).expect(422)).body.code).toBe('NO_PASSWORD');
    });
  });

  describe('listing accounts', () => {
    it('filters by role, username prefix (an underscore is no wildcard) and status, in username order, page by page', async () => {
      for (const username of ['lc_a1', 'lc_a2', 'lc_a3', 'lcxa4']) {
        await gw.http.post('/v1/accounts').set(admin()).send({ role: Role.Researcher, username, password: 'a long and unusual passphrase' }).expect(201);
      }
      const page = (query: Record<string, string | number>) => gw.http.get('/v1/accounts').query(query).set(admin()).expect(200).then((res) => res.body);

      const first = await page({ q: 'lc_', limit: 2 });
      expect(first.accounts.map((a: { username: string }) => a.username)).toEqual(['lc_a1', 'lc_a2']);
      const second = await page({ q: 'lc_', limit: 2, after: first.next });
      expect(second).toEqual({ accounts: [expect.objectContaining({ username: 'lc_a3', role: 'researcher' })], next: null });

      const lc3 = second.accounts[0].id;
      await gw.http.post(`/v1/accounts/${lc3}/disable`).set(admin()).expect(200);
      expect((await page({ q: 'lc', status: 'disabled' })).accounts.map((a: { id: string }) => a.id)).toEqual([lc3]);
      expect((await page({ role: 'researcher', status: 'active' })).accounts.map((a: { username: string }) => a.username)).toEqual(['lc_a1', 'lc_a2', 'lcxa4']);
    });

    it('refuses a page larger than 100 or a malformed filter, and non-administrators', async () => {
      const res = await gw.http.get('/v1/accounts').query({ limit: 101, role: 'surgeon', q: 'A%' }).set(admin()).expect(400);
      expect(res.body.details.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'q', 'role']);
      const doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
      await gw.http.get('/v1/accounts').set(doctor.auth).expect(403);
    });
  });

  describe('API keys', () => {
    it('lists keys by their public prefix with when each was last used, never the key', async () => {
      const hospital = await AccountFactory.hospital(gw, adminToken);
      const before = (await gw.http.get(`/v1/accounts/${hospital.id}/api-keys`).set(admin()).expect(200)).body;
      expect(before).toEqual([expect.objectContaining({ id: hospital.apiKeyId, lastUsedAt: null, revokedAt: null, expiresAt: null })]);

      await gw.http.get('/v1/auth/me').set(hospital.auth).expect(200);

      const after = (await gw.http.get(`/v1/accounts/${hospital.id}/api-keys`).set(admin()).expect(200)).body;
      expect(after[0].lastUsedAt).toEqual(expect.any(String));
      expect(hospital.apiKey).toContain(`_${after[0].prefix}_`);
      expect(JSON.stringify(after)).not.toContain(hospital.apiKey.split('_').pop());
    });

    it('rotates a key: the new key works at once and the old one through the overlap; with no overlap the old stops at once', async () => {
      const hospital = await AccountFactory.hospital(gw, adminToken);
      const rotated = (await gw.http.post(`/v1/accounts/${hospital.id}/api-keys/${hospital.apiKeyId}/rotate`).set(admin()).send({}).expect(201)).body;

      expect(new Date(rotated.previousKeyExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
      await gw.http.get('/v1/auth/me').set('X-API-Key', rotated.key).expect(200);
      await gw.http.get('/v1/auth/me').set(hospital.auth).expect(200);
      expect(await newestEvent('api_key.rotated')).toMatchObject({ targetId: rotated.id, details: { previousKeyId: hospital.apiKeyId } });
      // A key already rotated out is not rotated again.
      expect((await gw.http.post(`/v1/accounts/${hospital.id}/api-keys/${hospital.apiKeyId}/rotate`).set(admin()).send({}).expect(404)).body.code).toBe('API_KEY_NOT_FOUND');

      const again = (await gw.http.post(`/v1/accounts/${hospital.id}/api-keys/${rotated.id}/rotate`).set(admin()).send({ overlapHours: 0 }).expect(201)).body;
      await gw.http.get('/v1/auth/me').set('X-API-Key', rotated.key).expect(401);
      await gw.http.get('/v1/auth/me').set('X-API-Key', again.key).expect(200);
    });
  });
});
