import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { IpfsStore } from '../../gateway/src/ipfs/ipfs-store';
import { Keyring } from '../../gateway/src/keys/keyring';
import { rewrapTable } from '../../gateway/src/keys/rewrap';
import { MetricsService } from '../../gateway/src/metrics/metrics.service';
import { recordKeyTable } from '../../gateway/src/records/record-document';
import { RecordEntity } from '../../gateway/src/records/record.entity';
import { AccountFactory } from '../factories/account.factory';
import { generatedBundle } from '../factories/fhir-bundle.factory';
import { dumpSchemas } from '../factories/patient.factory';
import { FilingHospital, FilingPatient, RecordFactory } from '../factories/record.factory';
import { carryProposal } from '../../gateway/src/consortium/admission';
import { OutboxEntity } from '../../gateway/src/outbox/outbox.entity';
import { randomAddress } from '../contracts/support/accounts';
import { randomBytes32 } from '../contracts/support/chain';
import { consortiumOf } from '../support/consortium-members';
import { allFiles, holdsToken } from '../support/raw';
import { COMPANION_SCHEMAS, companionSchema } from '../../gateway/src/database/companion-schemas';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/** The product's main job: a hospital files a FHIR record for a patient, the patient reads exactly that record, proven. */
describe('records (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: FilingHospital;
  let patient: FilingPatient;
  const filedIdentifiers: string[] = [];

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await RecordFactory.hospital(gw, adminToken);
    patient = await RecordFactory.patient(gw);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const rows = () => gw.app.get(DataSource).getRepository(RecordEntity);
  const file = (resource: unknown, query = '?category=DiagnosticReport', token = RecordFactory.filingToken(gw, patient, hospital.address), auth: Record<string, string> = hospital.auth) =>
    gw.http.post(`/v1/records${query}`).set(auth).set('X-Filing-Token', token).set('Content-Type', 'application/fhir+json').send(JSON.stringify(resource));
  /** A bundle filed and anchored: its record id and the identifiers it carried. */
  const filedBundle = async (options: { age?: number } = {}) => {
    const generated = generatedBundle(options);
    filedIdentifiers.push(...generated.identifiers);
    const created = await file(generated.bundle, '?category=DiagnosticReport&wait=anchored').expect(201);
    return { ...generated, recordId: created.body.recordId as string, created: created.body };
  };
  const mismatches = async (check: string) => (await gw.app.get(MetricsService).integrityMismatches.get()).values.find((v) => v.labels.check === check)?.value ?? 0;

  it('files a bundle at once (pending), anchors it, and proves the version against the root on chain', async () => {
    const { bundle, clinical } = generatedBundle();
    const created = await file(bundle).expect(201);
    expect(created.body).toMatchObject({
      version: 1, category: 'DiagnosticReport', clinicalDate: clinical.encounterDate, contentType: 'application/fhir+json', status: 'current',
      author: expect.stringMatching(new RegExp(`^${hospital.address}$`, 'i')), anchor: { status: 'pending', proof: null },
    });
    expect(created.body.cid).toMatch(/^bafk/); // CIDv1, raw leaves
    expect(created.body.sha512).toMatch(/^[0-9a-f]{128}$/);

    const anchored = await RecordFactory.anchored(gw, hospital.auth, created.body.recordId);
    const { anchor } = anchored;
    // Anyone can check it with the contract: the version as the response gives it, the proof, the batch, the anchorer.
    const anchors = gw.app.get(RecordAnchors);
    const chain = gw.app.get(ChainClient);
    expect(await chain.call(anchors.contract, 'verifyRecord', [chain.address, anchor.batchId, anchor.version, anchor.proof])).toEqual([true]);
    expect(await chain.call(anchors.contract, 'recordLeaf', [anchor.version])).toEqual([anchor.leaf]);
    // A proof of another version (one field changed) does not verify.
    expect(await chain.call(anchors.contract, 'verifyRecord', [chain.address, anchor.batchId, { ...anchor.version, category: 4 }, anchor.proof])).toEqual([false]);
    expect(anchor.version).toMatchObject({ patientHandle: patient.relationship.handle, sha512Digest: `0x${created.body.sha512}`, category: 3, tombstone: false });
  });

  it('lets the patient list and read the record: de-identified, the clinical facts intact', async () => {
    const { recordId, identifiers, clinical } = await filedBundle();
    const list = await gw.http.get('/v1/records').set(patient.auth).expect(200);
    expect(list.body.records.map((r: { recordId: string }) => r.recordId)).toContain(recordId);

    const read = await gw.http.get(`/v1/records/${recordId}/content`).set(patient.auth).expect(200);
    expect(read.body.record).toMatchObject({ recordId, version: 1, anchor: { status: 'anchored' } });
    const text = JSON.stringify(read.body.resource).toLowerCase();
    for (const identifier of identifiers) expect([identifier, holdsToken(text, identifier)]).toEqual([identifier, false]);
    expect(text).toContain(`"value":${clinical.heartRate}`);
    expect(text).toContain(`"code":"${clinical.snomed}"`);
    expect(read.body.resource.resourceType).toBe('Bundle');
  });

  it('refuses invalid FHIR with the path of each problem, and stores nothing', async () => {
    const before = await rows().count();
    const res = await file({ resourceType: 'Observation', status: 'final', code: { text: 'HR' }, valueQuantity: { value: 'fast' }, colour: 'red' }).expect(400);
    expect(res.body.code).toBe('FHIR_INVALID');
    expect(res.body.details.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['Observation.value[x].value', 'Observation.colour']));
    expect((await file({ resourceType: 'NotAThing' }).expect(400)).body.code).toBe('FHIR_INVALID');
    expect((await file([1, 2]).expect(400)).body.code).toBe('FHIR_INVALID');
    expect(await rows().count()).toBe(before);
  });

  it('asks for a date of care when the resource has none, and refuses one in the future', async () => {
    const undated = { resourceType: 'Observation', status: 'final', code: { text: 'HR' }, valueQuantity: { value: 70 } };
    expect((await file(undated).expect(400)).body.code).toBe('CLINICAL_DATE_REQUIRED');
    expect((await file(undated, '?category=WellnessRecord&clinicalDate=2999-01-01').expect(400)).body.code).toBe('CLINICAL_DATE_INVALID');
    expect((await file(undated, '?category=WellnessRecord&clinicalDate=2026-02-30').expect(400)).body.code).toBe('CLINICAL_DATE_INVALID');
    expect((await file(undated, '?category=Gossip&clinicalDate=2026-02-03').expect(400)).body.code).toBe('VALIDATION_FAILED');
    const dated = await file(undated, '?category=WellnessRecord&clinicalDate=2026-02-03').expect(201);
    expect(dated.body).toMatchObject({ category: 'WellnessRecord', clinicalDate: '2026-02-03' });
  });

  it("files only with the patient's token for this hospital: none, malformed, another hospital's, expired, forged", async () => {
    const before = await rows().count();
    const { bundle } = generatedBundle();
    const post = (token: string | null, auth = hospital.auth) => {
      const req = gw.http.post('/v1/records?category=OPConsultation').set(auth).set('Content-Type', 'application/fhir+json');
      return (token === null ? req : req.set('X-Filing-Token', token)).send(JSON.stringify(bundle));
    };
    const other = await RecordFactory.hospital(gw, adminToken);
    const stranger = await RecordFactory.patient(gw);
    const forged = { relationship: { ...patient.relationship, privateKey: stranger.key.key } }; // the patient's handle, someone else's key

    expect((await post(null).expect(400)).body.code).toBe('FILING_TOKEN_REQUIRED');
    expect((await post('ehrft1.bm9wZQ').expect(400)).body.code).toBe('FILING_TOKEN_MALFORMED');
    expect((await post(RecordFactory.filingToken(gw, patient, other.address)).expect(403)).body.code).toBe('FILING_TOKEN_OTHER_HOSPITAL');
    // The token the patient gave this hospital, presented by another hospital.
    expect((await post(RecordFactory.filingToken(gw, patient, hospital.address), other.auth).expect(403)).body.code).toBe('FILING_TOKEN_OTHER_HOSPITAL');
    expect((await post(RecordFactory.filingToken(gw, patient, hospital.address, -10)).expect(403)).body.code).toBe('FILING_TOKEN_EXPIRED');
    expect((await post(RecordFactory.filingToken(gw, forged, hospital.address)).expect(403)).body.code).toBe('FILING_TOKEN_SIGNATURE');
    expect(await rows().count()).toBe(before);
  });

  it("lets the hospital's doctors file and see what it filed; other hospitals, patients and unaffiliated doctors see nothing", async () => {
    const doctor = await RecordFactory.doctor(gw, adminToken, hospital);
    const created = await file(generatedBundle().bundle, '?category=Prescription', undefined, doctor.auth).expect(201);
    const { recordId } = created.body;
    await gw.http.get(`/v1/records/${recordId}`).set(hospital.auth).expect(200);
    await gw.http.get(`/v1/records/${recordId}`).set(doctor.auth).expect(200);

    const other = await RecordFactory.hospital(gw, adminToken);
    const otherPatient = await RecordFactory.patient(gw);
    const loneDoctor = await AccountFactory.person(gw, adminToken, 'doctor' as never);
    for (const auth of [other.auth, otherPatient.auth, loneDoctor.auth]) {
      expect((await gw.http.get(`/v1/records/${recordId}`).set(auth).expect(404)).body.code).toBe('RECORD_NOT_FOUND');
    }
    await gw.http.get(`/v1/records/${recordId}/content`).set(otherPatient.auth).expect(404);
    // Content is the patient's: the filing hospital reads it only under a consent (issue 14).
    await gw.http.get(`/v1/records/${recordId}/content`).set(hospital.auth).expect(403);
    // A doctor at no hospital cannot file.
    expect((await file(generatedBundle().bundle, '?category=Prescription', undefined, loneDoctor.auth).expect(403)).body.code).toBe('NOT_A_FILING_HOSPITAL');
    // Nor can a hospital without a consortium address.
    const offChain = await AccountFactory.hospital(gw, adminToken);
    expect((await file(generatedBundle().bundle, '?category=Prescription', undefined, offChain.auth).expect(403)).body.code).toBe('NOT_A_FILING_HOSPITAL');
  });

  it('files only for a hospital the authorities hold admitted on chain: never admitted or suspended is 403 and stores nothing; reinstated, it files again', async () => {
    const consortium = await consortiumOf(gw);
    const outbox = () => gw.app.get(DataSource).getRepository(OutboxEntity).count();
    const bundle = () => JSON.stringify(generatedBundle().bundle);
    const fileAs = (filer: FilingHospital, auth: Record<string, string> = filer.auth, query = '?category=Prescription') =>
      gw.http.post(`/v1/records${query}`).set(auth).set('X-Filing-Token', RecordFactory.filingToken(gw, patient, filer.address)).set('Content-Type', 'application/fhir+json').send(bundle());
    const correctAs = (filer: FilingHospital, recordId: string) =>
      gw.http.post(`/v1/records/${recordId}/versions`).set(filer.auth).set('Content-Type', 'application/fhir+json').send(bundle());
    const stored = async () => ({ records: await rows().count(), outbox: await outbox() });

    // An administrator made an account for an address the authorities never admitted.
    const unadmitted = await RecordFactory.hospital(gw, adminToken, randomAddress());
    const before = await stored();
    expect((await fileAs(unadmitted).expect(403)).body.code).toBe('HOSPITAL_NOT_ADMITTED');
    expect(await stored()).toEqual(before);

    // An admitted hospital files, until the authorities suspend it: then neither a filing nor a
    // correction of what it filed, by its system or its doctor.
    const suspended = await RecordFactory.hospital(gw, adminToken);
    const doctor = await RecordFactory.doctor(gw, adminToken, suspended);
    const { recordId } = (await fileAs(suspended, suspended.auth, '?category=Prescription&wait=anchored').expect(201)).body;
    await carryProposal(consortium, 'proposeSuspension', suspended.address, randomBytes32());
    const whileSuspended = await stored();
    expect(whileSuspended.records).toBe(before.records + 1);
    expect((await fileAs(suspended).expect(403)).body.code).toBe('HOSPITAL_SUSPENDED');
    expect((await fileAs(suspended, doctor.auth).expect(403)).body.code).toBe('HOSPITAL_SUSPENDED');
    expect((await correctAs(suspended, recordId).expect(403)).body.code).toBe('HOSPITAL_SUSPENDED');
    expect(await stored()).toEqual(whileSuspended);

    // Reinstated by the authorities, it files and corrects again.
    await carryProposal(consortium, 'proposeReinstatement', suspended.address, randomBytes32());
    await fileAs(suspended).expect(201);
    await correctAs(suspended, recordId).expect(201);
  });

  it('detects a digest changed in the database: INTEGRITY_MISMATCH, an alert in the logs and the metrics, no data', async () => {
    const { recordId } = await filedBundle();
    const before = await mismatches('anchor');
    await rows().update({ recordId, version: 1 }, { sha512: Buffer.alloc(64, 7) });
    const res = await gw.http.get(`/v1/records/${recordId}/content`).set(patient.auth).expect(502);
    expect(res.body.code).toBe('INTEGRITY_MISMATCH');
    expect(res.body).not.toHaveProperty('resource');
    expect(await mismatches('anchor')).toBe(before + 1);
    expect(gw.logs.some((line) => line.includes('INTEGRITY_MISMATCH') && line.includes(recordId))).toBe(true);
  });

  it('detects a tampered IPFS block (the ciphertext no longer opens)', async () => {
    const { recordId, created } = await filedBundle();
    const sealed = Buffer.from(await gw.app.get(IpfsStore).get(created.cid));
    const block = await blockFileHolding(gw.config.ipfs.blocksDir, sealed);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 0x01;
    await writeFile(block, tampered);
    const before = await mismatches('ciphertext');
    expect((await gw.http.get(`/v1/records/${recordId}/content`).set(patient.auth).expect(502)).body.code).toBe('INTEGRITY_MISMATCH');
    expect(await mismatches('ciphertext')).toBe(before + 1);
  });

  it("detects a row pointed at another record's ciphertext and digest (the chain disagrees), and a status set back to skip the chain", async () => {
    const victim = await filedBundle();
    const donor = await filedBundle();
    const donorRow = await rows().findOneByOrFail({ recordId: donor.recordId });
    await rows().update({ recordId: victim.recordId, version: 1 }, { cid: donorRow.cid, sha512: donorRow.sha512, wrappedKey: donorRow.wrappedKey });
    expect((await gw.http.get(`/v1/records/${victim.recordId}/content`).set(patient.auth).expect(502)).body.code).toBe('INTEGRITY_MISMATCH');

    // The anchor hidden as if never made: nothing unproven is served.
    await rows().update({ recordId: victim.recordId, version: 1 }, { anchorStatus: 'pending', anchorBatchId: null, anchorProof: null });
    expect((await gw.http.get(`/v1/records/${victim.recordId}/content`).set(patient.auth).expect(409)).body.code).toBe('ANCHOR_PENDING');
    await rows().update({ recordId: victim.recordId, version: 1 }, { anchorStatus: 'anchored' });
    expect((await gw.http.get(`/v1/records/${victim.recordId}/content`).set(patient.auth).expect(502)).body.code).toBe('INTEGRITY_MISMATCH');
  });

  it('rotates the keyring: every record key is rewrapped under the new key, the ciphertext untouched, every record still reads', async () => {
    const { recordId } = await filedBundle();
    const altered = await filedBundle();
    const before = (await gw.http.get(`/v1/records/${recordId}/content`).set(patient.auth).expect(200)).body;
    // A row whose key was swapped for another record's: it does not unwrap, and must not stop the rotation of the others.
    const donor = await rows().findOneByOrFail({ recordId, version: 1 });
    await rows().update({ recordId: altered.recordId, version: 1 }, { wrappedKey: donor.wrappedKey });

    const keyring = gw.app.get(Keyring);
    const fresh = await keyring.rotate();
    const table = recordKeyTable(gw.config.database.schema);
    await expect(rewrapTable(gw.app.get(DataSource), keyring, table)).rejects.toThrow(`${altered.recordId}:1`);

    const keyIds = await rows().find({ select: { recordId: true, keyId: true } });
    const unreadable = new Set((await gw.app.get(DataSource).query(`SELECT record_id FROM records WHERE key_id <> $1`, [fresh])).map((r: { record_id: string }) => r.record_id));
    expect(unreadable.has(altered.recordId)).toBe(true);
    expect(keyIds.filter((row) => row.keyId === fresh).length).toBe(keyIds.length - unreadable.size);
    expect((await gw.http.get(`/v1/records/${recordId}/content`).set(patient.auth).expect(200)).body).toEqual(before);
  });

  it('keeps no identifier of any filed bundle in a dump of the database or in the IPFS blocks', async () => {
    await filedBundle({ age: 94 });
    const main = gw.config.database.schema;
    const dump = await dumpSchemas(gw.app.get(DataSource), [main, ...COMPANION_SCHEMAS.map((which) => companionSchema(main, which))]);
    const blocks = (await allFiles(gw.config.ipfs.blocksDir)).map((bytes) => bytes.toString('latin1')).join('\n');
    expect(filedIdentifiers.length).toBeGreaterThan(40);
    for (const identifier of filedIdentifiers) {
      expect([identifier, holdsToken(dump, identifier), holdsToken(blocks, identifier)]).toEqual([identifier, false, false]);
    }
    // The logs neither.
    const logs = gw.logs.join('\n');
    for (const identifier of filedIdentifiers) expect([identifier, holdsToken(logs, identifier)]).toEqual([identifier, false]);
  });
});

/** The embedded store's file that holds `bytes` (a record under 256 KiB is one raw block). */
async function blockFileHolding(dir: string, bytes: Buffer): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).equals(bytes)) return path;
  }
  throw new Error('No block file holds the ciphertext');
}
