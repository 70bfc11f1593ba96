import { randomBytes } from 'node:crypto';
import { Role } from '../../gateway/src/auth/permissions';
import { AccessLog } from '../../gateway/src/chain/access-log';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { signTypedData, TypedData } from '../../gateway/src/chain/eip712';
import { EmergencyAccess } from '../../gateway/src/chain/emergency-access';
import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import { recordIdOnChain } from '../../gateway/src/chain/record-id';
import { Purpose } from '../../gateway/src/chain/typed-messages';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { DataSource } from 'typeorm';
import { companionSchema } from '../../gateway/src/database/companion-schemas';
import { AccessFactory, AccessPatient } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { dumpSchemas, PatientFactory } from '../factories/patient.factory';
import { RecordFactory } from '../factories/record.factory';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 14, "Done when": the whole story in one test, on the real components. A hospital admitted
 * by k of n authorities, a doctor it registered, a patient verified by eKYC; a record filed; the
 * doctor refused, granted, reading (logged on chain), revoked and refused from the next block; an
 * emergency approved k-of-n and visible to the patient; a research export with no identifier
 * and no group under k.
 */
describe('the access story, end to end (e2e)', () => {
  let gw: TestApp;

  beforeAll(async () => {
    gw = await createTestApp();
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const bundle = (birthDate: string) => ({
    resourceType: 'Bundle', type: 'collection',
    entry: [
      { resource: { resourceType: 'Patient', id: 'p', name: [{ text: `Qz${randomBytes(3).toString('hex')} Vx${randomBytes(3).toString('hex')}` }], birthDate, gender: 'female', address: [{ state: 'Kerala', country: 'IN' }] } },
      { resource: { resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'HbA1c' }, subject: { reference: 'Patient/p' }, effectiveDateTime: '2026-10-02', valueQuantity: { value: 6.1, unit: '%' } } },
    ],
  });
  /** eth_call of mayRead at a given block: what the chain said then. */
  async function mayReadAt(block: number, handle: string, reader: string, recordId: string): Promise<boolean> {
    const consents = gw.app.get(ConsentManager);
    const data = consents.contract.encodeCall('mayRead', [handle, reader, 0, Purpose.CAREMGT, Date.parse('2026-10-02T00:00:00Z') / 1000, recordIdOnChain(recordId), []]);
    const result = await new NodeRpc(gw.app.get(ChainClient).rpcUrl).call<string>('eth_call', [{ to: consents.address, data }, `0x${block.toString(16)}`]);
    return consents.contract.decodeOutputs('mayRead', 7, result)[0] === true;
  }

  it('runs from admission to research export', async () => {
    const adminToken = await AccountFactory.adminToken(gw);

    // A hospital admitted by 2 of 3 authorities on chain; a doctor it registered; a patient verified by eKYC.
    const hospital = await AccessFactory.hospital(gw, adminToken);
    const registry = gw.app.get(ChainClient).contract('ConsortiumRegistry', gw.app.get(ChainRuntime).addresses.ConsortiumRegistry!);
    expect(await gw.app.get(ChainClient).call(registry, 'isActiveHospital', [hospital.address])).toEqual([true]);
    const doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
    const persona = await PatientFactory.register(gw, PatientFactory.resident(3));
    expect((await gw.http.get('/v1/persona').set(persona.auth).expect(200)).body.verifiedAt).toEqual(expect.any(String));
    const patient: AccessPatient = await AccessFactory.patient(gw, hospital);

    // A record filed; the doctor refused.
    const filed = await gw.http.post('/v1/records?category=OPConsultation&wait=anchored').set(hospital.auth).set('X-Filing-Token', RecordFactory.filingToken(gw, patient, hospital.address))
      .set('Content-Type', 'application/fhir+json').send(JSON.stringify(bundle('1984-05-06'))).expect(201);
    const recordId: string = filed.body.recordId;
    expect((await AccessFactory.read(gw, doctor, recordId).expect(403)).body.code).toBe('CONSENT_REQUIRED');

    // The patient grants; the doctor reads; the read is on chain.
    await AccessFactory.grant(gw, patient, doctor.address).expect(201);
    await AccessFactory.read(gw, doctor, recordId).expect(200);
    const relationship = AccessFactory.relationshipWith(patient, doctor.address);
    const accessLog = gw.app.get(AccessLog);
    await eventually(async () => {
      const logs = await gw.app.get(ChainClient).logs({ address: accessLog.address, topics: [null, null, relationship.handle], fromBlock: 0n });
      expect(accessLog.entriesIn(logs)).toEqual([expect.objectContaining({ reader: doctor.address, purpose: Purpose.CAREMGT })]);
    }, { timeoutMs: 20_000 });

    // The patient revokes: refused from the block that includes the revocation, allowed in the one before.
    const revoked = await AccessFactory.revoke(gw, patient, doctor.address);
    expect(revoked.body.status).toBe('applied');
    expect(await mayReadAt(revoked.body.block - 1, relationship.handle, doctor.address, recordId)).toBe(true);
    expect(await mayReadAt(revoked.body.block, relationship.handle, doctor.address, recordId)).toBe(false);
    expect((await AccessFactory.read(gw, doctor, recordId).expect(403)).body.code).toBe('CONSENT_REVOKED');

    // An emergency: asked, seen by the patient at once, approved by 2 of 3 authorities, read, seen.
    const drafted = await gw.http.post('/v1/emergencies').set(doctor.auth).send({ patient: patient.relationship.handle, reason: 'Found unresponsive; current medication needed', durationSeconds: 3600 }).expect(201);
    const requested = await gw.http.post(`/v1/emergencies/${drafted.body.emergency.id}/signature?wait=requested`).set(doctor.auth)
      .send({ signature: signTypedData(doctor.key.key, drafted.body.typedData as TypedData) }).expect(200);
    expect((await gw.http.get('/v1/notifications').set(patient.auth).expect(200)).body[0]).toMatchObject({ kind: 'emergency.requested' });
    const consortium = await AccessFactory.consortium(gw);
    for (const key of consortium.authorityKeys.slice(0, consortium.threshold)) {
      const authority = new ChainClient(consortium.rpcUrl, key);
      expect((await authority.waitForReceipt((await authority.send(gw.app.get(EmergencyAccess).contract, 'approve', [requested.body.requestId])).txHash, 10_000)).success).toBe(true);
    }
    await AccessFactory.read(gw, doctor, recordId, 'BTG').expect(200);
    const feed = (await gw.http.get('/v1/notifications').set(patient.auth).expect(200)).body.map((n: { kind: string }) => n.kind);
    expect(feed).toEqual(expect.arrayContaining(['emergency.requested', 'emergency.granted', 'record.read', 'consent.revoked', 'consent.granted']));
    expect((await gw.http.get('/v1/access-log').set(patient.auth).expect(200)).body.map((e: { kind: string }) => e.kind)).toEqual(['emergency', 'consent']);

    // Research: this patient and five more consent to an institution; the export identifies nobody and has no group under k.
    const institution = await AccessFactory.hospital(gw, adminToken);
    const username = `story.researcher.${process.pid}`;
    const password = `pw ${randomBytes(12).toString('base64url')}`;
    await gw.http.post('/v1/accounts').set('Authorization', `Bearer ${adminToken}`).send({ role: Role.Researcher, username, password, aadhaar: madeUpAadhaar(), hospitalId: institution.id }).expect(201);
    const researcher = { Authorization: `Bearer ${(await gw.http.post('/v1/auth/login').send({ username, password }).expect(200)).body.accessToken}` };
    const research = AccessFactory.terms({ purposes: 1 << Purpose.DSRCH });
    await AccessFactory.grant(gw, patient, institution.address, research).expect(201);
    const others: AccessPatient[] = [];
    for (let i = 0; i < 5; i++) {
      const other = await AccessFactory.patient(gw, hospital);
      await gw.http.post('/v1/records?category=OPConsultation&wait=anchored').set(hospital.auth).set('X-Filing-Token', RecordFactory.filingToken(gw, other, hospital.address))
        .set('Content-Type', 'application/fhir+json').send(JSON.stringify(bundle(i < 4 ? '1986-01-01' : '1950-01-01'))).expect(201);
      await AccessFactory.grant(gw, other, institution.address, research).expect(201);
      others.push(other);
    }
    const exported = (await gw.http.get('/v1/research/export').set(researcher).expect(200)).body;
    // Five patients aged 40-49 make a group of k; the one aged 76 alone is suppressed.
    expect(exported.report).toMatchObject({ k: 5, subjects: 6, releasedRecords: 5, suppressedGroups: 1, suppressedSubjects: 1 });
    const groups = new Map<string, Set<string>>();
    for (const row of exported.rows) groups.set(`${row.ageBand}|${row.gender}|${row.region}`, new Set([...(groups.get(`${row.ageBand}|${row.gender}|${row.region}`) ?? []), row.subject]));
    expect([...groups.values()].every((subjects) => subjects.size >= exported.report.k)).toBe(true);
    const text = JSON.stringify(exported);
    for (const someone of [patient, ...others]) expect(text).not.toContain(someone.relationship.handle.slice(2));
    for (const value of [recordId, persona.resident.name, persona.resident.aadhaar, 'Qz', '1984-05']) expect(text).not.toContain(value);

    // Trust model 1 after all of it: the persona side holds no handle, consent key or salt of the patient's
    // relationships, and the records side (consents, links, reads, emergencies included) nothing of the persona.
    const db = gw.app.get(DataSource);
    const main = gw.config.database.schema;
    const personaSide = (await dumpSchemas(db, [companionSchema(main, 'persona'), companionSchema(main, 'aadhaar_vault')])).toLowerCase();
    const relationships = [patient.relationship, relationship, AccessFactory.relationshipWith(patient, institution.address)];
    for (const { handle, signer, salt } of relationships) {
      for (const value of [handle, signer, salt]) expect({ value, onPersonaSide: personaSide.includes(value.slice(2).toLowerCase()) }).toEqual({ value, onPersonaSide: false });
    }
    const recordsSide = (await dumpSchemas(db, [main], { except: ['accounts', 'security_events', 'revoked_tokens', 'used_challenges', 'api_keys'] })).toLowerCase();
    // The dump does reach the new tables (links, reads): the handles are there, on the side they belong to.
    expect(recordsSide).toContain(relationship.handle.slice(2).toLowerCase());
    for (const value of [persona.personaId, persona.resident.name.toLowerCase(), persona.resident.aadhaar]) {
      expect({ value, onRecordsSide: recordsSide.includes(value) }).toEqual({ value, onRecordsSide: false });
    }
  });
});
