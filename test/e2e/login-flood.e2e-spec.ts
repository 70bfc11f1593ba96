import { AccountFactory, TestHospital } from '../factories/account.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

// Issue 10: 80-120 concurrent wrong sign-ins used to take every libuv thread (scrypt: ~0.3 s and
// 128 MiB each), turning /health to 503 ("ipfs down") and a read to 7 s. Now password hashes go
// through a bounded queue: beyond it sign-ins are refused at once and the rest of the gateway
// keeps answering. (How fast it answers under a flood is the bench's to measure, not a test's.)
describe('a sign-in flood (e2e, loopback)', () => {
  const FLOOD = 80;
  let gw: TestApp;
  let hospital: TestHospital;
  let blobId: string;

  beforeAll(async () => {
    gw = await createTestApp({ env: { PASSWORD_HASH_CONCURRENCY: '2', PASSWORD_HASH_QUEUE: '4' } });
    hospital = await AccountFactory.hospital(gw, await AccountFactory.adminToken(gw));
    const created = await gw.http.post('/v1/blobs?wait=anchored').set(hospital.auth).set('Content-Type', 'application/octet-stream').send(Buffer.from('read me during the flood'));
    blobId = created.body.id;
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('refuses the sign-ins beyond the hashing queue with 503 AUTH_BUSY while health and reads keep answering', async () => {
    const flood = Array.from({ length: FLOOD }, (_, i) => gw.http.post('/v1/auth/login').send({ username: `flood.${i}`, password: 'a wrong password' }));
    const during = Promise.all([
      gw.http.get('/health'),
      gw.http.get(`/v1/blobs/${blobId}/content`).set(hospital.auth).buffer(true),
    ]);

    const [logins, [health, read]] = await Promise.all([Promise.all(flood), during]);

    expect(health.status).toBe(200);
    expect(read.status).toBe(200);
    expect(Buffer.from(read.body).toString('utf8')).toBe('read me during the flood');
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
