import { AccountFactory } from '../factories/account.factory';
import { FilingPatient, RecordFactory } from '../factories/record.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

// Issue 10: 80-120 concurrent wrong sign-ins used to take every libuv thread (scrypt: ~0.3 s and
// 128 MiB each), turning /health to 503 ("ipfs down") and a read to 7 s. Now password hashes go
// through a bounded queue: beyond it sign-ins are refused at once and the rest of the gateway
// keeps answering. (How fast it answers under a flood is the bench's to measure, not a test's.)
describe('a sign-in flood (e2e, loopback)', () => {
  const FLOOD = 80;
  let gw: TestApp;
  let patient: FilingPatient;
  let recordId: string;

  beforeAll(async () => {
    gw = await createTestApp({ env: { PASSWORD_HASH_CONCURRENCY: '2', PASSWORD_HASH_QUEUE: '4' } });
    const hospital = await RecordFactory.hospital(gw, await AccountFactory.adminToken(gw));
    patient = await RecordFactory.patient(gw);
    recordId = (await RecordFactory.file(gw, hospital, patient, 'read me during the flood')).recordId;
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('refuses the sign-ins beyond the hashing queue with 503 AUTH_BUSY while health and reads keep answering', async () => {
    const flood = Array.from({ length: FLOOD }, (_, i) => gw.http.post('/v1/auth/login').send({ username: `flood.${i}`, password: 'a wrong password' }));
    const during = Promise.all([
      gw.http.get('/health'),
      RecordFactory.note(gw, patient, recordId),
    ]);

    const [logins, [health, read]] = await Promise.all([Promise.all(flood), during]);

    expect(health.status).toBe(200);
    expect(read).toEqual({ status: 200, note: 'read me during the flood' });
    const statuses = logins.map((res) => res.status);
    expect(statuses.filter((status) => status !== 401 && status !== 503)).toEqual([]);
    const busy = logins.filter((res) => res.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const res of busy) {
      expect(res.body.code).toBe('AUTH_BUSY');
      expect(res.headers['retry-after']).toBe('1');
    }
    // Once the flood has drained, sign-in works again.
    await gw.http.post('/v1/auth/login').send(gw.admin!).expect(200);
  });
});
