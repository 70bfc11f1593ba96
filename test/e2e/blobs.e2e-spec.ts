import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../gateway/src/auth/permissions';
import { BlobEntity } from '../../gateway/src/blobs/blob.entity';
import { anchorId } from '../../gateway/src/blobs/blobs.service';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { buildRecordBatch, NO_PREVIOUS_VERSION } from '../../gateway/src/chain/record-batch';
import { DEV_AUTHORITIES } from '../../gateway/src/config/app-config';
import { KeyStore } from '../../gateway/src/keys/key-store';
import { randomKey } from '../contracts/support/chain';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { IpfsStore } from '../../gateway/src/ipfs/ipfs-store';
import { AccountFactory, TestHospital } from '../factories/account.factory';
import { eventually } from '../support/eventually';
import { binary } from '../support/raw';
import { createTestApp, embeddedChain, removeGatewayData, TestApp } from '../support/test-app';

/** The first vertical slice: bytes → IPFS → SHA-512 anchored on chain → row in Postgres → verified read. */
describe('blobs (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: TestHospital;

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccountFactory.hospital(gw, adminToken);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const payload = (text: string) => Buffer.from(text, 'utf8');
  const blobRows = () => gw.app.get(DataSource).getRepository(BlobEntity);
  const post = (bytes: Buffer, auth: Record<string, string>, query = '?wait=anchored') =>
    gw.http.post(`/v1/blobs${query}`).set(auth).set('Content-Type', 'application/octet-stream').send(bytes);

  it('stores bytes, anchors their SHA-512 on chain and reads them back verified', async () => {
    const bytes = payload('{"resourceType":"Observation","status":"final"}');
    const created = await post(bytes, hospital.auth).expect(201);

    const sha512 = createHash('sha512').update(bytes).digest();
    expect(created.body).toMatchObject({ sha512: sha512.toString('hex'), sizeBytes: bytes.length, anchorStatus: 'anchored', anchorError: null });
    expect(created.body.anchorTxHash).toMatch(/^0x[0-9a-f]{64}$/);

    // The batch the response names was anchored on chain in the block it gives.
    const onChain = await gw.app.get(RecordAnchors).batchOf(created.body.anchorBatchId);
    expect(onChain?.blockNumber).toBe(BigInt(created.body.anchoredBlock));

    // IPFS holds the bytes under that CID.
    expect(Buffer.from(await gw.app.get(IpfsStore).get(created.body.cid)).equals(bytes)).toBe(true);

    const read = await gw.http.get(`/v1/blobs/${created.body.id}/content`).set(hospital.auth).buffer(true).parse(binary).expect(200);
    expect((read.body as Buffer).equals(bytes)).toBe(true);
  });

  it('answers at once without waiting and anchors in the background', async () => {
    const created = await post(payload('later'), hospital.auth, '').expect(201);
    expect(created.body.anchorStatus).toBe('pending');
    await eventually(async () => {
      expect((await gw.http.get(`/v1/blobs/${created.body.id}`).set(hospital.auth).expect(200)).body.anchorStatus).toBe('anchored');
    });
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

  it('serves nothing when the row is set back to pending to skip the chain (status-downgrade tamper)', async () => {
    const created = await post(payload('anchored, then downgraded'), hospital.auth).expect(201);
    const other = await post(payload('what the forger wants served'), hospital.auth).expect(201);
    const forgery = { cid: other.body.cid, sha512: Buffer.from(other.body.sha512, 'hex') };
    // Swapped content, the anchor kept: the proof no longer leads to the root on chain.
    await blobRows().update({ id: created.body.id }, { ...forgery, anchorStatus: 'pending' });
    expect((await gw.http.get(`/v1/blobs/${created.body.id}/content`).set(hospital.auth).expect(502)).body.code).toBe('INTEGRITY_MISMATCH');
    // Swapped content, the anchor hidden as if never made: nothing unproven is served.
    await blobRows().update({ id: created.body.id }, { anchorBatchId: null, anchorProof: null });
    const hidden = await gw.http.get(`/v1/blobs/${created.body.id}/content`).set(hospital.auth).expect(409);
    expect(hidden.body.code).toBe('ANCHOR_PENDING');
    expect(hidden.text).not.toContain('what the forger wants served');
  });

  it.each([
    ['claims an anchor it has no proof of', { anchorStatus: 'anchored' }, 502, 'INTEGRITY_MISMATCH'],
    ['says it is not anchored yet', { anchorStatus: 'pending' }, 409, 'ANCHOR_PENDING'],
    ['says its anchoring failed', { anchorStatus: 'failed', anchorError: 'Reverted' }, 409, 'ANCHOR_FAILED'],
  ] as const)('serves nothing from a row no upload made, that %s', async (_case, status, code, errorCode) => {
    // A forger inserts a row, with content to match its digest, that no upload and no outbox row ever made.
    const bytes = payload(`slipped into the database: ${errorCode}`);
    const forged = { id: randomUUID(), cid: await gw.app.get(IpfsStore).add(bytes), sha512: createHash('sha512').update(bytes).digest(), sizeBytes: bytes.length, createdBy: hospital.id };
    await blobRows().insert({ ...forged, ...status });
    const res = await gw.http.get(`/v1/blobs/${forged.id}/content`).set(hospital.auth).expect(code);
    expect(res.body.code).toBe(errorCode);
  });

  it('serves a blob an earlier version anchored on its own (RecordAnchors.anchor), and only as anchored', async () => {
    const bytes = payload('anchored one by one, before batches');
    const legacy = { id: randomUUID(), cid: await gw.app.get(IpfsStore).add(bytes), sha512: createHash('sha512').update(bytes).digest(), sizeBytes: bytes.length, createdBy: hospital.id };
    const chain = gw.app.get(ChainClient);
    await chain.waitForReceipt(await gw.app.get(RecordAnchors).anchor(anchorId(legacy.id), legacy.cid, legacy.sha512), 10_000);
    await blobRows().insert({ ...legacy, anchorStatus: 'anchored' });

    const served = await gw.http.get(`/v1/blobs/${legacy.id}/content`).set(hospital.auth).expect(200);
    expect(Buffer.from(served.body).toString()).toBe('anchored one by one, before batches');
    const other = payload('swapped in later');
    await blobRows().update({ id: legacy.id }, { cid: await gw.app.get(IpfsStore).add(other), sha512: createHash('sha512').update(other).digest() });
    expect((await gw.http.get(`/v1/blobs/${legacy.id}/content`).set(hospital.auth).expect(502)).body.code).toBe('INTEGRITY_MISMATCH');
  });

  it('points a row at another blob\'s batch and proof in vain: the leaf names the record id', async () => {
    const victim = await post(payload('the victim'), hospital.auth).expect(201);
    const donor = await post(payload('the donor'), hospital.auth).expect(201);
    const donorRow = (await blobRows().findOneByOrFail({ id: donor.body.id }))!;
    await blobRows().update(
      { id: victim.body.id },
      { cid: donorRow.cid, sha512: donorRow.sha512, anchorBatchId: donorRow.anchorBatchId, anchorProof: donorRow.anchorProof, anchorAuthor: donorRow.anchorAuthor },
    );
    expect((await gw.http.get(`/v1/blobs/${victim.body.id}/content`).set(hospital.auth).expect(502)).body.code).toBe('INTEGRITY_MISMATCH');
  });

  // The authorities' keys are the embedded chain's development ones; a network's authorities hold their own.
  const onEmbeddedChain = embeddedChain() ? it : () => undefined;
  onEmbeddedChain("serves nothing anchored by another writer, even one the consortium authorised (reads trust only the gateway's keys)", async () => {
    // The attack: a second key with ANCHORER_ROLE (granted by 2 of the 3 authorities, as for a
    // real second writer, or stolen) anchors a batch holding a forged version of a gateway blob,
    // and the forger points the blob's row at that batch, proof, author and content.
    const victim = await post(payload('the genuine record'), hospital.auth).expect(201);
    const forgedBytes = payload('what the second writer wants served');
    const forged = { cid: await gw.app.get(IpfsStore).add(forgedBytes), sha512: createHash('sha512').update(forgedBytes).digest() };
    const chain = gw.app.get(ChainClient);
    const anchors = gw.app.get(RecordAnchors);
    const writer = new ChainClient(chain.rpcUrl, randomKey());
    const authorities = (await gw.app.get(KeyStore).devAuthorityKeys(DEV_AUTHORITIES.count)).map((key) => new ChainClient(chain.rpcUrl, key));
    try {
      const governor = chain.contract('ConsortiumRoleAdmin', gw.app.get(ChainRuntime).addresses.ConsortiumRoleAdmin!);
      const role = (await chain.call(anchors.contract, 'ANCHORER_ROLE', []))[0];
      const proposed = await authorities[0]!.waitForReceipt((await authorities[0]!.send(governor, 'proposeGrantRole', [anchors.address, role, writer.address])).txHash, 10_000);
      const [{ args }] = authorities[0]!.events(governor, proposed);
      expect((await authorities[1]!.waitForReceipt((await authorities[1]!.send(governor, 'approve', [args!.proposalId])).txHash, 10_000)).success).toBe(true);

      for (const author of [writer.address, chain.address]) {
        // Signed by the second writer; the author field claims itself, then the gateway.
        const version = { recordId: anchorId(victim.body.id), patientHandle: `0x${'00'.repeat(32)}`, cid: forged.cid, sha512Digest: forged.sha512, category: 0, previousVersion: NO_PREVIOUS_VERSION, tombstone: false, author };
        const batch = buildRecordBatch([version]);
        const batchId = `0x${randomBytes(32).toString('hex')}`;
        const sent = await writer.waitForReceipt(await new RecordAnchors(writer, anchors.address, 0n).anchorBatch(batchId, batch), 10_000);
        expect(sent.success).toBe(true); // the forgery is on chain, under the second writer
        await blobRows().update({ id: victim.body.id }, { ...forged, anchorBatchId: batchId, anchorProof: batch.proofs[0]!.proof, anchorAuthor: author });

        const res = await gw.http.get(`/v1/blobs/${victim.body.id}/content`).set(hospital.auth).expect(502);
        expect(res.body.code).toBe('INTEGRITY_MISMATCH');
        expect(res.text).not.toContain('what the second writer wants served');
      }
    } finally {
      writer.close();
      for (const authority of authorities) authority.close();
    }
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
