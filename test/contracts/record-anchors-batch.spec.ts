import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { RecordBatch, RecordVersion, buildRecordBatch, toContractVersion, tombstoneOf, versionId } from '../../gateway/src/chain/record-batch';
import { RecordVersionFactory } from '../factories/record-version.factory';
import { TestChain, randomBytes32, revertOf, startTestChain } from './support/chain';
import { deployWriterContract, grantRole } from './support/writers';

const RECEIPT_MS = 10_000;

describe('RecordAnchors batches (contract)', () => {
  let chain: TestChain;
  let admin: ChainClient;
  let gateway: ChainClient;
  let stranger: ChainClient;
  let sut: ChainContract;

  beforeAll(async () => {
    chain = await startTestChain();
    ({ admin, gateway, contract: sut } = await deployWriterContract(chain, 'RecordAnchors'));
    stranger = chain.client();
  });

  afterAll(async () => {
    await chain?.stop();
  });

  async function anchorBatch(batchId: string, batch: RecordBatch) {
    const { txHash } = await gateway.send(sut, 'anchorBatch', [batchId, batch.root, batch.count]);
    return gateway.waitForReceipt(txHash, RECEIPT_MS);
  }

  /** verifyRecord under `anchorer`: by default the gateway, the anchorer a reader of its records trusts. */
  async function verifyOnChain(batchId: string, version: RecordVersion, proof: readonly string[], anchorer = gateway.address): Promise<boolean> {
    const [verified] = await gateway.call(sut, 'verifyRecord', [anchorer, batchId, toContractVersion(version), proof]);
    return verified as boolean;
  }

  /** A fresh batch of `size` versions, anchored. */
  async function anchoredBatch(size: number) {
    const batch = buildRecordBatch(RecordVersionFactory.many(size));
    const batchId = randomBytes32();
    await anchorBatch(batchId, batch);
    return { batchId, batch };
  }

  it('anchors a root with its count, block and time, and emits BatchAnchored', async () => {
    const batch = buildRecordBatch(RecordVersionFactory.many(3));
    const batchId = randomBytes32();
    const before = Math.floor(Date.now() / 1000);

    const receipt = await anchorBatch(batchId, batch);

    expect(receipt.success).toBe(true);
    expect(gateway.events(sut, receipt)).toEqual([
      { name: 'BatchAnchored', address: expect.any(String), args: { batchId, merkleRoot: batch.root, count: 3n, anchorer: gateway.address } },
    ]);
    const [exists, merkleRoot, count, anchoredAt, blockNumber] = await gateway.call(sut, 'batchOf', [gateway.address, batchId]);
    expect({ exists, merkleRoot, count, blockNumber }).toEqual({ exists: true, merkleRoot: batch.root, count: 3n, blockNumber: receipt.blockNumber });
    expect(Number(anchoredAt)).toBeGreaterThanOrEqual(before - 5);
  });

  it('reports a batch never anchored as absent', async () => {
    const [exists, merkleRoot, count, anchoredAt, blockNumber] = await gateway.call(sut, 'batchOf', [gateway.address, randomBytes32()]);

    expect({ exists, merkleRoot, count, anchoredAt, blockNumber }).toEqual({ exists: false, merkleRoot: `0x${'00'.repeat(32)}`, count: 0n, anchoredAt: 0n, blockNumber: 0n });
  });

  it('verifies on chain every proof the gateway built, for batches of 1 and 16', async () => {
    for (const size of [1, 16]) {
      const { batchId, batch } = await anchoredBatch(size);

      for (const { version, proof } of batch.proofs) expect(await verifyOnChain(batchId, version, proof)).toBe(true);
    }
  });

  it('computes the same leaf hash as the gateway (StandardMerkleTree encoding)', async () => {
    const version = RecordVersionFactory.create({ previousVersion: randomBytes32(), category: 6 });
    const tombstone = tombstoneOf(version, RecordVersionFactory.create().author);

    for (const subject of [version, tombstone]) {
      const [leaf] = await gateway.call(sut, 'recordLeaf', [toContractVersion(subject)]);
      expect(leaf).toBe(versionId(subject));
    }
  });

  it('refuses a version with a tampered digest, category, author or tombstone flag', async () => {
    const versions = RecordVersionFactory.many(8);
    versions[5] = { ...versions[5]!, previousVersion: versionId(versions[4]!) };
    const batch = buildRecordBatch(versions);
    const batchId = randomBytes32();
    await anchorBatch(batchId, batch);
    const { version, proof } = batch.proofs[5]!;
    const digest = Buffer.from(version.sha512Digest);
    digest[0] ^= 0x80;

    const tampered: Record<string, RecordVersion> = {
      digest: { ...version, sha512Digest: digest },
      category: { ...version, category: (version.category + 1) % 7 },
      author: { ...version, author: RecordVersionFactory.create().author },
      tombstone: { ...version, tombstone: true },
    };

    expect(await verifyOnChain(batchId, version, proof)).toBe(true);
    for (const [field, forged] of Object.entries(tampered)) {
      expect({ field, verified: await verifyOnChain(batchId, forged, proof) }).toEqual({ field, verified: false });
    }
  });

  it('refuses a genuine proof against another batch, and any proof against a batch never anchored', async () => {
    const first = await anchoredBatch(4);
    const second = await anchoredBatch(4);
    const { version, proof } = first.batch.proofs[2]!;

    expect(await verifyOnChain(second.batchId, version, proof)).toBe(false);
    expect(await verifyOnChain(randomBytes32(), version, proof)).toBe(false);
  });

  it('follows a record through three versions, the last a tombstone, each anchored in its own batch', async () => {
    const hospital = RecordVersionFactory.create().author;
    const v1 = RecordVersionFactory.create({ author: hospital });
    const v2 = RecordVersionFactory.create({ recordId: v1.recordId, patientHandle: v1.patientHandle, category: v1.category, author: hospital, previousVersion: versionId(v1) });
    const v3 = tombstoneOf(v2, hospital);
    const anchored: Array<{ batchId: string; version: RecordVersion; proof: string[] }> = [];

    for (const version of [v1, v2, v3]) {
      // Each version shares its batch with other records' versions, as in production.
      const batch = buildRecordBatch([...RecordVersionFactory.many(3), version]);
      const batchId = randomBytes32();
      await anchorBatch(batchId, batch);
      anchored.push({ batchId, version, proof: batch.proofs[3]!.proof });
    }

    for (const { batchId, version, proof } of anchored) expect(await verifyOnChain(batchId, version, proof)).toBe(true);
    // Each link is the on-chain leaf hash of the version before it.
    for (const [earlier, later] of [[v1, v2], [v2, v3]] as const) {
      const [leaf] = await gateway.call(sut, 'recordLeaf', [toContractVersion(earlier)]);
      expect(later.previousVersion).toBe(leaf);
    }
    expect(v3).toMatchObject({ tombstone: true, cid: null });
    // A tombstone cannot be re-pointed at another version, nor un-tombstoned, without failing.
    const [, , third] = anchored;
    expect(await verifyOnChain(third!.batchId, { ...v3, previousVersion: versionId(v1) }, third!.proof)).toBe(false);
    expect(await verifyOnChain(third!.batchId, { ...v3, tombstone: false, cid: 'bafy-restored' }, third!.proof)).toBe(false);
  });

  it('treats re-anchoring the same root and count as a no-op: no revert, no event, anchor unchanged', async () => {
    const { batchId, batch } = await anchoredBatch(2);
    const [, , , , firstBlock] = await gateway.call(sut, 'batchOf', [gateway.address, batchId]);

    const again = await anchorBatch(batchId, batch);

    expect(again.success).toBe(true);
    expect(again.logs).toEqual([]);
    const [, , , , block] = await gateway.call(sut, 'batchOf', [gateway.address, batchId]);
    expect(block).toBe(firstBlock);
  });

  it('refuses to re-anchor a batch with a different root or count, naming what was sent', async () => {
    const { batchId, batch } = await anchoredBatch(2);
    const otherRoot = buildRecordBatch(RecordVersionFactory.many(2)).root;

    for (const [root, count] of [[otherRoot, 2], [batch.root, 3]] as const) {
      const error = await revertOf(gateway.send(sut, 'anchorBatch', [batchId, root, count]));
      expect(error.errorName).toBe('RecordAnchorsBatchAlreadyAnchored');
      expect(error.args).toEqual([batchId, root, BigInt(count)]);
    }
    const [, merkleRoot] = await gateway.call(sut, 'batchOf', [gateway.address, batchId]);
    expect(merkleRoot).toBe(batch.root);
  });

  it('refuses a zero root or a count of zero', async () => {
    const batchId = randomBytes32();
    const root = randomBytes32();

    for (const [badRoot, count] of [[`0x${'00'.repeat(32)}`, 1], [root, 0]] as const) {
      const error = await revertOf(gateway.send(sut, 'anchorBatch', [batchId, badRoot, count]));
      expect(error.errorName).toBe('RecordAnchorsInvalidBatch');
      expect(error.args).toEqual([batchId, badRoot, BigInt(count)]);
    }
  });

  it('refuses to verify a version whose digest is not 64 bytes, naming its length', async () => {
    const { batchId, batch } = await anchoredBatch(1);
    const version = { ...toContractVersion(batch.proofs[0]!.version), sha512Digest: `0x${'ab'.repeat(63)}` };

    const error = await revertOf(gateway.call(sut, 'verifyRecord', [gateway.address, batchId, version, []]));

    expect(error.errorName).toBe('RecordAnchorsBadDigestLength');
    expect(error.args).toEqual([63n]);
  });

  it('rejects an account without ANCHORER_ROLE', async () => {
    const [role] = await gateway.call(sut, 'ANCHORER_ROLE', []);
    const batchId = randomBytes32();

    const error = await revertOf(stranger.send(stranger.contract('RecordAnchors', sut.address), 'anchorBatch', [batchId, randomBytes32(), 1]));

    expect(error.errorName).toBe('AccessControlUnauthorizedAccount');
    expect(error.args).toEqual([stranger.address, role]);
    const [exists] = await gateway.call(sut, 'batchOf', [gateway.address, batchId]);
    expect(exists).toBe(false);
  });

  describe('a second anchorer (granted ANCHORER_ROLE by the admin) attacking the gateway\'s records', () => {
    let attacker: ChainClient;
    let attackers: ChainContract;

    beforeAll(async () => {
      attacker = chain.client();
      attackers = attacker.contract('RecordAnchors', sut.address);
      await grantRole(admin, sut, 'ANCHORER_ROLE', attacker.address);
    });

    it('ATTACK: takes the id of the gateway\'s next batch first; the gateway\'s batch still anchors and verifies, the attacker\'s root never does', async () => {
      const batch = buildRecordBatch(RecordVersionFactory.many(3));
      const batchId = randomBytes32();
      const planted = buildRecordBatch(RecordVersionFactory.many(3));
      await attacker.waitForReceipt((await attacker.send(attackers, 'anchorBatch', [batchId, planted.root, planted.count])).txHash, RECEIPT_MS);

      const receipt = await anchorBatch(batchId, batch);

      expect(receipt.success).toBe(true);
      const [exists, merkleRoot] = await gateway.call(sut, 'batchOf', [gateway.address, batchId]);
      expect({ exists, merkleRoot }).toEqual({ exists: true, merkleRoot: batch.root });
      for (const { version, proof } of batch.proofs) expect(await verifyOnChain(batchId, version, proof)).toBe(true);
      for (const { version, proof } of planted.proofs) expect(await verifyOnChain(batchId, version, proof)).toBe(false);
    });

    it('ATTACK: tombstones and forks a record the gateway anchored, in the gateway\'s own batch id, with a forged author; none of it verifies under the gateway', async () => {
      const hospital = RecordVersionFactory.create().author;
      const v1 = RecordVersionFactory.create({ author: hospital });
      const genuine = buildRecordBatch([...RecordVersionFactory.many(2), v1]);
      const genuineId = randomBytes32();
      await anchorBatch(genuineId, genuine);
      // The attacker erases the record, and forks it with content of its own, both "by" the hospital.
      const tombstone = tombstoneOf(v1, hospital);
      const fork = RecordVersionFactory.create({ recordId: v1.recordId, patientHandle: v1.patientHandle, category: v1.category, author: hospital, previousVersion: versionId(v1) });
      const forged = buildRecordBatch([tombstone, fork]);
      for (const batchId of [randomBytes32(), genuineId]) {
        const { txHash } = await attacker.send(attackers, 'anchorBatch', [batchId, forged.root, forged.count]);
        expect((await attacker.waitForReceipt(txHash, RECEIPT_MS)).success).toBe(true);

        for (const { version, proof } of forged.proofs) {
          expect({ tombstone: version.tombstone, verified: await verifyOnChain(batchId, version, proof) }).toEqual({ tombstone: version.tombstone, verified: false });
        }
        // Only the attacker's own namespace holds them: a different record to any reader of the gateway's.
        for (const { version, proof } of forged.proofs) expect(await verifyOnChain(batchId, version, proof, attacker.address)).toBe(true);
      }
      // The gateway's version is untouched: still its batch's leaf, still the head for the gateway.
      expect(await verifyOnChain(genuineId, v1, genuine.proofs[2]!.proof)).toBe(true);
    });
  });
});
