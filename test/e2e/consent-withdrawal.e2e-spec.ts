import { DataSource } from 'typeorm';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { signRelationshipGrant } from '../../gateway/src/chain/patient-messages';
import { OutboxEntity } from '../../gateway/src/outbox/outbox.entity';
import { AccessFactory, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { RecordFactory } from '../factories/record.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 14, point 2: a patient can cancel a signed message that has not been applied. While it
 * waits in the gateway's queue (here: a sender that runs once a minute, as when the chain is
 * down), withdrawing it means it never reaches the chain; once sent, the answer says how to
 * cancel it on chain instead.
 */
describe('withdrawing a queued consent message (e2e)', () => {
  let gw: TestApp;
  let hospital: AdmittedHospital;
  let doctor: Practitioner;

  beforeAll(async () => {
    gw = await createTestApp({ env: { OUTBOX_INTERVAL_MS: '60000' } });
    const adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccessFactory.hospital(gw, adminToken);
    doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('withdraws a grant still queued: it never reaches the chain and covers nothing; not someone else\'s, not one already sent', async () => {
    const patient = await AccessFactory.patient(gw, hospital);
    const other = await AccessFactory.patient(gw, hospital);
    const recordId = (await RecordFactory.file(gw, hospital, patient, 'withdrawn before sent')).recordId;
    const relationship = AccessFactory.relationshipWith(patient, doctor.address);
    const grant = { ...signRelationshipGrant(relationship, patient.scope, doctor.address, AccessFactory.terms(), AccessFactory.deadline()), link: AccessFactory.link(patient, doctor.address) };
    const queued = await gw.http.post('/v1/consents').set(patient.auth).send(grant).expect(201);
    expect(queued.body.status).toBe('pending');

    await gw.http.delete(`/v1/consents/messages/${queued.body.id}`).set(other.auth).expect(404);
    const withdrawn = await gw.http.delete(`/v1/consents/messages/${queued.body.id}`).set(patient.auth).expect(200);
    expect(withdrawn.body).toMatchObject({ id: queued.body.id, status: 'cancelled' });
    expect(await gw.app.get(DataSource).getRepository(OutboxEntity).countBy({ ref: queued.body.id })).toBe(0);
    expect(await gw.app.get(DataSource).query(`SELECT 1 FROM consent_links WHERE relationship_handle = $1`, [relationship.handle])).toEqual([]);
    expect(await gw.app.get(ConsentManager).signerOf(relationship.handle)).toBeNull(); // never registered: the grant never ran
    expect((await AccessFactory.read(gw, doctor, recordId).expect(403)).body.code).toBe('CONSENT_REQUIRED');

    // Sent and applied: too late to withdraw.
    const applied = await AccessFactory.grant(gw, patient, doctor.address).expect(201);
    expect((await gw.http.delete(`/v1/consents/messages/${applied.body.id}`).set(patient.auth).expect(409)).body.code).toBe('MESSAGE_ALREADY_SENT');
    await AccessFactory.read(gw, doctor, recordId).expect(200);
  });
});
