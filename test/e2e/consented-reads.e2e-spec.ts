import { DataSource } from 'typeorm';
import { AccessEntryEntity } from '../../gateway/src/access/access-entry.entity';
import { AccessLog } from '../../gateway/src/chain/access-log';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { recordsRoot, signRelationshipGrant } from '../../gateway/src/chain/patient-messages';
import { recordIdOnChain } from '../../gateway/src/chain/record-id';
import { accessLogRecordId, consentId } from '../../gateway/src/chain/relationships';
import { Role } from '../../gateway/src/auth/permissions';
import { ConsentLinkEntity, ConsentMessageEntity } from '../../gateway/src/consents/consent.entities';
import { randomBytes32 } from '../contracts/support/chain';
import { AccessFactory, AccessPatient, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { RecordFactory } from '../factories/record.factory';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 14's core story on the real components: a hospital admitted k-of-n on chain files a record
 * for a patient; a doctor is refused; the patient grants (a message their software signed, relayed
 * by the gateway); the doctor reads, and the read is logged on chain; the patient sees who read
 * what; the patient revokes, and the doctor is refused from the block that includes it.
 */
describe('reads under consent, logged on chain (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: AdmittedHospital;
  let doctor: Practitioner;
  let patient: AccessPatient;

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccessFactory.hospital(gw, adminToken);
    doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
    patient = await AccessFactory.patient(gw, hospital);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const db = () => gw.app.get(DataSource);
  /** Files an observation dated `date` in `category` for the patient (anchored); its record id. */
  async function file(text: string, category = 'OPConsultation', date = '2026-11-20', owner: { relationship: AccessPatient['relationship'] } = patient): Promise<string> {
    const res = await gw.http
      .post(`/v1/records?category=${category}&clinicalDate=${date}&wait=anchored`)
      .set(hospital.auth)
      .set('X-Filing-Token', RecordFactory.filingToken(gw, owner, hospital.address))
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(RecordFactory.observation(text)))
      .expect(201);
    return res.body.recordId;
  }
  /** The AccessLog entries this gateway logged on chain about `handle` (the relationship's). */
  async function chainEntriesFor(handle: string) {
    const accessLog = gw.app.get(AccessLog);
    const logs = await gw.app.get(ChainClient).logs({ address: accessLog.address, topics: [null, null, handle], fromBlock: 0n });
    return accessLog.entriesIn(logs);
  }

  it('refuses the doctor, then serves them under the consent the patient signed, and logs the read on chain', async () => {
    const recordId = await file('fever for three days');

    const before = await AccessFactory.read(gw, doctor, recordId).expect(403);
    expect(before.body.code).toBe('CONSENT_REQUIRED');

    const granted = await AccessFactory.grant(gw, patient, doctor.address).expect(201);
    expect(granted.body).toMatchObject({ type: 'RelationshipGrant', status: 'applied', error: null });

    const read = await AccessFactory.read(gw, doctor, recordId).expect(200);
    expect(read.body.resource.note[0].text).toBe('fever for three days');

    // The entry reaches the chain: under the doctor's relationship, the record id blinded with the entry's salt, the consent's id.
    const relationship = AccessFactory.relationshipWith(patient, doctor.address);
    const [stored] = await db().getRepository(AccessEntryEntity).findBy({ recordId });
    const [entry] = await eventually(async () => {
      const entries = await chainEntriesFor(relationship.handle);
      expect(entries).toHaveLength(1);
      return entries;
    }, { timeoutMs: 20_000 });
    expect(entry).toMatchObject({
      recordId: accessLogRecordId(recordIdOnChain(recordId), relationship.handle, stored!.blindingSalt), patientHandle: relationship.handle,
      authorizationId: consentId(relationship.handle, doctor.address, 0), reader: doctor.address, purpose: 0, kind: 0,
    });

    // The patient, signed in as their records' pseudonym, sees who read what, logged.
    const log = await eventually(async () => {
      const res = await gw.http.get('/v1/access-log').set(patient.auth).expect(200);
      expect(res.body[0]?.status).toBe('logged');
      return res.body;
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ recordId, reader: doctor.address, purpose: 'CAREMGT', kind: 'consent', relationship: relationship.handle, loggedRecordId: entry!.recordId });
    expect(log[0].readerName).toMatch(/^doctor\.access\..* \(doctor\)$/);
    const csv = await gw.http.get('/v1/access-log/export').set(patient.auth).expect(200).expect('content-type', /text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('accessedAt,recordId,version,readerName,reader,purpose,kind,authorizationId,status,block,txHash');
    expect(csv.text).toContain(`${recordId},1,${log[0].readerName},${doctor.address},CAREMGT,consent,`);

    // The patient's consents, as the chain says them.
    const consents = await gw.http.get('/v1/consents').set(patient.auth).expect(200);
    expect(consents.body).toEqual([expect.objectContaining({ relationship: relationship.handle, grantee: doctor.address, status: 'active', nonce: 1, consentId: entry!.authorizationId })]);

    // The doctor's view: the patient's relationship and the record its consent covers.
    const patients = await gw.http.get('/v1/access/patients').set(doctor.auth).expect(200);
    expect(patients.body).toEqual([expect.objectContaining({ relationship: relationship.handle, status: 'active' })]);
    expect(patients.body[0].records.map((r: { recordId: string }) => r.recordId)).toContain(recordId);

    // Revoked: refused from the block that includes the revocation, with the reason.
    const revoked = await AccessFactory.revoke(gw, patient, doctor.address);
    expect(revoked).toMatchObject({ status: 201, body: { type: 'ConsentRevocation', status: 'applied' } });
    const after = await AccessFactory.read(gw, doctor, recordId).expect(403);
    expect(after.body.code).toBe('CONSENT_REVOKED');
    const mayReadBefore = await gw.app.get(ConsentManager).mayRead(relationship.handle, doctor.address, {
      category: 0, purpose: 0, recordDate: Date.parse('2026-11-20T00:00:00Z') / 1000, recordId: recordIdOnChain(recordId), proof: [],
    });
    expect(mayReadBefore).toBe(false);
    expect((await gw.http.get('/v1/consents').set(patient.auth).expect(200)).body[0]).toMatchObject({ status: 'revoked', nonce: 2, consentId: null });
    expect((await gw.http.get('/v1/access-log').set(patient.auth).expect(200)).body).toHaveLength(1); // refusals release nothing, so log nothing

    // The patient's feed tells the story, newest first; polling with `since` gives only what is newer.
    const feed = (await gw.http.get('/v1/notifications').set(patient.auth).expect(200)).body as { kind: string; at: string; text: string }[];
    expect(feed.map((n) => n.kind)).toEqual(['consent.revoked', 'record.read', 'consent.granted']);
    expect(feed[1]!.text).toMatch(/^doctor\.access\..* \(doctor\) read record .* for CAREMGT$/);
    expect((await gw.http.get(`/v1/notifications?since=${encodeURIComponent(feed[1]!.at)}`).set(patient.auth).expect(200)).body.map((n: { kind: string }) => n.kind)).toEqual(['consent.revoked']);
  });

  it('says which term a read falls outside of, and logs nothing for a refusal', async () => {
    const other = await AccessFactory.patient(gw, hospital);
    const reader = await AccessFactory.practitioner(gw, adminToken, hospital);
    const inScope = await file('cough', 'OPConsultation', '2026-03-10', other);
    const wrongCategory = await file('x-ray report', 'DiagnosticReport', '2026-03-10', other);
    const tooOld = await file('old visit', 'OPConsultation', '2024-01-05', other);
    const terms = AccessFactory.terms({ categories: 1 << 0, purposes: 1 << 0, fromDate: Date.parse('2026-01-01T00:00:00Z') / 1000 });
    await AccessFactory.grant(gw, other, reader.address, terms).expect(201);

    await AccessFactory.read(gw, reader, inScope).expect(200);
    expect((await AccessFactory.read(gw, reader, inScope, 'PUBHLTH').expect(403)).body.code).toBe('CONSENT_PURPOSE_NOT_COVERED');
    expect((await AccessFactory.read(gw, reader, inScope, 'DSRCH').expect(403)).body.code).toBe('RESEARCH_THROUGH_EXPORT');
    expect((await AccessFactory.read(gw, reader, wrongCategory).expect(403)).body.code).toBe('CONSENT_CATEGORY_NOT_COVERED');
    expect((await AccessFactory.read(gw, reader, tooOld).expect(403)).body.code).toBe('CONSENT_DATE_NOT_COVERED');
    expect((await AccessFactory.read(gw, reader, inScope, 'NOT_A_PURPOSE').expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect(await db().getRepository(AccessEntryEntity).countBy({ readerAccount: reader.id })).toBe(1);
  });

  it('limits a consent naming records to those records', async () => {
    const other = await AccessFactory.patient(gw, hospital);
    const reader = await AccessFactory.practitioner(gw, adminToken, hospital);
    const named = await file('named one', 'OPConsultation', '2026-05-01', other);
    const unnamed = await file('not named', 'OPConsultation', '2026-05-01', other);
    const salt = randomBytes32();
    await AccessFactory.grant(gw, other, reader.address, AccessFactory.terms({ recordsRoot: recordsRoot([named], salt) }), { recordIds: [named], recordsSalt: salt }).expect(201);

    expect((await AccessFactory.read(gw, reader, named).expect(200)).body.resource.note[0].text).toBe('named one');
    expect((await AccessFactory.read(gw, reader, unnamed).expect(403)).body.code).toBe('CONSENT_RECORD_NOT_COVERED');
  });

  it('lets pharmacists read prescriptions only, whatever the consent covers', async () => {
    const other = await AccessFactory.patient(gw, hospital);
    const pharmacist = await AccessFactory.practitioner(gw, adminToken, hospital, Role.Pharmacist);
    const prescription = await file('amoxicillin 500 mg', 'Prescription', '2026-06-01', other);
    const consultation = await file('consultation note', 'OPConsultation', '2026-06-01', other);
    await AccessFactory.grant(gw, other, pharmacist.address).expect(201);

    expect((await AccessFactory.read(gw, pharmacist, prescription).expect(200)).body.resource.note[0].text).toBe('amoxicillin 500 mg');
    expect((await AccessFactory.read(gw, pharmacist, consultation).expect(403)).body.code).toBe('PRESCRIPTIONS_ONLY');
  });

  describe('ATTACKS', () => {
    it('a second doctor cannot read under the first one\'s consent', async () => {
      const other = await AccessFactory.patient(gw, hospital);
      const granted = await AccessFactory.practitioner(gw, adminToken, hospital);
      const intruder = await AccessFactory.practitioner(gw, adminToken, hospital);
      const recordId = await file('private', 'OPConsultation', '2026-07-01', other);
      await AccessFactory.grant(gw, other, granted.address).expect(201);

      expect((await AccessFactory.read(gw, intruder, recordId).expect(403)).body.code).toBe('CONSENT_REQUIRED');
      await AccessFactory.read(gw, granted, recordId).expect(200);
    });

    it('a grant the patient did not sign is refused before anything is stored', async () => {
      const other = await AccessFactory.patient(gw, hospital);
      const reader = await AccessFactory.practitioner(gw, adminToken, hospital);
      const relationship = AccessFactory.relationshipWith(other, reader.address);
      const signed = signRelationshipGrant(relationship, other.scope, reader.address, AccessFactory.terms(), AccessFactory.deadline());
      const messages = await db().getRepository(ConsentMessageEntity).count();
      const links = await db().getRepository(ConsentLinkEntity).count();

      // The gateway (or anyone) widening the terms, or pointing the grant at another reader: the signature no longer matches.
      const link = AccessFactory.link(other, reader.address);
      for (const forged of [{ ...signed, link, terms: { ...signed.terms, purposes: 0x3f } }, { ...signed, link, grantee: doctor.address }]) {
        const res = await gw.http.post('/v1/consents').set(other.auth).send(forged).expect(422);
        expect(res.body).toMatchObject({ code: 'CHAIN_WOULD_REVERT', details: { error: 'ConsentManagerInvalidSigner' } });
      }
      expect(await db().getRepository(ConsentMessageEntity).count()).toBe(messages);
      expect(await db().getRepository(ConsentLinkEntity).count()).toBe(links);
    });

    it("a grant seen on its way to the chain cannot be attached to someone else's records", async () => {
      // The attacker copies the victim's signed grant and link (say, from a relay's mempool) and sends them as their own pseudonym:
      // the doctor would see the attacker's records as this patient's.
      const victim = await AccessFactory.patient(gw, hospital);
      const attacker = await AccessFactory.patient(gw, hospital);
      const reader = await AccessFactory.practitioner(gw, adminToken, hospital);
      const attackersRecord = await file('planted history', 'OPConsultation', '2026-08-03', attacker);
      const relationship = AccessFactory.relationshipWith(victim, reader.address);
      const grant = signRelationshipGrant(relationship, victim.scope, reader.address, AccessFactory.terms(), AccessFactory.deadline());
      const links = await db().getRepository(ConsentLinkEntity).count();

      for (const link of [AccessFactory.link(victim, reader.address), AccessFactory.link(attacker, reader.address)]) {
        expect((await gw.http.post('/v1/consents').set(attacker.auth).send({ ...grant, link }).expect(422)).body.code).toBe('CONSENT_LINK_SIGNATURE');
      }
      expect(await db().getRepository(ConsentLinkEntity).count()).toBe(links);
      await gw.http.post('/v1/consents?wait=applied').set(victim.auth).send({ ...grant, link: AccessFactory.link(victim, reader.address) }).expect(201);
      expect((await AccessFactory.read(gw, reader, attackersRecord).expect(403)).body.code).toBe('CONSENT_REQUIRED');
    });

    it('a patient cannot name another patient\'s records in a consent', async () => {
      const victim = await AccessFactory.patient(gw, hospital);
      const thief = await AccessFactory.patient(gw, hospital);
      const reader = await AccessFactory.practitioner(gw, adminToken, hospital);
      const victimsRecord = await file('victim', 'OPConsultation', '2026-08-01', victim);
        const salt = randomBytes32();
      const res = await AccessFactory.grant(gw, thief, reader.address, AccessFactory.terms({ recordsRoot: recordsRoot([victimsRecord], salt) }), { recordIds: [victimsRecord], recordsSalt: salt }).expect(422);
      expect(res.body.code).toBe('RECORDS_NOT_FOUND');
      expect((await AccessFactory.read(gw, reader, victimsRecord).expect(403)).body.code).toBe('CONSENT_REQUIRED');
    });

    it('a consent from one of the patient\'s relationships opens no record filed under another patient\'s', async () => {
      // The reader holds a consent from `granting`; `other`'s record shares nothing with it.
      const granting = await AccessFactory.patient(gw, hospital);
      const other = await AccessFactory.patient(gw, hospital);
      const reader = await AccessFactory.practitioner(gw, adminToken, hospital);
      await AccessFactory.grant(gw, granting, reader.address).expect(201);
      const othersRecord = await file('someone else', 'OPConsultation', '2026-08-02', other);
      expect((await AccessFactory.read(gw, reader, othersRecord).expect(403)).body.code).toBe('CONSENT_REQUIRED');
    });

    it('a patient\'s pseudonym and a hospital cannot use the grantee route, nor a doctor the patient\'s', async () => {
      const recordId = await file('route check');
      await AccessFactory.read(gw, patient, recordId).expect(403);
      expect((await AccessFactory.read(gw, hospital, recordId).expect(403)).body.code).toMatch(/^CONSENT_/);
      await gw.http.get('/v1/access-log').set(doctor.auth).expect(403);
      await gw.http.post('/v1/consents').set(doctor.auth).send({}).expect(403);
    });
  });
});
