import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../common/errors';
import { EmbeddedIpfsStore } from './embedded-ipfs.store';
import { KUBO_CIDV1_IMPORT_OPTIONS } from './ipfs-store';
import { base32, CHUNK, describeIpfsStore, multihash, rejection } from '../../../test/support/ipfs-store-suite';

// Block paths are computed here from node:crypto and RFC 4648 (test/support/ipfs-store-suite.ts), not with the
// multiformats code the store uses, so a bug shared by store and library cannot hide.

/** blockstore-fs (NextToLast sharding): <dir>/<last two chars>/B<BASE32UPPER multihash>.data */
function blockFile(dir: string, block: Uint8Array): string {
  const name = 'B' + base32(multihash(block)).toUpperCase();
  return join(dir, name.slice(-2), `${name}.data`);
}

async function countBlocks(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) => entry.endsWith('.data')).length;
}

/** The independent oracle (Debian's ipfs-cid): prints {"CIDv0","CIDv1"} for dag-pb, non-raw leaves. */
function ipfsCid(file: string): { CIDv0: string; CIDv1: string } {
  return JSON.parse(execFileSync('ipfs_cid', [file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString());
}

describeIpfsStore('the embedded store', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ehrchain-ipfs-'));
  const store = new EmbeddedIpfsStore(join(root, 'blocks'));
  return { store, close: async () => (await store.close(), await rm(root, { recursive: true, force: true })) };
});

describe(EmbeddedIpfsStore.name, () => {
  let root: string;
  let dir: string;
  let sut: EmbeddedIpfsStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ehrchain-ipfs-'));
    dir = join(root, 'blocks');
    sut = new EmbeddedIpfsStore(dir);
  });

  afterEach(async () => {
    await sut.close();
    await rm(root, { recursive: true, force: true });
  });

  it('removes every block of a file (one chunk or many) and no block of another', async () => {
    const small = randomBytes(1_000);
    const large = randomBytes(3 * CHUNK + 7);
    const kept = randomBytes(2 * CHUNK + 1);
    const [smallCid, largeCid, keptCid] = [await sut.add(small), await sut.add(large), await sut.add(kept)];
    expect(await countBlocks(dir)).toBe(1 + 5 + 4);

    await sut.remove(smallCid);
    await sut.remove(largeCid);

    expect(await countBlocks(dir)).toBe(4);
    for (const cid of [smallCid, largeCid]) expect((await rejection(sut.get(cid))).code).toBe('IPFS_NOT_FOUND');
    expect(Buffer.from(await sut.get(keptCid)).equals(kept)).toBe(true);
    await sut.remove(largeCid); // a retried erasure
    expect((await rejection(sut.remove('not-a-cid'))).code).toBe('INVALID_CID');
  });

  it('writes every 256 KiB chunk as a raw block in the directory, plus one root', async () => {
    expect(existsSync(dir)).toBe(false);
    const bytes = randomBytes(3 * CHUNK + 7);

    const cid = await sut.add(bytes);

    const chunks = [0, 1, 2, 3].map((i) => bytes.subarray(i * CHUNK, (i + 1) * CHUNK));
    for (const chunk of chunks) {
      expect(Buffer.from(await readFile(blockFile(dir, chunk))).equals(chunk)).toBe(true);
    }
    expect(await countBlocks(dir)).toBe(chunks.length + 1);
    // A file of several chunks has a dag-pb root (CIDv1 'bafybei…'), not a raw one.
    expect(cid.startsWith('bafybei')).toBe(true);
  });

  it('stores the same bytes uploaded many times at once as one set of blocks, readable by every upload', async () => {
    // Records that share content (a form, a template) arrive together: their blocks are shared.
    const bytes = randomBytes(2 * CHUNK + 99);

    const cids = await Promise.all(Array.from({ length: 16 }, () => sut.add(bytes)));

    expect(new Set(cids).size).toBe(1);
    expect(await countBlocks(dir)).toBe(3 + 1);
    expect(Buffer.from(await sut.get(cids[0]!)).equals(bytes)).toBe(true);
    // And again, once those writes are over.
    expect(await sut.add(bytes)).toBe(cids[0]);
  });

  it('reads with a new instance what an earlier one wrote to the same directory', async () => {
    const bytes = randomBytes(2 * CHUNK + 1);
    const cid = await sut.add(bytes);
    await sut.close();

    const reopened = new EmbeddedIpfsStore(dir);
    try {
      expect(Buffer.from(await reopened.get(cid)).equals(bytes)).toBe(true);
    } finally {
      await reopened.close();
    }
  });

  describe('DAG layout, against the ipfs_cid oracle', () => {
    // Same profile with only the leaf encoding changed: ipfs_cid computes dag-pb leaves, so this
    // checks the parts raw leaves cannot show on their own: chunk size, balanced layout, fan-out.
    const legacyLeaves = { ...KUBO_CIDV1_IMPORT_OPTIONS, cidVersion: 0 as const, rawLeaves: false };

    it('uses Kubo’s settings, changed only in the leaf encoding for the comparison', () => {
      expect(KUBO_CIDV1_IMPORT_OPTIONS).toEqual({
        cidVersion: 1,
        rawLeaves: true,
        reduceSingleLeafToSelf: true,
        chunkSize: CHUNK,
        layout: 'balanced',
        maxChildrenPerNode: 174,
      });
    });

    it.each([
      ['several chunks, one level', 4 * CHUNK + 1],
      // 175 leaves need a second level only when a node holds at most 174 links.
      ['175 chunks, two levels', 174 * CHUNK + 1],
    ])('matches Kubo for %s', async (_label, size) => {
      const bytes = randomBytes(size);
      const file = join(root, 'payload.bin');
      await writeFile(file, bytes);
      const legacy = new EmbeddedIpfsStore(join(root, 'legacy'), legacyLeaves);
      try {
        expect(await legacy.add(bytes)).toBe(ipfsCid(file).CIDv0);
      } finally {
        await legacy.close();
      }
    });
  });

  it('reports IPFS_UNAVAILABLE (503) when its directory cannot be used', async () => {
    const file = join(root, 'not-a-directory');
    await writeFile(file, 'x');
    const broken = new EmbeddedIpfsStore(join(file, 'blocks'));

    await expect(sut.check()).resolves.toBeUndefined();
    for (const attempt of [broken.check(), broken.add(randomBytes(10))]) {
      const err = await rejection(attempt);
      expect(err.getStatus()).toBe(503);
      expect(err.code).toBe('IPFS_UNAVAILABLE');
    }
  });
});
