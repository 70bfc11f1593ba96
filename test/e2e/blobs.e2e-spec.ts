import { createHash } from 'node:crypto';
import { Response } from 'superagent';
import { DataSource } from 'typeorm';
import { Role } from '../../gateway/src/auth/permissions';
import { BlobEntity } from '../../gateway/src/blobs/blob.entity';
import { anchorId } from '../../gateway/src/blobs/blobs.service';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { IpfsStore } from '../../gateway/src/ipfs/ipfs-store';
import { AccountFactory, TestHospital } from '../factories/account.factory';
import { removeGatewayData, startGateway, TestGateway } from '../support/gateway';

/** The first vertical slice: bytes → IPFS → SHA-512 anchored on chain → row in Postgres → verified read. */
describe('blobs (e2e)', () => {
  let gw: TestGateway;
  let adminToken: string;
  let hospital: TestHospital;

  beforeAll(async () => {
    gw = await startGateway();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccountFactory.hospital(gw, adminToken);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const payload = (text: string) => Buffer.from(text, 'utf8');
  const post = (bytes: Buffer, auth: Record<string, string>, query = '?wait=anchored') =>
    gw.http.post(`/v1/blobs${query}`).set(auth).set('Content-Type', 'application/octet-stream').send(bytes);

  it('stores bytes, anchors their SHA-512 on chain and reads them back verified', async () => {
    const bytes = payload('{"resourceType":"Observation","status":"final"}');
    const created = await post(bytes, hospital.auth).expect(201);

    const sha512 = createHash('sha512').update(bytes).digest();
    expect(created.body).toMatchObject({ sha512: sha512.toString('hex'), sizeBytes: bytes.length, anchorStatus: 'anchored' });
    expect(created.body.anchorTxHash).toMatch(/^0x[0-9a-f]{64}$/);

    // The chain holds the same digest and CID, read straight from the contract.
    const onChain = await gw.app.get(RecordAnchors).anchorOf(anchorId(created.body.id));
    expect(onChain?.digest.equals(sha512)).toBe(true);
    expect(onChain?.cid).toBe(created.body.cid);
    expect(onChain?.blockNumber).toBe(BigInt(created.body.anchoredBlock));

    // IPFS holds the bytes under that CID.
    expect(Buffer.from(await gw.app.get(IpfsStore).get(created.body.cid)).equals(bytes)).toBe(true);

    const read = await gw.http.get(`/v1/blobs/${created.body.id}/content`).set(hospital.auth).buffer(true).parse(binary).expect(200);
    expect((read.body as Buffer).equals(bytes)).toBe(true);
  });

  it('answers at once without waiting and anchors in the background', async () => {
    const created = await post(payload('later'), hospital.auth, '').expect(201);
    expect(created.body.anchorStatus).toBe('pending');
    let status = created.body.anchorStatus;
    for (let i = 0; i < 100 && status !== 'anchored'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await gw.http.get(`/v1/blobs/${created.body.id}`).set(hospital.auth).expect(200)).body.anchorStatus;
    }
    expect(status).toBe('anchored');
  });

  it('refuses to return bytes whose digest no longer matches (tamper evidence)', async () => {
    const created = await post(payload('original'), hospital.auth).expect(201);
    // Someone with database access swaps the recorded digest for that of other content.
    const forged = createHash('sha512').update('forged').digest();
    await gw.app.get(DataSource).getRepository(BlobEntity).update({ id: created.body.id }, { sha512: forged });

    const res = await gw.http.get(`/v1/blobs/${created.body.id}/content`).set(hospital.auth).expect(502);
    expect(res.body).toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('also catches a database whose digest and IPFS content were both swapped (the chain disagrees)', async () => {
    const created = await post(payload('genuine'), hospital.auth).expect(201);
    const other = await post(payload('substitute'), hospital.auth).expect(201);
    await gw.app.get(DataSource).getRepository(BlobEntity).update(
      { id: created.body.id },
      { cid: other.body.cid, sha512: Buffer.from(other.body.sha512, 'hex') },
    );
    const res = await gw.http.get(`/v1/blobs/${created.body.id}/content`).set(hospital.auth).expect(502);
    expect(res.body.code).toBe('INTEGRITY_MISMATCH');
  });

  it("hides another hospital's blobs (object-level check)", async () => {
    const created = await post(payload('mine'), hospital.auth).expect(201);
    const other = await AccountFactory.hospital(gw, adminToken);
    const res = await gw.http.get(`/v1/blobs/${created.body.id}`).set(other.auth).expect(404);
    expect(res.body.code).toBe('BLOB_NOT_FOUND');
    await gw.http.get(`/v1/blobs/${created.body.id}/content`).set(other.auth).expect(404);
  });

  it('refuses roles without the blob permission', async () => {
    const doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
    const res = await post(payload('x'), doctor.auth).expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  it('rejects an empty body and changes nothing', async () => {
    const before = await gw.app.get(DataSource).getRepository(BlobEntity).count();
    const res = await post(Buffer.alloc(0), hospital.auth).expect(400);
    expect(res.body.code).toBe('EMPTY_BODY');
    expect(await gw.app.get(DataSource).getRepository(BlobEntity).count()).toBe(before);
  });
});

function binary(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
