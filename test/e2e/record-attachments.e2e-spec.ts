import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RecordEntity } from '../../gateway/src/records/record.entity';
import { AccountFactory } from '../factories/account.factory';
import { AttachmentFactory } from '../factories/attachment.factory';
import { dumpSchemas } from '../factories/patient.factory';
import { FilingHospital, FilingPatient, RecordFactory } from '../factories/record.factory';
import { allFiles, binary } from '../support/raw';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/** Files as records: a scanned report, a photograph; typed by their bytes, without their metadata, encrypted like any record. */
describe('record attachments (e2e)', () => {
  const LIMIT = 256 * 1024;
  let gw: TestApp;
  let hospital: FilingHospital;
  let patient: FilingPatient;

  beforeAll(async () => {
    gw = await createTestApp({ env: { BODY_LIMIT_BYTES: String(LIMIT) } });
    hospital = await RecordFactory.hospital(gw, await AccountFactory.adminToken(gw));
    patient = await RecordFactory.patient(gw);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const rows = () => gw.app.get(DataSource).getRepository(RecordEntity);
  const file = (bytes: Buffer, contentType: string, query = '?category=DiagnosticReport&clinicalDate=2026-11-28&wait=anchored', headers: Record<string, string> = {}) =>
    gw.http.post(`/v1/records${query}`).set(hospital.auth).set(headers).set('X-Filing-Token', RecordFactory.filingToken(gw, patient, hospital.address)).set('Content-Type', contentType).send(bytes);
  const read = (recordId: string) => gw.http.get(`/v1/records/${recordId}/content`).set(patient.auth).buffer(true).parse(binary);

  it('files a PDF sent as application/octet-stream, typed by its bytes, and gives the patient the same bytes back, proven', async () => {
    const pdf = AttachmentFactory.pdf('Discharge summary for the patient');
    const created = await file(pdf, 'application/octet-stream').expect(201);
    expect(created.body).toMatchObject({ contentType: 'application/pdf', category: 'DiagnosticReport', clinicalDate: '2026-11-28', anchor: { status: 'anchored' } });

    const res = await read(created.body.recordId).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-record-id']).toBe(created.body.recordId);
    expect((res.body as Buffer).equals(pdf)).toBe(true);
  });

  it('strips a JPEG\'s EXIF and comment and a PNG\'s text chunk; the pictures stay as they were', async () => {
    const serial = `CAM-${randomBytes(6).toString('hex')}`;
    const pixels = randomBytes(2_000);
    const jpeg = AttachmentFactory.jpeg(`${serial} GPS 18.5204N 73.8567E`, pixels);
    const jpegRecord = (await file(jpeg, 'image/jpeg').expect(201)).body;
    const storedJpeg = (await read(jpegRecord.recordId).expect(200)).body as Buffer;
    expect(storedJpeg.includes(Buffer.from(serial))).toBe(false);
    expect(storedJpeg.includes(Buffer.from('Exif'))).toBe(false);
    expect(storedJpeg.includes(pixels)).toBe(true);
    expect(storedJpeg.subarray(0, 4).equals(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);

    const author = `Meera ${randomBytes(4).toString('hex')}`;
    const png = AttachmentFactory.png(author);
    const pngRecord = (await file(png, 'image/png').expect(201)).body;
    const storedPng = (await read(pngRecord.recordId).expect(200)).body as Buffer;
    expect(pngRecord.contentType).toBe('image/png');
    expect(storedPng.includes(Buffer.from(author))).toBe(false);
    expect(storedPng.includes(Buffer.from('IDAT'))).toBe(true);

    // Nowhere in clear: not in the database, not in an IPFS block.
    const dump = await dumpSchemas(gw.app.get(DataSource), [gw.config.database.schema]);
    const blocks = await allFiles(gw.config.ipfs.blocksDir);
    for (const secret of [serial, author]) {
      expect(dump.includes(secret)).toBe(false);
      expect(blocks.some((block) => block.includes(Buffer.from(secret)))).toBe(false);
    }
  });

  it('refuses what its bytes say is no document or image, whatever the header says, and what is too large; files nothing', async () => {
    const before = await rows().count();
    const script = Buffer.from('#!/bin/sh\necho not a scan\n');
    for (const declared of ['application/pdf', 'image/png', 'application/octet-stream']) {
      expect((await file(script, declared).expect(415)).body.code).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    }
    expect((await file(Buffer.alloc(0), 'application/pdf').expect(400)).body.code).toBe('EMPTY_BODY');
    const tooLarge = Buffer.concat([AttachmentFactory.pdf('x'), randomBytes(LIMIT)]);
    await file(tooLarge, 'application/pdf').expect(413);
    // A file does not say when the care was: the date is asked for.
    expect((await file(AttachmentFactory.pdf('undated'), 'application/pdf', '?category=DiagnosticReport').expect(400)).body.code).toBe('CLINICAL_DATE_REQUIRED');
    expect(await rows().count()).toBe(before);
  });

  it('replays a retried file upload with the same Idempotency-Key, and refuses the key for other bytes', async () => {
    const key = `scan-${Date.now()}`;
    const pdf = AttachmentFactory.pdf('retried');
    const first = await file(pdf, 'application/pdf', '?category=HealthDocumentRecord&clinicalDate=2026-11-01', { 'Idempotency-Key': key }).expect(201);
    const again = await file(pdf, 'application/pdf', '?category=HealthDocumentRecord&clinicalDate=2026-11-01', { 'Idempotency-Key': key }).expect(201);
    expect(again.body.recordId).toBe(first.body.recordId);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = AttachmentFactory.pdf('another document');
    expect((await file(other, 'application/pdf', '?category=HealthDocumentRecord&clinicalDate=2026-11-01', { 'Idempotency-Key': key }).expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
