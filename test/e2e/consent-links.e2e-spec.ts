import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { patientMessageCall, signConsentGrant, signRevocation } from '../../gateway/src/chain/patient-messages';
import { ConsentLinks } from '../../gateway/src/consents/consent-links';
import { randomAddress } from '../contracts/support/accounts';
import { randomBytes32, randomKey } from '../contracts/support/chain';
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
    const [relationship, records, grantee] = [randomBytes32(), randomBytes32(), randomAddress()];
    const message = (type: 'ConsentGrant' | 'ConsentRevocation', nonce: number) =>
      type === 'ConsentGrant'
        ? { type, patient: relationship, grantee, terms: AccessFactory.terms(), nonce, deadline: 0, signature: '0x' }
        : { type, patient: relationship, grantee, nonce, deadline: 0, signature: '0x' };
    const applied = (id: string, type: 'ConsentGrant' | 'ConsentRevocation', nonce: number) => db.transaction((manager) => ConsentLinks.applied(manager, id, message(type, nonce), grantee));
    const active = () => ConsentLinks.active(db.manager, { relationshipHandle: relationship });

    const grantAtZero = randomUUID();
    await db.transaction((manager) => ConsentLinks.propose(manager, { relationshipHandle: relationship, recordHandle: records, grantee }, grantAtZero, 0));
    // The revocation at nonce 1 is confirmed first; then the grant at nonce 0 (before it on chain) is.
    await applied(randomUUID(), 'ConsentRevocation', 1);
    await applied(grantAtZero, 'ConsentGrant', 0);
    expect(await active()).toEqual([]);

    // A grant at nonce 2 (after the revocation) links once applied, and the pair says so.
    const grantAtTwo = randomUUID();
    await db.transaction((manager) => ConsentLinks.propose(manager, { relationshipHandle: relationship, recordHandle: records, grantee }, grantAtTwo, 2));
    expect(await active()).toEqual([]);
    await applied(grantAtTwo, 'ConsentGrant', 2);
    // bigint columns: strings from node-postgres, numbers from PGlite.
    expect((await active()).map((l) => Number(l.grantNonce))).toEqual([2]);
    const pair = await ConsentLinks.pair(db.manager, relationship, grantee);
    expect([pair?.nonce, pair?.lastGrantNonce, pair?.revokedBelow].map(Number)).toEqual([3, 2, 1]);
  });

  describe('ATTACKS', () => {
    it('a message claiming another nonce than the one it is signed at is refused (it would reorder links and ids)', async () => {
      const patient = await AccessFactory.patient(gw, hospitalX);
      await AccessFactory.grant(gw, patient, doctor.address).expect(201);
      const relationship = AccessFactory.relationshipWith(patient, doctor.address);
      const revocation = signRevocation(relationship, patient.scope, doctor.address, 1, AccessFactory.deadline());
      const { type: _type, ...body } = revocation;
      const res = await gw.http.post('/v1/consents/revocations').set(patient.auth).send({ ...body, nonce: 2 ** 48 - 1 }).expect(422);
      expect(res.body.code).toBe('NONCE_NOT_CURRENT');
    });

    it('a consent changed through another relay is not served until it is granted here again (what it covers is unknown here)', async () => {
      const patient = await AccessFactory.patient(gw, hospitalX);
      const recordId = (await RecordFactory.file(gw, hospitalX, patient, 'changed elsewhere')).recordId;
      await AccessFactory.grant(gw, patient, doctor.address).expect(201);
      await AccessFactory.read(gw, doctor, recordId).expect(200);

      // The patient revokes and grants again through another member: the chain's consent is in force, the gateway did not see it.
      const relationship = AccessFactory.relationshipWith(patient, doctor.address);
      const elsewhere = new ChainClient(gw.app.get(ChainClient).rpcUrl, randomKey());
      const consents = gw.app.get(ConsentManager);
      for (const message of [
        signRevocation(relationship, patient.scope, doctor.address, 1, AccessFactory.deadline()),
        signConsentGrant(relationship, patient.scope, doctor.address, AccessFactory.terms(), 2, AccessFactory.deadline()),
      ]) {
        const { method, args } = patientMessageCall(message);
        expect((await elsewhere.waitForReceipt((await elsewhere.send(consents.contract, method, args)).txHash, 10_000)).success).toBe(true);
      }
      expect((await AccessFactory.read(gw, doctor, recordId).expect(403)).body.code).toBe('CONSENT_CHANGED_ELSEWHERE');

      const grant = signConsentGrant(relationship, patient.scope, doctor.address, AccessFactory.terms(), 3, AccessFactory.deadline());
      await gw.http.post('/v1/consents?wait=applied').set(patient.auth).send({ ...grant, link: AccessFactory.link(patient, doctor.address) }).expect(201);
      await AccessFactory.read(gw, doctor, recordId).expect(200);
    });
  });
});
