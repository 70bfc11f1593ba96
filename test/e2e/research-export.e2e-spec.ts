import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccessEntryEntity } from '../../gateway/src/access/access-entry.entity';
import { Role } from '../../gateway/src/auth/permissions';
import { Purpose } from '../../gateway/src/chain/typed-messages';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { AccessFactory, AccessPatient, AdmittedHospital } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { RecordFactory } from '../factories/record.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 14, point 7: researchers get de-identified records only from patients who consented to
 * research (DSRCH), with quasi-identifiers generalised and no group of fewer than k patients.
 */
describe('research export (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: AdmittedHospital;
  let institution: AdmittedHospital;
  let researcher: { auth: { Authorization: string } };
  const patients: Array<{ patient: AccessPatient; recordId: string; name: string }> = [];

  const bundle = (name: string, birthDate: string, gender: string, state: string) => ({
    resourceType: 'Bundle', type: 'collection',
    entry: [
      { resource: { resourceType: 'Patient', id: 'p1', name: [{ text: name }], birthDate, gender, address: [{ city: 'Kochi', state, country: 'IN' }], telecom: [{ system: 'phone', value: '+91 9812345678' }] } },
      { resource: { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: 'Patient/p1' }, effectiveDateTime: '2026-03-10T09:30:00+05:30', valueQuantity: { value: 72, unit: '/min' } } },
    ],
  });

  /** A patient filed for at `hospital`, who grants the institution `purposes`. */
  async function consenting(birthDate: string, gender: string, state: string, purposes = 1 << Purpose.DSRCH) {
    const patient = await AccessFactory.patient(gw, hospital);
    const name = `Zq${randomBytes(4).toString('hex')} Vx${randomBytes(4).toString('hex')}`;
    const filed = await gw.http.post('/v1/records?category=OPConsultation&wait=anchored').set(hospital.auth).set('X-Filing-Token', RecordFactory.filingToken(gw, patient, hospital.address))
      .set('Content-Type', 'application/fhir+json').send(JSON.stringify(bundle(name, birthDate, gender, state))).expect(201);
    await AccessFactory.grant(gw, patient, institution.address, AccessFactory.terms({ purposes })).expect(201);
    patients.push({ patient, recordId: filed.body.recordId, name });
  }

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccessFactory.hospital(gw, adminToken);
    institution = await AccessFactory.hospital(gw, adminToken);
    const username = `researcher.${process.pid}`;
    const password = `pw ${randomBytes(12).toString('base64url')}`;
    await gw.http.post('/v1/accounts').set('Authorization', `Bearer ${adminToken}`).send({ role: Role.Researcher, username, password, aadhaar: madeUpAadhaar(), hospitalId: institution.id }).expect(201);
    researcher = { auth: { Authorization: `Bearer ${(await gw.http.post('/v1/auth/login').send({ username, password }).expect(200)).body.accessToken}` } };
    for (let i = 0; i < 5; i++) await consenting('1981-04-02', 'female', 'Kerala');
    for (let i = 0; i < 2; i++) await consenting('1983-07-09', 'male', 'Goa');
    await consenting('1981-04-02', 'female', 'Kerala', 1 << Purpose.CAREMGT); // consented to care, not research
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('releases generalised records of research consenters only, suppresses groups under k, identifies nobody, and logs each release', async () => {
    const res = await gw.http.get('/v1/research/export').set(researcher.auth).expect(200);
    expect(res.body.report).toEqual({ k: 5, subjects: 7, releasedRecords: 5, groups: 2, suppressedGroups: 1, suppressedSubjects: 2, suppressedRecords: 2, skippedFiles: 0 });
    expect(res.body.rows).toHaveLength(5);
    for (const row of res.body.rows) {
      expect(row).toMatchObject({ ageBand: '40-49', gender: 'female', region: 'Kerala', category: 'OPConsultation', year: 2026 });
      expect(row.resource.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Observation']);
      expect(row.resource.entry[0].resource.effectiveDateTime).toBe('2026');
    }
    expect(new Set(res.body.rows.map((row: { subject: string }) => row.subject)).size).toBe(5);

    // Nothing in it names anyone or leads back to the ledger: no name, phone, birth date, record id or handle.
    const text = JSON.stringify(res.body);
    for (const { patient, recordId, name } of patients) {
      for (const value of [name.split(' ')[0]!, patient.relationship.handle.slice(2), AccessFactory.relationshipWith(patient, institution.address).handle.slice(2), recordId]) expect(text).not.toContain(value);
    }
    for (const value of ['9812345678', '1981-04', 'Kochi']) expect(text).not.toContain(value);

    // Each released record is logged as a research read; the suppressed and the care-only ones are not.
    const entries = await gw.app.get(DataSource).getRepository(AccessEntryEntity).findBy({ purpose: Purpose.DSRCH });
    expect(entries).toHaveLength(5);
    expect(new Set(entries.map((e) => e.recordId))).toEqual(new Set(patients.slice(0, 5).map((p) => p.recordId)));
    const log = await gw.http.get('/v1/access-log').set(patients[0]!.patient.auth).expect(200);
    expect(log.body[0]).toMatchObject({ purpose: 'DSRCH', reader: institution.address, readerName: expect.stringMatching(/\(researcher\)$/) });
  });

  it('takes a higher k, never a lower one', async () => {
    const stricter = await gw.http.get('/v1/research/export?k=6').set(researcher.auth).expect(200);
    expect(stricter.body).toMatchObject({ rows: [], report: { k: 6, releasedRecords: 0, suppressedGroups: 2, suppressedSubjects: 7 } });
    expect((await gw.http.get('/v1/research/export?k=2').set(researcher.auth).expect(200)).body.report.k).toBe(5);
  });

  it('is for researchers of a member institution only', async () => {
    const doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
    await gw.http.get('/v1/research/export').set(doctor.auth).expect(403);
    const loner = await AccountFactory.person(gw, adminToken, Role.Researcher);
    expect((await gw.http.get('/v1/research/export').set(loner.auth).expect(403)).body.code).toBe('NO_RESEARCH_INSTITUTION');
  });
});
