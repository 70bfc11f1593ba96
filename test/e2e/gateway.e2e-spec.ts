import { ModulesContainer } from '@nestjs/core';
import { Role } from '../../gateway/src/auth/permissions';
import { controllersOf, listRoutes, personaExposures } from '../../gateway/src/auth/route-access';
import { parseApiKey } from '../../gateway/src/auth/secrets';
import { AccountEntity } from '../../gateway/src/accounts/account.entity';
import { DataSource } from 'typeorm';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { KeyStore } from '../../gateway/src/keys/key-store';
import { AccountFactory } from '../factories/account.factory';
import { removeGatewayData, createTestApp, TestApp } from '../support/test-app';

/** The skeleton every feature relies on: docs, health, auth, errors, logs and metrics. */
describe('gateway (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    gw = await createTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
    adminToken = await AccountFactory.adminToken(gw);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const admin = () => ({ Authorization: `Bearer ${adminToken}` });
  const accounts = () => gw.app.get(DataSource).getRepository(AccountEntity);

  describe('operations', () => {
    it('reports database, chain and IPFS up on /health', async () => {
      const res = await gw.http.get('/health').expect(200);
      expect(res.body.status).toBe('ok');
      expect(Object.keys(res.body.info).sort()).toEqual(['chain', 'database', 'ipfs']);
      expect(res.body.info.chain.head).toBeGreaterThan(0);
    });

    it('serves the Swagger UI and an OpenAPI document with both security schemes', async () => {
      const ui = await gw.http.get('/docs').expect(200);
      expect(ui.text).toContain('swagger-ui');
      const doc = (await gw.http.get('/docs-json').expect(200)).body;
      expect(doc.components.securitySchemes).toMatchObject({ bearer: { scheme: 'bearer' }, 'api-key': { in: 'header', name: 'x-api-key' } });
      expect(doc.paths['/v1/records'].post.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]));
      expect(doc.paths['/v1/records'].post.responses).toHaveProperty('403');
    });

    it('exposes Prometheus metrics labelled by route template, never by raw path, to the scrape token only', async () => {
      await gw.http.get('/v1/accounts/00000000-0000-4000-8000-000000000000').set(admin()).expect(404);
      expect((await gw.http.get('/metrics').expect(401)).body.code).toBe('UNAUTHENTICATED');
      // An administrator's token is not the scrape token either.
      await gw.http.get('/metrics').set(admin()).expect(401);
      const res = await gw.http.get('/metrics').set('Authorization', `Bearer ${gw.app.get(KeyStore).metricsToken()}`).expect(200);
      expect(res.text).toContain('ehrchain_http_request_duration_seconds_bucket');
      expect(res.text).toContain('route="/v1/accounts/:id"');
      expect(res.text).not.toContain('00000000-0000-4000-8000-000000000000');
    });

    it("reports how long the event loop was busy, so a scraper sees the gateway's one thread saturate", async () => {
      const scrape = async () => {
        const text = (await gw.http.get('/metrics').set('Authorization', `Bearer ${gw.app.get(KeyStore).metricsToken()}`).expect(200)).text;
        return Number(/^ehrchain_event_loop_active_seconds_total (\S+)$/m.exec(text)![1]);
      };
      const before = await scrape();
      const busyUntil = Date.now() + 200;
      while (Date.now() < busyUntil); // the loop busy for 200 ms
      const after = await scrape();
      expect(after - before).toBeGreaterThanOrEqual(0.2);
    });

    it('sends the security headers Helmet sets', async () => {
      const res = await gw.http.get('/health');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    });
  });

  describe('authentication and roles', () => {
    const routes = () => listRoutes(controllersOf(gw.app.get(ModulesContainer)));

    it('makes an access decision for every route: a permission or an explicit public reason', () => {
      expect(routes().filter(({ rule }) => !rule).map(({ handler }) => handler)).toEqual([]);
    });

    it('lets no records, consent or audit route receive a persona account (trust model 1)', () => {
      // The checker sees the real app (its fixtures are in route-access.spec.ts), then finds nothing.
      expect(routes().map(({ route }) => route)).toEqual(expect.arrayContaining(['GET /v1/auth/me', 'GET /v1/auth/pseudonym/me', 'POST /v1/records', 'GET /v1/records/:recordId/content']));
      expect(personaExposures(routes())).toEqual([]);
    });

    it('signs the bootstrapped admin in and refuses a wrong password alike for unknown users', async () => {
      const wrong = await gw.http.post('/v1/auth/login').send({ username: 'admin', password: 'not-it' }).expect(401);
      const unknown = await gw.http.post('/v1/auth/login').send({ username: 'nobody', password: 'not-it' }).expect(401);
      expect(wrong.body).toMatchObject({ code: 'UNAUTHENTICATED', message: unknown.body.message });
      const me = await gw.http.get('/v1/auth/me').set(admin()).expect(200);
      expect(me.body).toMatchObject({ username: 'admin', role: 'admin' });
    });

    it('refuses calls without credentials, with a forged token or a revoked API key', async () => {
      expect((await gw.http.get('/v1/auth/me').expect(401)).body.code).toBe('UNAUTHENTICATED');
      const forged = `${adminToken.slice(0, -4)}AAAA`;
      await gw.http.get('/v1/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);

      const hospital = await AccountFactory.hospital(gw, adminToken);
      await gw.http.get('/v1/auth/me').set(hospital.auth).expect(200);
      await gw.http.delete(`/v1/accounts/${hospital.id}/api-keys/${hospital.apiKeyId}`).set(admin()).expect(204);
      expect((await gw.http.get('/v1/auth/me').set(hospital.auth).expect(401)).body.code).toBe('UNAUTHENTICATED');
    });

    it('keeps administration to administrators', async () => {
      const doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
      const res = await gw.http.post('/v1/accounts').set(doctor.auth).send({ role: 'admin', username: 'sneaky', password: 'long-enough-password' }).expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
      expect(await accounts().existsBy({ username: 'sneaky' })).toBe(false);
    });

    it('issues API keys to hospital accounts only, shows a key once and stores only its hash', async () => {
      const doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
      const refused = await gw.http.post(`/v1/accounts/${doctor.id}/api-keys`).set(admin()).send({ label: 'x' }).expect(422);
      expect(refused.body.code).toBe('API_KEY_ROLE');
      const hospital = await AccountFactory.hospital(gw, adminToken);
      const rows = await gw.app.get(DataSource).query('SELECT * FROM api_keys WHERE account_id = $1', [hospital.id]);
      // The secret is base64url and may itself contain '_': take it as the key format defines it.
      expect(JSON.stringify(rows)).not.toContain(parseApiKey(hospital.apiKey)!.secret);
    });
  });

  describe('bad requests get a clear 4xx with a stable code and change nothing', () => {
    it('validates bodies field by field', async () => {
      const before = await accounts().count();
      const res = await gw.http.post('/v1/accounts').set(admin()).send({ role: 'surgeon', username: 'A!', password: 'short', extra: 1 }).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      const fields = res.body.details.errors.map((e: { field: string }) => e.field).sort();
      expect(fields).toEqual(['extra', 'password', 'role', 'username']);
      expect(await accounts().count()).toBe(before);
    });

    it.each([
      ['malformed JSON', (r: TestApp['http']) => r.post('/v1/auth/login').set('Content-Type', 'application/json').send('{"username":'), 400, 'MALFORMED_JSON'],
      ['a body over the limit', (r: TestApp['http']) => r.post('/v1/auth/login').send({ username: 'x', password: 'y'.repeat(8000) }), 413, 'PAYLOAD_TOO_LARGE'],
      ['an unsupported media type', (r: TestApp['http']) => r.post('/v1/auth/login').set('Content-Type', 'application/xml').send('<x/>'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['an unknown route', (r: TestApp['http']) => r.get('/v1/nothing-here'), 404, 'NOT_FOUND'],
      ['a NUL character in a field', (r: TestApp['http']) => r.post('/v1/auth/login').set('Content-Type', 'application/json').send('{"username":"ad\\u0000min","password":"x"}'), 400, 'NUL_CHARACTER'],
      ['a path parameter over 100 characters', (r: TestApp['http']) => r.get(`/v1/accounts/${'a'.repeat(200)}`), 414, 'URI_TOO_LONG'],
      ['a malformed escape in the path', (r: TestApp['http']) => r.get('/v1/accounts/%zz'), 400, 'BAD_URL'],
    ])('answers %s', async (_name, send, status, code) => {
      const res = await send(gw.http).expect(status);
      expect(res.body).toMatchObject({ statusCode: status, code });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
      expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack traces
    });

    it('rejects a malformed id in a path', async () => {
      const res = await gw.http.get('/v1/accounts/not-a-uuid').set(admin()).expect(400);
      expect(res.body.code).toBe('BAD_REQUEST');
    });

    it('tells caches to keep nothing: tokens, accounts, errors', async () => {
      const login = await gw.http.post('/v1/auth/login').send(gw.admin!).expect(200);
      const me = await gw.http.get('/v1/auth/me').set(admin()).expect(200);
      const refused = await gw.http.get('/v1/auth/me').expect(401);
      expect([login, me, refused].map((res) => res.headers['cache-control'])).toEqual(['no-store', 'no-store', 'no-store']);
    });

    it("echoes the caller's request id so a hospital can quote it", async () => {
      const res = await gw.http.get('/v1/auth/me').set('X-Request-Id', 'his-7f3a-001').expect(401);
      expect(res.headers['x-request-id']).toBe('his-7f3a-001');
      expect(res.body.requestId).toBe('his-7f3a-001');
    });

    it('gives a fresh request id for one that carries an Aadhaar number, so none is echoed, logged or answered masked', async () => {
      const aadhaar = madeUpAadhaar();
      const grouped = (separator: string) => [aadhaar.slice(0, 4), aadhaar.slice(4, 8), aadhaar.slice(8)].join(separator);
      for (const given of [aadhaar, `his-${aadhaar}`, grouped('_'), grouped('.'), `00000000-0000-0000-1111-${aadhaar}`]) {
        const res = await gw.http.get('/v1/auth/me').set('X-Request-Id', given).expect(401);
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(res.body.requestId).toBe(res.headers['x-request-id']);
      }
      expect(gw.logs.join('\n')).not.toContain(aadhaar.slice(0, 8));
    });
  });

  it('never writes passwords, tokens or API keys to the log', async () => {
    const hospital = await AccountFactory.hospital(gw, adminToken);
    await gw.http.get('/v1/auth/me').set(hospital.auth).expect(200);
    await gw.http.post('/v1/auth/login').send({ username: 'admin', password: 'wrong-password-on-purpose' }).expect(401);
    const logs = () => gw.logs.join('\n');
    expect(logs()).toContain('"url":"/v1/auth/login"'); // the requests were logged...
    // A token in a query string is a credential too: the parameter's name is logged, its value is not.
    await gw.http.get(`/v1/auth/me?access_token=${adminToken}`).expect(401);
    expect(logs()).toContain('"url":"/v1/auth/me?access_token=[redacted]"');
    for (const secret of [gw.admin!.password, adminToken, hospital.apiKey, 'wrong-password-on-purpose']) {
      expect(logs()).not.toContain(secret); // ...without their credentials
    }
  });
});
