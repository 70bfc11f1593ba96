import { Role } from '../../gateway/src/auth/permissions';
import { TokenService } from '../../gateway/src/auth/token.service';
import { AccountFactory } from '../factories/account.factory';
import { PatientFactory } from '../factories/patient.factory';
import { PseudonymFactory } from '../factories/pseudonym.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 12, point 6: every bearer token (a person's, a patient's persona, a patient's
 * pseudonym) expires, refreshes once into a new one within SESSION_MAX_SECONDS of its sign-in,
 * and ends at logout, at once.
 */
describe('Sessions: expiry, refresh and logout for both faces of a patient (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const status = async (token: string, path: string) => (await gw.http.get(path).set(bearer(token))).status;

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it("refreshes a person's token once: the new one works, the old one ends; logout ends the new one and no other session", async () => {
    const doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
    const other = await AccountFactory.person(gw, adminToken, Role.Pharmacist);
    const refreshed = await gw.http.post('/v1/auth/refresh').set(doctor.auth).expect(200);
    expect(refreshed.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const next = refreshed.body.accessToken as string;

    expect(await status(next, '/v1/auth/me')).toBe(200);
    expect(await status(doctor.token, '/v1/auth/me')).toBe(401);
    expect((await gw.http.post('/v1/auth/refresh').set(doctor.auth)).status).toBe(401);

    await gw.http.post('/v1/auth/logout').set(bearer(next)).expect(204);
    expect(await status(next, '/v1/auth/me')).toBe(401);
    expect(await status(other.token, '/v1/auth/me')).toBe(200);
    const events = (await gw.http.get('/v1/security-events').query({ actorAccountId: doctor.id, limit: 5 }).set(bearer(adminToken)).expect(200)).body.events.map((e: { event: string }) => e.event);
    expect(events).toEqual(expect.arrayContaining(['session.refreshed', 'session.ended']));
  });

  it("refreshes and ends a patient's persona token", async () => {
    const patient = await PatientFactory.register(gw, PatientFactory.resident(10));
    const next = (await gw.http.post('/v1/auth/refresh').set(patient.auth).expect(200)).body.accessToken as string;
    expect(await status(next, '/v1/persona')).toBe(200);
    expect(await status(patient.token, '/v1/persona')).toBe(401);
    await gw.http.post('/v1/auth/logout').set(bearer(next)).expect(204);
    expect(await status(next, '/v1/persona')).toBe(401);
  });

  it("refreshes and ends a patient's pseudonym token, whose new token names the pseudonym and still no account", async () => {
    const pseudonym = await PseudonymFactory.registered(gw);
    const { token } = await PseudonymFactory.signedIn(gw, pseudonym);
    const refreshed = await gw.http.post('/v1/auth/refresh').set(bearer(token)).expect(200);
    expect(refreshed.body.expiresIn).toBe(15 * 60);
    const next = refreshed.body.accessToken as string;
    expect((await gw.http.get('/v1/auth/pseudonym/me').set(bearer(next)).expect(200)).body).toEqual({ kind: 'pseudonym', handle: pseudonym.handle });
    expect(await status(token, '/v1/auth/pseudonym/me')).toBe(401);
    await gw.http.post('/v1/auth/logout').set(bearer(next)).expect(204);
    expect(await status(next, '/v1/auth/pseudonym/me')).toBe(401);
  });

  it('refuses to refresh a session older than SESSION_MAX_SECONDS, and a hospital system\'s API key, which is no session', async () => {
    const doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
    const tokens = gw.app.get(TokenService);
    const now = Math.floor(Date.now() / 1000);
    const old = await tokens.signAccount(doctor.id, Role.Doctor, 600, 0, now - 12 * 3600 - 1);
    expect(await status(old, '/v1/auth/me')).toBe(200);
    expect((await gw.http.post('/v1/auth/refresh').set(bearer(old)).expect(401)).body.code).toBe('SESSION_EXPIRED');
    // Refused before anything changed: the token still works until it expires.
    expect(await status(old, '/v1/auth/me')).toBe(200);
    const young = await tokens.signAccount(doctor.id, Role.Doctor, 600, 0, now - 12 * 3600 + 60);
    await gw.http.post('/v1/auth/refresh').set(bearer(young)).expect(200);

    const hospital = await AccountFactory.hospital(gw, adminToken);
    expect((await gw.http.post('/v1/auth/refresh').set(hospital.auth).expect(400)).body.code).toBe('BEARER_TOKEN_REQUIRED');
    expect((await gw.http.post('/v1/auth/logout').set(hospital.auth).expect(400)).body.code).toBe('BEARER_TOKEN_REQUIRED');
  });

  it('gives one token to only one of two concurrent refreshes', async () => {
    const doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
    const answers = await Promise.all([gw.http.post('/v1/auth/refresh').set(doctor.auth), gw.http.post('/v1/auth/refresh').set(doctor.auth)]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 401]);
  });
});
