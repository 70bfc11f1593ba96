import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { verifySignature } from '../../gateway/src/webhooks/webhook-signature';
import { WebhookDeliveryEntity } from '../../gateway/src/webhooks/webhook.entities';
import { AccessFactory, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { RecordFactory } from '../factories/record.factory';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * Issue 14, point 6: hospital systems hear of what concerns them through webhooks: signed with
 * HMAC, stored with the change that caused them, retried with back-off until answered 2xx.
 */
describe('webhooks to hospital systems (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: AdmittedHospital;
  let doctor: Practitioner;
  let receiver: Server;
  let url: string;
  const received: Received[] = [];
  /** Status codes the receiver answers next (then 200). */
  const answers: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ehrchain`;
    // The receiver is on this machine: private addresses are allowed here, as in development.
    gw = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_INTERVAL_MS: '100' } });
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccessFactory.hospital(gw, adminToken);
    doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const eventsOf = (event: string) => received.filter((r) => r.headers['x-ehrchain-event'] === event);

  it("posts a consent granted to the hospital's doctor, signed with the secret shown once, and a record anchored", async () => {
    const created = await gw.http.post('/v1/webhooks').set(hospital.auth).send({ url }).expect(201);
    const secret = Buffer.from(created.body.secret, 'base64url');
    expect((await gw.http.get('/v1/webhooks').set(hospital.auth).expect(200)).body).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);

    const patient = await AccessFactory.patient(gw, hospital);
    const filed = await RecordFactory.file(gw, hospital, patient, 'webhook check');
    await AccessFactory.grant(gw, patient, doctor.address).expect(201);

    const [granted] = await eventually(async () => {
      const found = eventsOf('consent.granted');
      expect(found).toHaveLength(1);
      return found;
    });
    const payload = JSON.parse(granted!.body);
    expect(payload).toMatchObject({ event: 'consent.granted', data: { grantee: doctor.address, relationship: AccessFactory.relationshipWith(patient, doctor.address).handle, terms: { purposes: 1 } } });
    expect(granted!.headers['x-ehrchain-delivery']).toBe(payload.id);
    expect(verifySignature(secret, String(granted!.headers['x-ehrchain-signature']), granted!.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifySignature(Buffer.alloc(32), String(granted!.headers['x-ehrchain-signature']), granted!.body, Math.floor(Date.now() / 1000))).toBe(false);

    const anchored = await eventually(async () => {
      const found = eventsOf('record.anchored');
      expect(found.length).toBeGreaterThan(0);
      return found.map((r) => JSON.parse(r.body).data.versions).flat();
    });
    expect(anchored).toContainEqual({ recordId: filed.recordId, version: 1 });
  });

  it('retries with back-off until the hospital answers 2xx, and keeps the delivery id', async () => {
    const before = eventsOf('consent.revoked').length;
    answers.push(503);
    const patient = await AccessFactory.patient(gw, hospital);
    await AccessFactory.grant(gw, patient, doctor.address).expect(201);
    await AccessFactory.revoke(gw, patient, doctor.address);

    const deliveries = gw.app.get(DataSource).getRepository(WebhookDeliveryEntity);
    // The consent.granted of this patient takes the 503 or the revocation does: whichever came first waits for its retry.
    const waiting = await eventually(async () => {
      const row = await deliveries.findOneBy({ status: 'pending', lastStatus: 503 });
      expect(row).not.toBeNull();
      return row!;
    });
    expect(waiting.attempts).toBe(1);
    const wait = waiting.nextAttemptAt.getTime() - Date.now();
    expect(wait).toBeGreaterThan(5_000);
    expect(wait).toBeLessThanOrEqual(10_000);
    // Time passes (instead of waiting 10 s): the retry is due.
    await deliveries.update({ id: waiting.id }, { nextAttemptAt: new Date() });
    const delivered = await eventually(async () => {
      const row = await deliveries.findOneByOrFail({ id: waiting.id });
      expect(row.status).toBe('delivered');
      return row;
    });
    expect(delivered.attempts).toBe(2);
    expect(received.filter((r) => r.headers['x-ehrchain-delivery'] === waiting.id)).toHaveLength(2);
    await eventually(async () => expect(eventsOf('consent.revoked').length).toBe(before + 1));
  });

  it("tells no hospital of another's events, and refuses what is not its own", async () => {
    const other = await AccessFactory.hospital(gw, adminToken);
    const created = await gw.http.post('/v1/webhooks').set(other.auth).send({ url: `${url}?other`, events: ['consent.granted'] }).expect(201);
    await gw.http.get(`/v1/webhooks/${created.body.id}/deliveries`).set(hospital.auth).expect(404);
    await gw.http.delete(`/v1/webhooks/${created.body.id}`).set(hospital.auth).expect(404);
    await gw.http.post('/v1/webhooks').set(doctor.auth).send({ url }).expect(403);
    expect((await gw.http.post('/v1/webhooks').set(hospital.auth).send({ url, events: ['record.read'] }).expect(400)).body.code).toBe('VALIDATION_FAILED');

    const patient = await AccessFactory.patient(gw, hospital);
    await AccessFactory.grant(gw, patient, doctor.address).expect(201);
    await eventually(async () => expect((await gw.http.get(`/v1/webhooks/${(await gw.http.get('/v1/webhooks').set(hospital.auth)).body[0].id}/deliveries`).set(hospital.auth)).body.filter((d: { event: string; status: string }) => d.event === 'consent.granted' && d.status === 'delivered').length).toBeGreaterThanOrEqual(3));
    expect((await gw.http.get(`/v1/webhooks/${created.body.id}/deliveries`).set(other.auth).expect(200)).body).toEqual([]);
  });
});
