import { DataSource } from 'typeorm';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { IpfsStore } from '../../gateway/src/ipfs/ipfs-store';
import { OutboxEntity } from '../../gateway/src/outbox/outbox.entity';
import { RecordEntity } from '../../gateway/src/records/record.entity';
import { AccountFactory } from '../factories/account.factory';
import { generatedBundle } from '../factories/fhir-bundle.factory';
import { FilingHospital, FilingPatient, RecordFactory } from '../factories/record.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/** A record's life after filing: corrections (versions the chain agrees with), the patient's erasure, retries with an Idempotency-Key. */
describe('record versions, erasure and idempotency (e2e)', () => {
  let gw: TestApp;
  let hospital: FilingHospital;
  let patient: FilingPatient;

  beforeAll(async () => {
    gw = await createTestApp();
    hospital = await RecordFactory.hospital(gw, await AccountFactory.adminToken(gw));
    patient = await RecordFactory.patient(gw);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const rows = () => gw.app.get(DataSource).getRepository(RecordEntity);
  const heartRate = (value: number) => ({
    resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, effectiveDateTime: '2026-11-20T08:00:00+05:30', valueQuantity: { value, unit: '/min' },
  });
  const file = (resource: unknown, headers: Record<string, string> = {}, query = '?category=OPConsultation') =>
    gw.http.post(`/v1/records${query}`).set(hospital.auth).set(headers).set('X-Filing-Token', RecordFactory.filingToken(gw, patient, hospital.address))
      .set('Content-Type', 'application/fhir+json').send(JSON.stringify(resource));
  const correct = (recordId: string, resource: unknown, headers: Record<string, string> = {}, auth: Record<string, string> = hospital.auth) =>
    gw.http.post(`/v1/records/${recordId}/versions?wait=anchored`).set(auth).set(headers).set('Content-Type', 'application/fhir+json').send(JSON.stringify(resource));
  const leafOnChain = async (version: Record<string, unknown>) => {
    const chain = gw.app.get(ChainClient);
    return ((await chain.call(gw.app.get(RecordAnchors).contract, 'recordLeaf', [version])) as string[])[0];
  };
  const anchorsQueuedFor = (recordId: string) => gw.app.get(DataSource).getRepository(OutboxEntity).createQueryBuilder('o').where('o.ref LIKE :ref', { ref: `${recordId}:%` }).getCount();

  it('files a correction as version 2, linked on chain to version 1; both readable, the history listed', async () => {
    const first = await file(heartRate(72), {}, '?category=OPConsultation&wait=anchored').expect(201);
    const { recordId } = first.body;
    const second = await correct(recordId, { ...heartRate(74), status: 'amended' }).expect(201);
    expect(second.body).toMatchObject({ recordId, version: 2, status: 'current', category: 'OPConsultation', clinicalDate: '2026-11-20', anchor: { status: 'anchored' } });
    // The chain's version chain agrees: version 2's previousVersion is version 1's leaf, as the contract computes it.
    expect(second.body.anchor.version.previousVersion).toBe(first.body.anchor.leaf);
    expect(await leafOnChain(first.body.anchor.version)).toBe(first.body.anchor.leaf);

    const history = await gw.http.get(`/v1/records/${recordId}/versions`).set(patient.auth).expect(200);
    expect(history.body.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([[1, 'superseded'], [2, 'current']]);
    const latest = await gw.http.get(`/v1/records/${recordId}/content`).set(patient.auth).expect(200);
    expect(latest.body.resource.valueQuantity.value).toBe(74);
    const earlier = await gw.http.get(`/v1/records/${recordId}/versions/1/content`).set(patient.auth).expect(200);
    expect(earlier.body.resource.valueQuantity.value).toBe(72);
    // The list shows the record once, at its newest version.
    const list = await gw.http.get('/v1/records').set(patient.auth).expect(200);
    expect(list.body.records.filter((r: { recordId: string }) => r.recordId === recordId).map((r: { version: number }) => r.version)).toEqual([2]);
  });

  it('corrects only an anchored record (version 1 proven on chain names its hospital)', async () => {
    const { recordId } = (await file(heartRate(58), {}, '?category=OPConsultation&wait=anchored').expect(201)).body;
    // As a row is between its 201 and its anchor:
    await rows().update({ recordId, version: 1 }, { anchorStatus: 'pending', anchorBatchId: null, anchorProof: null });
    expect((await correct(recordId, heartRate(59)).expect(409)).body.code).toBe('ANCHOR_PENDING');
    // A database edit of version 1's author does not hand the record to another hospital.
    const { recordId: victim } = (await file(heartRate(57), {}, '?category=OPConsultation&wait=anchored').expect(201)).body;
    const other = await RecordFactory.hospital(gw, await AccountFactory.adminToken(gw));
    await rows().update({ recordId: victim, version: 1 }, { author: other.address });
    expect((await correct(victim, heartRate(99), {}, other.auth)).body.code).toBe('INTEGRITY_MISMATCH');
    expect(await rows().countBy({ recordId: victim })).toBe(1);
  });

  it('lets only the filing hospital correct, and one of two concurrent corrections win', async () => {
    const { recordId } = (await file(heartRate(60), {}, '?category=OPConsultation&wait=anchored').expect(201)).body;
    const other = await RecordFactory.hospital(gw, await AccountFactory.adminToken(gw));
    expect((await correct(recordId, heartRate(61), {}, other.auth).expect(404)).body.code).toBe('RECORD_NOT_FOUND');

    const answers = await Promise.all([61, 62, 63].map((value) => correct(recordId, heartRate(value))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    for (const answer of answers.filter((a) => a.status !== 201)) expect([answer.status, answer.body.code]).toEqual([409, 'VERSION_CONFLICT']);
    const versions = await rows().find({ where: { recordId }, order: { version: 'ASC' } });
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    expect(versions.filter((v) => v.status === 'current')).toHaveLength(1);
    for (let i = 1; i < versions.length; i++) expect(versions[i]!.previousHash).toBe(versions[i - 1]!.versionHash);
  });

  it('erases at the patient\'s request: keys destroyed, ciphertexts gone from IPFS, a tombstone anchored; reads 410, the trail kept', async () => {
    const { recordId } = (await file(heartRate(80), {}, '?category=OPConsultation&wait=anchored').expect(201)).body;
    await correct(recordId, heartRate(81)).expect(201);
    const cids = (await rows().findBy({ recordId })).map((r) => r.cid!);

    // Only the patient erases: not the hospital, not another pseudonym.
    await gw.http.delete(`/v1/records/${recordId}`).set(hospital.auth).expect(403);
    const stranger = await RecordFactory.patient(gw);
    await gw.http.delete(`/v1/records/${recordId}`).set(stranger.auth).expect(404);

    const erased = await gw.http.delete(`/v1/records/${recordId}`).set(patient.auth).expect(200);
    expect(erased.body).toMatchObject({ recordId, version: 3, status: 'erased', cid: null, anchor: { version: { tombstone: true } } });

    const versions = await rows().find({ where: { recordId }, order: { version: 'ASC' } });
    expect(versions.map((v) => [v.status, v.wrappedKey, v.keyId])).toEqual([['erased', null, null], ['erased', null, null], ['erased', null, null]]);
    for (const cid of cids) await expect(gw.app.get(IpfsStore).get(cid)).rejects.toMatchObject({ code: 'IPFS_NOT_FOUND' });
    for (const path of ['content', 'versions/1/content', 'versions/2/content']) {
      expect((await gw.http.get(`/v1/records/${recordId}/${path}`).set(patient.auth).expect(410)).body.code).toBe('RECORD_ERASED');
    }
    expect((await correct(recordId, heartRate(82)).expect(410)).body.code).toBe('RECORD_ERASED');

    // The tombstone goes on chain after version 2, and the metadata keeps that the record existed.
    const tombstone = await RecordFactory.anchored(gw, patient.auth, recordId);
    expect(tombstone.anchor.version.previousVersion).toBe(versions[1]!.versionHash);
    const chain = gw.app.get(ChainClient);
    expect(await chain.call(gw.app.get(RecordAnchors).contract, 'verifyRecord', [chain.address, tombstone.anchor.batchId, tombstone.anchor.version, tombstone.anchor.proof])).toEqual([true]);
    const history = await gw.http.get(`/v1/records/${recordId}/versions`).set(patient.auth).expect(200);
    expect(history.body).toHaveLength(3);

    // Erasing again changes nothing: no fourth version, no second tombstone.
    await gw.http.delete(`/v1/records/${recordId}`).set(patient.auth).expect(200);
    expect(await rows().countBy({ recordId })).toBe(3);
    expect(await anchorsQueuedFor(recordId)).toBe(3);
  });

  it('replays a retried filing with the same Idempotency-Key: one record, one anchor, the same answer', async () => {
    const key = `retry-${Date.now()}`;
    const { bundle } = generatedBundle();
    const first = await file(bundle, { 'Idempotency-Key': key }).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await file(bundle, { 'Idempotency-Key': key }).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await rows().countBy({ recordId: first.body.recordId })).toBe(1);
    expect(await anchorsQueuedFor(first.body.recordId)).toBe(1);

    // The same key with another request is refused, and files nothing.
    const before = await rows().count();
    expect((await file(generatedBundle().bundle, { 'Idempotency-Key': key }).expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await file(bundle, { 'Idempotency-Key': key }, '?category=Prescription').expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await file(bundle, { 'Idempotency-Key': 'bad key with spaces' }).expect(400)).body.code).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(await rows().count()).toBe(before);
  });

  it('files once when the same request is sent several times at once with one key (the others: the answer, or 409 while it runs)', async () => {
    const key = `burst-${Date.now()}`;
    const { bundle } = generatedBundle();
    const before = await rows().count();
    const answers = await Promise.all(Array.from({ length: 6 }, () => file(bundle, { 'Idempotency-Key': key })));
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.recordId)).size).toBe(1);
    for (const answer of answers.filter((a) => a.status !== 201)) expect([answer.status, answer.body.code]).toEqual([409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS']);
    expect(await rows().count()).toBe(before + 1);
  });

  it('lets a failed request free its key: a corrected retry with the same key files', async () => {
    const key = `fix-${Date.now()}`;
    // Refused before anything is filed (the date of care is missing): the key stays free.
    const undated = { resourceType: 'Observation', status: 'final', code: { text: 'HR' }, valueQuantity: { value: 70 } };
    await file(undated, { 'Idempotency-Key': key }).expect(400);
    await file(undated, { 'Idempotency-Key': key }, '?category=OPConsultation&clinicalDate=2026-11-02').expect(201);
  });
});
