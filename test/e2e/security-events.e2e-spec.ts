import { Role } from '../../gateway/src/auth/permissions';
import { AccountFactory, TestPerson } from '../factories/account.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/** Issue 10: what an administrator investigating an incident finds in the security audit trail. */
describe('security audit trail (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let adminId: string;
  let doctor: TestPerson;
  const admin = () => ({ Authorization: `Bearer ${adminToken}` });

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    adminId = (await gw.http.get('/v1/auth/me').set(admin()).expect(200)).body.id;
    doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  /** The newest events, optionally of one kind. */
  const trail = async (query: Record<string, string | number> = {}) =>
    (await gw.http.get('/v1/security-events').query(query).set(admin()).expect(200)).body as { events: Array<Record<string, unknown>>; next: string | null };
  const newest = async (event: string) => (await trail({ event, limit: 1 })).events[0];

  it('records a failed sign-in with the username, address and request id, and never the password', async () => {
    const res = await gw.http.post('/v1/auth/login').set('X-Request-Id', 'incident-42').send({ username: 'admin', password: 'guessing wrong on purpose' }).expect(401);

    expect(await newest('login.failed')).toMatchObject({
      actorKind: 'anonymous', actorAccountId: null, username: 'admin', clientAddress: expect.stringMatching(/127\.0\.0\.1/), requestId: res.headers['x-request-id'],
    });
    expect(JSON.stringify(await trail())).not.toContain('guessing wrong on purpose');
  });

  it('records a successful sign-in as the account that signed in', async () => {
    await gw.http.post('/v1/auth/login').send(gw.admin!).expect(200);

    expect(await newest('login.succeeded')).toMatchObject({ actorKind: 'account', actorAccountId: adminId, username: 'admin' });
  });

  it('records a rejected API key without the key, and a refused permission with the route and the permission', async () => {
    const forged = `ehr_${'a'.repeat(12)}_${'b'.repeat(43)}`;
    await gw.http.get('/v1/auth/me').set('X-API-Key', forged).expect(401);
    await gw.http.get(`/v1/accounts/${adminId}`).set(doctor.auth).expect(403);

    expect(await newest('credential.rejected')).toMatchObject({ actorKind: 'anonymous', details: { route: 'GET /v1/auth/me', credential: 'API key' } });
    expect(JSON.stringify(await trail())).not.toContain(forged);
    expect(await newest('permission.denied')).toMatchObject({
      actorKind: 'account', actorAccountId: doctor.id, details: { route: 'GET /v1/accounts/:id', permission: 'account.read', code: 'FORBIDDEN' },
    });
  });

  it("records each administrator's act with its target and the state after", async () => {
    const hospital = await AccountFactory.hospital(gw, adminToken);
    await gw.http.delete(`/v1/accounts/${hospital.id}/api-keys/${hospital.apiKeyId}`).set(admin()).expect(204);

    expect(await newest('account.created')).toMatchObject({ actorAccountId: adminId, targetType: 'account', targetId: hospital.id, details: { after: { role: 'hospital' } } });
    expect(await newest('api_key.created')).toMatchObject({ actorAccountId: adminId, targetType: 'api_key', targetId: hospital.apiKeyId, details: { after: { accountId: hospital.id } } });
    expect(await newest('api_key.revoked')).toMatchObject({ actorAccountId: adminId, targetId: hospital.apiKeyId, details: { before: { revoked: false }, after: { revoked: true } } });
    // The first administrator, created at first start, is in the trail too.
    const firstAdmin = (await trail({ event: 'account.created', limit: 100 })).events.find((e) => e.targetId === adminId);
    expect(firstAdmin).toMatchObject({ actorKind: 'anonymous', details: { firstStart: true } });
  });

  it('pages newest first with a cursor, and filters by actor', async () => {
    const first = await trail({ limit: 2 });
    const second = await trail({ limit: 2, before: first.next! });

    expect(first.events).toHaveLength(2);
    expect(Number(first.events[0]!.id)).toBeGreaterThan(Number(first.events[1]!.id));
    expect(Number(second.events[0]!.id)).toBeLessThan(Number(first.events[1]!.id));
    const byDoctor = await trail({ actorAccountId: doctor.id });
    expect(byDoctor.events.length).toBeGreaterThan(0);
    expect(byDoctor.events.every((e) => e.actorAccountId === doctor.id)).toBe(true);
  });

  it('is for administrators only, and refuses a malformed filter', async () => {
    await gw.http.get('/v1/security-events').set(doctor.auth).expect(403);
    const res = await gw.http.get('/v1/security-events').query({ event: 'everything', limit: 1000 }).set(admin()).expect(400);
    expect(res.body.details.errors.map((e: { field: string }) => e.field).sort()).toEqual(['event', 'limit']);
  });
});
