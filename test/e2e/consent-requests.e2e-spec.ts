import { Role } from '../../gateway/src/auth/permissions';
import { signTypedData, TypedData } from '../../gateway/src/chain/eip712';
import { signConsentApproval, signConsentDenial, signRegistration } from '../../gateway/src/chain/patient-messages';
import { AccessFactory, AccessPatient, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { PseudonymFactory } from '../factories/pseudonym.factory';
import { RecordFactory } from '../factories/record.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 14, point 2: doctors file consent requests; patients list them and approve (granting what
 * was asked or less) or deny, with messages their own software signs.
 */
describe('consent requests (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: AdmittedHospital;
  let doctor: Practitioner;
  let patient: AccessPatient;
  let recordId: string;
  let asDoctorsRelationship: { Authorization: string };

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccessFactory.hospital(gw, adminToken);
    doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
    patient = await AccessFactory.patient(gw, hospital);
    recordId = (await RecordFactory.file(gw, hospital, patient, 'asthma review')).recordId;
    // The patient's software opens the relationship with the doctor (registration only) and gives the doctor its handle.
    const withDoctor = AccessFactory.relationshipWith(patient, doctor.address);
    await gw.http.post('/v1/relationships?wait=applied').send(AccessFactory.body(signRegistration(withDoctor, patient.scope, AccessFactory.deadline()))).expect(201);
    asDoctorsRelationship = (await PseudonymFactory.signedIn(gw, { handle: withDoctor.handle, key: { key: withDoctor.privateKey, address: withDoctor.signer } })).auth;
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const relationship = () => AccessFactory.relationshipWith(patient, doctor.address);
  /** The doctor drafts, signs with their practitioner key and sends a request for `terms`; the request as answered. */
  async function requested(by: Practitioner = doctor, categories = 0x7f): Promise<{ id: string; requestId: number; terms: Record<string, number> }> {
    const terms = { ...AccessFactory.terms({ categories }) } as Record<string, unknown>;
    delete terms.recordsRoot;
    const drafted = await gw.http.post('/v1/consent-requests').set(by.auth).send({ patient: relationship().handle, terms }).expect(201);
    const signature = signTypedData(by.key.key, drafted.body.typedData as TypedData);
    const sent = await gw.http.post(`/v1/consent-requests/${drafted.body.request.id}/signature?wait=requested`).set(by.auth).send({ signature }).expect(200);
    expect(sent.body).toMatchObject({ state: 'requested', status: 'requested' });
    return sent.body;
  }
  const nonce = async () => Number((await gw.http.get('/v1/consents').set(asDoctorsRelationship).expect(200)).body[0]?.nonce ?? 0);

  it('is listed for the patient, approved with narrower terms, and the doctor reads what was granted', async () => {
    expect((await AccessFactory.read(gw, doctor, recordId).expect(403)).body.code).toBe('CONSENT_REQUIRED');
    const request = await requested();

    const listed = await gw.http.get('/v1/consent-requests').set(asDoctorsRelationship).expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: request.id, requestId: request.requestId, doctor: doctor.address, status: 'requested' })]);

    // Granted less than asked: OPConsultation only (the record is one), for care.
    const terms = AccessFactory.terms({ categories: 1 });
    const approval = signConsentApproval(relationship(), patient.scope, { requestId: request.requestId, doctor: doctor.address }, terms, await nonce(), AccessFactory.deadline());
    const { type: _type, requestId: _id, patient: _patient, doctor: _doctor, ...body } = approval;
    const answered = await gw.http.post(`/v1/consent-requests/${request.id}/approval?wait=applied`).set(patient.auth).send({ ...body, link: AccessFactory.link(patient, doctor.address) }).expect(201);
    expect(answered.body).toMatchObject({ type: 'ConsentApproval', status: 'applied' });

    expect((await AccessFactory.read(gw, doctor, recordId).expect(200)).body.resource.note[0].text).toBe('asthma review');
    expect((await gw.http.get('/v1/consent-requests').set(doctor.auth).expect(200)).body[0]).toMatchObject({ id: request.id, status: 'granted' });
  });

  it('is denied by the patient: the doctor learns it, and the consent they hold stays as it was', async () => {
    const request = await requested(doctor, 0x7f);
    const denial = signConsentDenial(relationship(), patient.scope, { requestId: request.requestId, doctor: doctor.address }, await nonce(), AccessFactory.deadline());
    await gw.http.post(`/v1/consent-requests/${request.id}/denial?wait=applied`).set(patient.auth).send({ nonce: denial.nonce, deadline: denial.deadline, signature: denial.signature }).expect(201);
    expect((await gw.http.get('/v1/consent-requests').set(doctor.auth).expect(200)).body.find((r: { id: string }) => r.id === request.id)).toMatchObject({ status: 'denied' });
    await AccessFactory.read(gw, doctor, recordId).expect(200);
  });

  describe('ATTACKS', () => {
    it('an approval of one request cannot be applied to another (the relayer cannot redirect it)', async () => {
      const first = await requested();
      const second = await requested();
      const approval = signConsentApproval(relationship(), patient.scope, { requestId: first.requestId, doctor: doctor.address }, AccessFactory.terms(), await nonce(), AccessFactory.deadline());
      const res = await gw.http.post(`/v1/consent-requests/${second.id}/approval`).set(patient.auth)
        .send({ terms: approval.terms, nonce: approval.nonce, deadline: approval.deadline, signature: approval.signature, link: AccessFactory.link(patient, doctor.address) }).expect(422);
      expect(res.body).toMatchObject({ code: 'CHAIN_WOULD_REVERT', details: { error: 'ConsentManagerInvalidSigner' } });
    });

    it("another doctor sees none of them, cannot sign them, and pharmacists cannot ask", async () => {
      const other = await AccessFactory.practitioner(gw, adminToken, hospital);
      expect((await gw.http.get('/v1/consent-requests').set(other.auth).expect(200)).body).toEqual([]);
      const drafted = await gw.http.post('/v1/consent-requests').set(doctor.auth).send({ patient: relationship().handle, terms: { categories: 1, purposes: 1, fromDate: 0, toDate: 1, expiry: 4_000_000_000 } }).expect(201);
      await gw.http.post(`/v1/consent-requests/${drafted.body.request.id}/signature`).set(other.auth).send({ signature: `0x${'11'.repeat(65)}` }).expect(404);
      const pharmacist = await AccessFactory.practitioner(gw, adminToken, hospital, Role.Pharmacist);
      await gw.http.post('/v1/consent-requests').set(pharmacist.auth).send({ patient: relationship().handle, terms: { categories: 1, purposes: 1, fromDate: 0, toDate: 1, expiry: 4_000_000_000 } }).expect(403);
    });
  });
});
