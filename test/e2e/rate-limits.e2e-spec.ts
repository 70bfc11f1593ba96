import { request as httpRequest } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { Role } from '../../gateway/src/auth/permissions';
import { RecordEntity } from '../../gateway/src/records/record.entity';
import { AccountFactory, TestHospital } from '../factories/account.factory';
import { FilingHospital, RecordFactory } from '../factories/record.factory';
import { newRelationship } from '../support/patient-registry';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';

// Issue 10, abuse resistance: each limit is set small here and hit on purpose. The gateway sits
// "behind a proxy" (TRUST_PROXY_HOPS=1), so each test speaks from client addresses of its own
// (X-Forwarded-For) and one test's refusals never spill into another's.
describe('rate limits, back-off and timeouts (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: TestHospital;
  let nextAddress = 0;
  const address = (): string => `198.51.100.${++nextAddress}`;
  const from = (client: string) => ({ 'X-Forwarded-For': client });
  const login = (client: string, username: string, password: string) => gw.http.post('/v1/auth/login').set(from(client)).send({ username, password });

  beforeAll(async () => {
    gw = await createTestApp({
      env: {
        TRUST_PROXY_HOPS: '1',
        RATE_LIMIT_PER_ADDRESS: '30',
        RATE_LIMIT_LOGINS_PER_ADDRESS: '3',
        LOGIN_FAILURES_BEFORE_BACKOFF: '2',
        RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS: '3',
        RATE_LIMIT_WRITES_PER_ACCOUNT: '20',
        // Short enough for the trickle test below (12 s of body), long enough for an ordinary
        // filing on a loaded CI machine (2 s was not: "socket hang up" on the write-limit test).
        REQUEST_TIMEOUT_MS: '6000',
        HEADERS_TIMEOUT_MS: '1000',
      },
    });
    adminToken = (await login(address(), gw.admin!.username, gw.admin!.password).expect(200)).body.accessToken;
    hospital = await AccountFactory.hospital(gw, adminToken);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  /** A refusal in the error contract, with Retry-After in the header and the body. */
  const expectRetryLater = (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, code, requestId: res.headers['x-request-id'] });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(res.body.details).toEqual({ retryAfterSeconds: retryAfter });
  };

  it('refuses a fourth sign-in attempt in a minute from one address (429), not from another', async () => {
    const client = address();
    // Other usernames each time: one username's back-off is the next test's subject.
    for (let i = 0; i < 3; i++) await login(client, `nobody.${i}`, 'wrong password').expect(401);

    expectRetryLater(await login(client, 'nobody.3', 'wrong password'), 429, 'RATE_LIMITED');
    // Refused before the password is checked: even the right one waits.
    expectRetryLater(await login(client, gw.admin!.username, gw.admin!.password), 429, 'RATE_LIMITED');
    await login(address(), 'nobody.4', 'wrong password').expect(401);
  });

  it('makes a username wait after failed sign-ins in a row, whatever the address, even with the right password', async () => {
    const person = await AccountFactory.person(gw, adminToken, Role.Doctor);
    const { username } = person;
    await login(address(), username, 'not the password').expect(401);
    await login(address(), username, 'not the password either').expect(401);

    const res = await login(address(), username, 'whatever it is');
    expectRetryLater(res, 429, 'LOGIN_BACKOFF');
    // Another username is not affected; the locked one may try again once its wait is over.
    await login(address(), 'someone.else', 'not the password').expect(401);
    await sleep(Number(res.headers['retry-after']) * 1000 + 100);
    await login(address(), username, 'not the password').expect(401);
  });

  it('refuses an address that keeps presenting bad API keys, even with a good key, while others pass', async () => {
    const client = address();
    for (let i = 0; i < 3; i++) {
      await gw.http.get('/v1/auth/me').set(from(client)).set('X-API-Key', `ehr_${'a'.repeat(12)}_${'b'.repeat(43)}`).expect(401);
    }

    expectRetryLater(await gw.http.get('/v1/auth/me').set(from(client)).set(hospital.auth), 429, 'RATE_LIMITED');
    await gw.http.get('/v1/auth/me').set(from(address())).set(hospital.auth).expect(200);
  });

  it("limits one caller's writes per minute, wherever it calls from, and leaves its reads and other callers alone", async () => {
    const [writer, other] = [await RecordFactory.hospital(gw, adminToken), await RecordFactory.hospital(gw, adminToken)];
    // A relationship not on chain yet: its filing token proves itself by the handle's commitment.
    const patient = { relationship: newRelationship() };
    const file = (filer: FilingHospital) =>
      gw.http.post('/v1/records?category=OPConsultation').set(from(address())).set(filer.auth).set('X-Filing-Token', RecordFactory.filingToken(gw, patient, filer.address))
        .set('Content-Type', 'application/fhir+json').send(JSON.stringify(RecordFactory.observation('a record')));
    const created = await file(writer).expect(201);
    for (let i = 1; i < 20; i++) await file(writer).expect(201);
    const before = await gw.app.get(DataSource).getRepository(RecordEntity).count();

    expectRetryLater(await file(writer), 429, 'RATE_LIMITED');
    expect(await gw.app.get(DataSource).getRepository(RecordEntity).count()).toBe(before);
    await gw.http.get(`/v1/records/${created.body.recordId}`).set(from(address())).set(writer.auth).expect(200);
    await file(other).expect(201);
  });

  it('caps all requests from one address per minute', async () => {
    const client = address();
    for (let i = 0; i < 30; i++) await gw.http.get('/health').set(from(client)).expect(200);

    expectRetryLater(await gw.http.get('/health').set(from(client)), 429, 'RATE_LIMITED');
    await gw.http.get('/health').set(from(address())).expect(200);
  });

  it('refuses JSON nested deeper than 32 levels with 400 JSON_TOO_DEEP, not a crash', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await gw.http.post('/v1/auth/login').set(from(address())).set('Content-Type', 'application/json').send(deep).expect(400);
    expect(res.body.code).toBe('JSON_TOO_DEEP');
  });

  it('refuses a password that is common, a pattern or the username, naming what is wrong, and creates nothing', async () => {
    const send = (username: string, password: string) =>
      gw.http.post('/v1/accounts').set(from(address())).set('Authorization', `Bearer ${adminToken}`).send({ role: 'doctor', username, password, aadhaar: madeUpAadhaar() });
    const problems = async (username: string, password: string) => {
      const res = await send(username, password).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      return res.body.details.errors;
    };

    expect(await problems('dr.common', 'Password1234!')).toEqual([{ field: 'password', problems: ['password is a commonly used password'] }]);
    expect(await problems('dr.spaces', ' '.repeat(12))).toEqual([{ field: 'password', problems: [expect.stringContaining('besides spaces')] }]);
    expect(await problems('dr.self', 'dr.self-and-more')).toEqual([{ field: 'password', problems: ['password must not contain the username or the service name'] }]);
    await send('dr.good', 'a long and unusual passphrase').expect(201);
  });

  describe('on the connection (a listening socket)', () => {
    let port: number;
    beforeAll(async () => {
      await gw.app.listen(0, '127.0.0.1');
      port = (gw.app.getHttpServer().address() as AddressInfo).port;
    });

    /** Sends headers (and `body` chunks, `gapMs` apart) and resolves with the status, or 'closed' if the server hung up first. */
    function raw(path: string, headers: Record<string, string>, body: Buffer[] = [], gapMs = 0): Promise<number | 'closed'> {
      return new Promise((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'X-Forwarded-For': address(), ...headers } });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', () => resolve('closed'));
        req.flushHeaders();
        void (async () => {
          for (const chunk of body) {
            if (req.destroyed) return;
            await sleep(gapMs);
            req.write(chunk);
          }
        })();
      });
    }

    it('answers what is not HTTP at all in the error contract, then closes the connection', async () => {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('HELLO gateway\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('utf8')));
        socket.on('close', () => resolve(text));
      });

      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(body).toEqual({ statusCode: 400, code: 'MALFORMED_REQUEST', message: expect.any(String), requestId: expect.any(String) });
      expect(answer).toContain(`X-Request-Id: ${body.requestId}`);
    });

    it('refuses an upload without credentials before reading its body', async () => {
      // Announces 10 MB and sends none of it: the answer comes from the headers alone (a server
      // that waited for the body would answer 408 after REQUEST_TIMEOUT_MS instead).
      const status = await raw('/v1/records?category=DiagnosticReport', { 'Content-Type': 'application/pdf', 'Content-Length': String(10 * 1024 * 1024) });
      expect(status).toBe(401);
    });

    it('does not let a body trickled a byte at a time hold the connection: the request times out and stores nothing', async () => {
      const filer = await RecordFactory.hospital(gw, adminToken);
      const before = await gw.app.get(DataSource).getRepository(RecordEntity).count();
      const trickle = Array.from({ length: 30 }, () => Buffer.from('x'));
      const token = RecordFactory.filingToken(gw, { relationship: newRelationship() }, filer.address);

      const status = await raw('/v1/records?category=DiagnosticReport&clinicalDate=2026-11-30', { ...filer.auth, 'X-Filing-Token': token, 'Content-Type': 'application/pdf', 'Content-Length': '30' }, trickle, 400);

      expect([408, 'closed']).toContain(status);
      expect(await gw.app.get(DataSource).getRepository(RecordEntity).count()).toBe(before);
    });
  });
});
