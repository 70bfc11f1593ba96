import { DataSource } from 'typeorm';
import { AccessEntryEntity } from '../../gateway/src/access/access-entry.entity';
import { Role } from '../../gateway/src/auth/permissions';
import { AccessLog } from '../../gateway/src/chain/access-log';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { signTypedData, TypedData } from '../../gateway/src/chain/eip712';
import { EmergencyAccess } from '../../gateway/src/chain/emergency-access';
import { recordIdOnChain } from '../../gateway/src/chain/record-id';
import { accessLogRecordId, textCommitment } from '../../gateway/src/chain/relationships';
import { newKey } from '../contracts/support/accounts';
import { AccessFactory, AccessPatient, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { AccountFactory, TestPerson } from '../factories/account.factory';
import { RecordFactory } from '../factories/record.factory';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Break-glass (issue 14, point 5): a doctor with no consent asks, with a reason; the request is
 * on chain and visible to the patient at once; k of n authorities approve on chain with their own
 * keys; the doctor reads for the time box, each read logged as an emergency.
 */
describe('emergency access (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: AdmittedHospital;
  let doctor: Practitioner;
  let patient: AccessPatient;
  let recordId: string;
  let authorities: ChainClient[];
  let reviewer: TestPerson;

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccessFactory.hospital(gw, adminToken);
    doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
    patient = await AccessFactory.patient(gw, hospital);
    recordId = (await RecordFactory.file(gw, hospital, patient, 'penicillin allergy noted')).recordId;
    const consortium = await AccessFactory.consortium(gw);
    authorities = consortium.authorityKeys.map((key) => new ChainClient(consortium.rpcUrl, key));
    reviewer = await AccountFactory.person(gw, adminToken, Role.Authority);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const emergencyAccess = () => gw.app.get(EmergencyAccess);
  const draft = (by: Practitioner, reason = 'Unconscious after a road accident; allergies needed now') =>
    gw.http.post('/v1/emergencies').set(by.auth).send({ patient: patient.relationship.handle, reason, durationSeconds: 4 * 3600 });
  const approve = async (authority: ChainClient, requestId: number) => {
    const { txHash } = await authority.send(emergencyAccess().contract, 'approve', [requestId]);
    expect((await authority.waitForReceipt(txHash, 10_000)).success).toBe(true);
  };

  it('is asked with a reason, seen by the patient at once, granted by k authorities, and every read is logged as an emergency', async () => {
    expect((await AccessFactory.read(gw, doctor, recordId, 'BTG').expect(403)).body.code).toBe('EMERGENCY_NOT_GRANTED');

    const drafted = await draft(doctor).expect(201);
    expect(drafted.body.emergency).toMatchObject({ state: 'draft', status: 'none', patient: patient.relationship.handle, doctor: doctor.address });
    // Named on chain by a pseudonym of this patient and doctor only, never the records' handle.
    expect(drafted.body.emergency.patientOnChain).not.toBe(patient.relationship.handle);
    const signature = signTypedData(doctor.key.key, drafted.body.typedData as TypedData);
    const requested = await gw.http.post(`/v1/emergencies/${drafted.body.emergency.id}/signature?wait=requested`).set(doctor.auth).send({ signature }).expect(200);
    expect(requested.body).toMatchObject({ state: 'requested', status: 'pending', approvals: 0 });
    const { requestId } = requested.body;

    // The patient sees it before anyone approved it: who, why, its state on chain.
    const seen = await gw.http.get('/v1/emergencies').set(patient.auth).expect(200);
    expect(seen.body).toEqual([expect.objectContaining({ requestId, doctor: doctor.address, status: 'pending', reason: expect.stringContaining('road accident') })]);
    const feed = (await gw.http.get('/v1/notifications').set(patient.auth).expect(200)).body;
    expect(feed[0]).toMatchObject({ kind: 'emergency.requested', text: expect.stringContaining('asked for emergency access: Unconscious'), refs: { requestId } });

    // The authorities' review list: the reason, and the salt that proves it is the one committed to on chain.
    const review = await gw.http.get('/v1/emergencies/review').set(reviewer.auth).expect(200);
    const listed = review.body.find((e: { requestId: number }) => e.requestId === requestId);
    expect((await emergencyAccess().requestOf(BigInt(requestId))).reasonHash).toBe(textCommitment(listed.reason, listed.reasonSalt));

    await approve(authorities[0]!, requestId);
    expect((await AccessFactory.read(gw, doctor, recordId, 'BTG').expect(403)).body.code).toBe('EMERGENCY_NOT_GRANTED'); // 1 of k
    await approve(authorities[1]!, requestId);

    const read = await AccessFactory.read(gw, doctor, recordId, 'BTG').expect(200);
    expect(read.body.resource.note[0].text).toBe('penicillin allergy noted');
    const pseudonym: string = requested.body.patientOnChain;
    const accessLog = gw.app.get(AccessLog);
    const [entry] = await eventually(async () => {
      const entries = accessLog.entriesIn(await gw.app.get(ChainClient).logs({ address: accessLog.address, topics: [null, null, pseudonym], fromBlock: 0n }));
      expect(entries).toHaveLength(1);
      return entries;
    }, { timeoutMs: 20_000 });
    expect(entry).toMatchObject({
      recordId: accessLogRecordId(recordIdOnChain(recordId), pseudonym, (await gw.app.get(DataSource).getRepository(AccessEntryEntity).findOneByOrFail({ recordId })).blindingSalt), reader: doctor.address, purpose: 1, kind: 1, authorizationId: `0x${requestId.toString(16).padStart(64, '0')}`,
    });
    const log = await gw.http.get('/v1/access-log').set(patient.auth).expect(200);
    expect(log.body[0]).toMatchObject({ recordId, reader: doctor.address, purpose: 'BTG', kind: 'emergency' });
    expect((await gw.http.get('/v1/emergencies').set(patient.auth).expect(200)).body[0]).toMatchObject({ status: 'granted', approvals: 2 });
    const kinds = (await gw.http.get('/v1/notifications').set(patient.auth).expect(200)).body.map((n: { kind: string }) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['record.read', 'emergency.granted', 'emergency.requested']));
    // The authorities' audit: every release, pseudonymous, as on chain; nothing names the record.
    const audit = (await gw.http.get('/v1/access-log/all').set(reviewer.auth).expect(200)).body;
    expect(audit).toContainEqual(expect.objectContaining({ reader: doctor.address, purpose: 'BTG', kind: 'emergency', relationship: pseudonym, loggedRecordId: entry!.recordId }));
    expect(JSON.stringify(audit)).not.toContain(recordId);
    await gw.http.get('/v1/access-log/all').set(doctor.auth).expect(403);
    await gw.http.get('/v1/access-log/all').set(patient.auth).expect(403);
    // Break-glass is for that record set only with purpose BTG: a care read still needs a consent.
    expect((await AccessFactory.read(gw, doctor, recordId).expect(403)).body.code).toBe('CONSENT_REQUIRED');
  });

  describe('ATTACKS', () => {
    it('another doctor cannot read under it, nor sign or see it', async () => {
      const other = await AccessFactory.practitioner(gw, adminToken, hospital);
      expect((await AccessFactory.read(gw, other, recordId, 'BTG').expect(403)).body.code).toBe('EMERGENCY_NOT_GRANTED');
      const mine = await draft(doctor).expect(201);
      await gw.http.post(`/v1/emergencies/${mine.body.emergency.id}/signature`).set(other.auth).send({ signature: `0x${'11'.repeat(65)}` }).expect(404);
      expect((await gw.http.get('/v1/emergencies').set(other.auth).expect(200)).body).toEqual([]);
    });

    it('a request signed by any key but the doctor\'s is refused before it is queued', async () => {
      const drafted = await draft(doctor).expect(201);
      const forged = signTypedData(newKey().key, drafted.body.typedData as TypedData);
      const res = await gw.http.post(`/v1/emergencies/${drafted.body.emergency.id}/signature`).set(doctor.auth).send({ signature: forged }).expect(422);
      expect(res.body).toMatchObject({ code: 'CHAIN_WOULD_REVERT', details: { error: 'EmergencyAccessInvalidSigner' } });
      expect((await gw.http.get('/v1/emergencies').set(doctor.auth).expect(200)).body.find((e: { id: string }) => e.id === drafted.body.emergency.id)).toMatchObject({ state: 'draft' });
    });

    it('pharmacists cannot ask, patients and doctors cannot review, and nobody asks for a pseudonym with no records', async () => {
      const pharmacist = await AccessFactory.practitioner(gw, adminToken, hospital, Role.Pharmacist);
      await draft(pharmacist).expect(403);
      await gw.http.get('/v1/emergencies/review').set(doctor.auth).expect(403);
      await gw.http.get('/v1/emergencies/review').set(patient.auth).expect(403);
      const nobody = await gw.http.post('/v1/emergencies').set(doctor.auth).send({ patient: `0x${'ab'.repeat(32)}`, reason: 'probing whether a handle exists', durationSeconds: 3600 }).expect(404);
      expect(nobody.body.code).toBe('PATIENT_NOT_FOUND');
    });
  });
});
