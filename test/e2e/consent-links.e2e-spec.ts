import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signConsentGrant } from '../../gateway/src/chain/patient-messages';
import { ConsentLinks } from '../../gateway/src/consents/consent-links';
import { randomAddress } from '../contracts/support/accounts';
import { randomBytes32 } from '../contracts/support/chain';
import { AccessFactory, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { RecordFactory } from '../factories/record.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Which records a consent covers follows the chain: a link counts once its grant is applied, a
 * revocation ends every earlier grant's links, and a later grant covers only the records it names
 * (the review's stale-link attack: a revoked or cancelled grant must not keep covering records).
 */
describe('consent links follow the chain (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospitalX: AdmittedHospital;
  let hospitalY: AdmittedHospital;
  let doctor: Practitioner;

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospitalX = await AccessFactory.hospital(gw, adminToken);
    hospitalY = await AccessFactory.hospital(gw, adminToken);
    doctor = await AccessFactory.practitioner(gw, adminToken, hospitalX);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('after a revocation, a grant from another pseudonym covers that pseudonym\'s records only', async () => {
    const atX = await AccessFactory.patient(gw, hospitalX);
    const atY = await AccessFactory.patient(gw, hospitalY, atX.secret); // the same patient, their relationship with hospital Y
    const recordAtX = (await RecordFactory.file(gw, hospitalX, atX, 'filed at X')).recordId;
    const recordAtY = (await RecordFactory.file(gw, hospitalY, atY, 'filed at Y')).recordId;

    await AccessFactory.grant(gw, atX, doctor.address).expect(201);
    await AccessFactory.read(gw, doctor, recordAtX).expect(200);
    expect((await AccessFactory.revoke(gw, atX, doctor.address)).body.status).toBe('applied');

    // Signed in as Y's pseudonym, the patient grants again on the same relationship (pair nonce 2).
    const relationship = AccessFactory.relationshipWith(atX, doctor.address);
    const grant = signConsentGrant(relationship, atY.scope, doctor.address, AccessFactory.terms(), 2, AccessFactory.deadline());
    await gw.http.post('/v1/consents?wait=applied').set(atY.auth).send({ ...grant, link: AccessFactory.link(atY, doctor.address) }).expect(201);

    await AccessFactory.read(gw, doctor, recordAtY).expect(200);
    expect((await AccessFactory.read(gw, doctor, recordAtX).expect(403)).body.code).toBe('CONSENT_REVOKED');
  });

  it('never activates a grant that a revocation applied before it came after, whatever order their confirmations are processed in', async () => {
    const db = gw.app.get(DataSource);
    const link = { relationshipHandle: randomBytes32(), recordHandle: randomBytes32(), grantee: randomAddress() };
    const grantAtZero = randomUUID();
    await db.transaction((manager) => ConsentLinks.propose(manager, link, grantAtZero, 0));
    // The revocation at nonce 1 is confirmed first; then the grant at nonce 0 (before it on chain) is.
    await db.transaction((manager) => ConsentLinks.revoked(manager, link.relationshipHandle, 1));
    await db.transaction((manager) => ConsentLinks.granted(manager, grantAtZero));
    expect(await ConsentLinks.active(db.manager, { relationshipHandle: link.relationshipHandle })).toEqual([]);

    // A grant at nonce 2 (after the revocation) is active once applied; the revocation's nonce does not touch it.
    const grantAtTwo = randomUUID();
    await db.transaction((manager) => ConsentLinks.propose(manager, link, grantAtTwo, 2));
    expect(await ConsentLinks.active(db.manager, { relationshipHandle: link.relationshipHandle })).toEqual([]);
    await db.transaction((manager) => ConsentLinks.granted(manager, grantAtTwo));
    expect((await ConsentLinks.active(db.manager, { relationshipHandle: link.relationshipHandle })).map((l) => l.grantNonce)).toEqual(['2']);
    expect(await ConsentLinks.grantNonce(db.manager, link.relationshipHandle)).toBe(2n);
  });
});
