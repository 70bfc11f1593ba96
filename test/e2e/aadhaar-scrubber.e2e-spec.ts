import { KeyStore } from '../../gateway/src/keys/key-store';
import { withCheckDigit as aadhaarLike } from '../../gateway/src/identity/aadhaar';
import { AccountFactory } from '../factories/account.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 12, point 2: no Aadhaar number or VID reaches a log, a metric, an error body or the audit trail, however
 * a caller sends it (in a path, a query, a body, grouped or not). Each request here puts one
 * where the gateway echoes or logs what it was sent.
 */
describe('Aadhaar numbers never leave the gateway in logs, metrics or errors (e2e)', () => {
  let gw: TestApp;
  const aadhaar = aadhaarLike('87654321098');
  const vid = aadhaarLike('765432109876543');
  const grouped = `${aadhaar.slice(0, 4)} ${aadhaar.slice(4, 8)} ${aadhaar.slice(8)}`;
  const leaks = (text: string): string[] => [aadhaar, vid, grouped, aadhaar.slice(0, 8)].filter((secret) => text.includes(secret));

  beforeAll(async () => {
    gw = await createTestApp({ env: { LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('masks them in error bodies, log lines and metrics', async () => {
    const adminToken = await AccountFactory.adminToken(gw);
    const admin = { Authorization: `Bearer ${adminToken}` };

    const bodies = [
      // Fastify's own 404 echoes the path.
      await gw.http.get(`/v1/patients/${aadhaar}`).set(admin),
      await gw.http.get(`/v1/patients/${encodeURIComponent(grouped)}`).set(admin),
      await gw.http.get(`/v1/accounts/${vid}`).set(admin),
      await gw.http.get(`/health?aadhaar=${aadhaar}`),
      // A value where a role was expected, and a username nobody has.
      await gw.http.post('/v1/accounts').set(admin).send({ role: aadhaar, username: `u${vid}` }),
      await gw.http.post('/v1/auth/login').send({ username: grouped, password: 'whatever it is' }),
    ];
    const metrics = (await gw.http.get('/metrics').set('Authorization', `Bearer ${gw.app.get(KeyStore).metricsToken()}`).expect(200)).text;

    expect(bodies.map((res) => res.status)).toEqual([404, 404, 400, 200, 400, 401]);
    expect(bodies.flatMap((res) => leaks(JSON.stringify(res.body)))).toEqual([]);
    expect(JSON.stringify(bodies[0]!.body)).toContain(`XXXX XXXX ${aadhaar.slice(-4)}`);
    expect(leaks(gw.logs.join(''))).toEqual([]);
    expect(gw.logs.join('')).toContain(`XXXX XXXX ${aadhaar.slice(-4)}`);
    expect(leaks(metrics)).toEqual([]);
    // The security audit trail keeps what a failed sign-in typed as its username: masked, at rest too.
    const refused = (await gw.http.get('/v1/security-events').query({ event: 'login.failed', limit: 1 }).set(admin).expect(200)).body.events[0];
    expect(refused.username).toBe(`XXXX XXXX ${aadhaar.slice(-4)}`);
  });
});
