import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { eth, utils } from 'web3';
import { RecordVersionFactory } from '../../../test/factories/record-version.factory';
import {
  NO_CID_HASH,
  RECORD_LEAF_ENCODING,
  RecordLeaf,
  RecordVersion,
  buildRecordBatch,
  buildRecordBatchInTurns,
  cidHash,
  recordLeaf,
  tombstoneOf,
  verifyRecordProof,
  versionId,
} from './record-batch';

/** Tampered copies of a version, one per leaf field. */
function tamperings(version: RecordVersion): Array<[string, RecordVersion]> {
  const flipped = Buffer.from(version.sha512Digest);
  flipped[63] ^= 1;
  const other = RecordVersionFactory.create();
  return [
    ['recordId', { ...version, recordId: other.recordId }],
    ['patientHandle', { ...version, patientHandle: other.patientHandle }],
    ['cid', { ...version, cid: `${version.cid}x` }],
    ['sha512Digest', { ...version, sha512Digest: flipped }],
    ['category', { ...version, category: (version.category + 1) % 7 }],
    ['previousVersion', { ...version, previousVersion: versionId(other) }],
    ['tombstone', { ...version, tombstone: !version.tombstone }],
    ['author', { ...version, author: other.author }],
  ];
}

describe(buildRecordBatch.name, () => {
  it.each([1, 2, 7, 16])('gives every version of a %i-version batch a proof that verifies against the root', (size) => {
    const versions = RecordVersionFactory.many(size);

    const sut = buildRecordBatch(versions);

    expect(sut.count).toBe(size);
    expect(sut.proofs.map((entry) => entry.version)).toEqual(versions);
    for (const { version, proof } of sut.proofs) expect(verifyRecordProof(sut.root, version, proof)).toBe(true);
  });

  it.each([1, 2, 3, 64, 65, 200, 513])('builds the same %i-version batch in turns of the event loop as SimpleMerkleTree does at once', async (size) => {
    const versions = RecordVersionFactory.many(size);

    expect(await buildRecordBatchInTurns(versions)).toEqual(buildRecordBatch(versions));
  });

  it('lets other work run between its turns, and refuses the same version twice', async () => {
    const versions = RecordVersionFactory.many(300);
    let turnsTaken = 0;
    const ticker = setInterval(() => turnsTaken++, 0);

    await buildRecordBatchInTurns(versions);
    clearInterval(ticker);

    expect(turnsTaken).toBeGreaterThan(2);
    await expect(buildRecordBatchInTurns([versions[0]!, versions[1]!, versions[0]!])).rejects.toThrow('twice');
  });

  it('rejects a proof for any tampered field', () => {
    const versions = RecordVersionFactory.many(8);
    // A later version, so that flipping `tombstone` still gives a well-formed leaf.
    versions[3] = { ...versions[3]!, previousVersion: versionId(versions[2]!) };
    const sut = buildRecordBatch(versions);
    const { version, proof } = sut.proofs[3]!;

    for (const [field, tampered] of tamperings(version)) {
      expect(() => recordLeaf(tampered)).not.toThrow(); // refused by the proof, not by validation
      expect({ field, verified: verifyRecordProof(sut.root, tampered, proof) }).toEqual({ field, verified: false });
    }
  });

  it("rejects another batch's root and another version's proof", () => {
    const sut = buildRecordBatch(RecordVersionFactory.many(4));
    const other = buildRecordBatch(RecordVersionFactory.many(4));

    expect(verifyRecordProof(other.root, sut.proofs[0]!.version, sut.proofs[0]!.proof)).toBe(false);
    expect(verifyRecordProof(sut.root, sut.proofs[0]!.version, sut.proofs[1]!.proof)).toBe(false);
  });

  it('hashes leaves as keccak256(keccak256(abi.encode(fields))) in contract field order', () => {
    const version = RecordVersionFactory.create({ category: 4, tombstone: false });
    // An independent encoder (web3's ABI coder), not the merkle-tree library's.
    const encoded = eth.abi.encodeParameters(
      ['bytes32', 'bytes32', 'bytes32', 'bytes', 'uint8', 'bytes32', 'bool', 'address'],
      [
        version.recordId,
        version.patientHandle,
        utils.keccak256(Buffer.from(version.cid!, 'utf8')),
        `0x${version.sha512Digest.toString('hex')}`,
        4,
        version.previousVersion,
        false,
        version.author,
      ],
    );
    const expected = utils.keccak256(utils.keccak256(encoded));

    expect(versionId(version)).toBe(expected);
    expect(buildRecordBatch([version]).root).toBe(expected);
    expect(buildRecordBatch([version, RecordVersionFactory.create()]).proofs[0]!.versionId).toBe(expected);
  });

  it.each([1, 2, 5, 33])("builds exactly OpenZeppelin StandardMerkleTree's tree over the leaf values (%i versions)", (size) => {
    const versions = RecordVersionFactory.many(size);

    const sut = buildRecordBatch(versions);

    // The library's own encoder and tree, built from the leaf values, as an independent oracle.
    const standard = StandardMerkleTree.of<RecordLeaf>(versions.map(recordLeaf), RECORD_LEAF_ENCODING);
    expect(sut.root).toBe(standard.root);
    sut.proofs.forEach(({ proof, versionId: id }, index) => {
      expect(id).toBe(standard.leafHash(standard.at(index)!));
      expect(proof).toEqual(standard.getProof(index));
    });
  });

  it('chains versions: a tombstone points at the version it erases and carries no content', () => {
    const first = RecordVersionFactory.create();
    const second = RecordVersionFactory.create({ recordId: first.recordId, patientHandle: first.patientHandle, previousVersion: versionId(first) });

    const sut = tombstoneOf(second, first.author);

    expect(sut).toMatchObject({ recordId: first.recordId, previousVersion: versionId(second), tombstone: true, cid: null });
    expect(recordLeaf(sut)[2]).toBe(NO_CID_HASH);
    expect(sut.sha512Digest.equals(Buffer.alloc(64))).toBe(true);
    const batch = buildRecordBatch([first, second, sut]);
    for (const { version, proof } of batch.proofs) expect(verifyRecordProof(batch.root, version, proof)).toBe(true);
  });

  it('refuses an empty batch and the same version twice', () => {
    const version = RecordVersionFactory.create();

    expect(() => buildRecordBatch([])).toThrow('at least one version');
    expect(() => buildRecordBatch([version, { ...version }])).toThrow('twice');
  });

  it.each<[string, Partial<RecordVersion>, string]>([
    ['a digest that is not 64 bytes', { sha512Digest: Buffer.alloc(63, 1) }, 'has 64 bytes, got 63'],
    ['a category above 255', { category: 256 }, 'category is 0-255'],
    ['a malformed record id', { recordId: '0x1234' }, 'record id'],
    ['a malformed author', { author: '0xnot-an-address' }, 'author'],
    ['content without a CID', { cid: null }, 'no CID'],
    ['a tombstone with no earlier version', { tombstone: true, cid: null }, 'erases an earlier version'],
  ])('refuses %s, and a proof for it never verifies', (_, overrides, message) => {
    const version = RecordVersionFactory.create(overrides);

    expect(() => buildRecordBatch([version])).toThrow(message);
    expect(verifyRecordProof(`0x${'11'.repeat(32)}`, version, [])).toBe(false);
  });

  it('hashes a CID as keccak256 of its UTF-8 bytes', () => {
    expect(cidHash('bafy')).toBe(utils.keccak256(new TextEncoder().encode('bafy')));
    expect(cidHash(null)).toBe(NO_CID_HASH);
  });
});
