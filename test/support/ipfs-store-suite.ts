import { createHash, randomBytes } from 'node:crypto';
import { ApiError } from '../../gateway/src/common/errors';
import { IpfsStore } from '../../gateway/src/ipfs/ipfs-store';

// One suite for every IpfsStore: the embedded store runs it in `npm test`
// (gateway/src/ipfs/embedded-ipfs.store.spec.ts), the compose stack's Kubo in `npm run test:compose`
// (kubo-ipfs.store.spec.ts with KUBO_TEST_API_URL). What records rely on, whichever store holds them.

export const CHUNK = 262_144;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

// Expected CIDs are computed here from node:crypto and RFC 4648, not with the multiformats code
// the stores use, so a bug shared by store and library cannot hide.
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** sha2-256 multihash: code 0x12, length 0x20, digest. */
export const multihash = (block: Uint8Array): Buffer => Buffer.concat([Buffer.from([0x12, 0x20]), createHash('sha256').update(block).digest()]);

/** CIDv1, codec raw (0x55), multibase base32 ('b'): what Kubo gives a file of one chunk. */
export const rawCidV1 = (block: Uint8Array): string => 'b' + base32(Buffer.concat([Buffer.from([0x01, 0x55]), multihash(block)]));

export async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

/** A store to test and how to tidy up after it. */
export interface StoreUnderTest {
  store: IpfsStore;
  close(): Promise<void>;
}

export function describeIpfsStore(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`IpfsStore: ${name}`, () => {
    let sut: StoreUnderTest;
    beforeEach(async () => {
      sut = await open();
    });
    afterEach(async () => sut.close());

    it('returns a small file and a file of several chunks as they were stored', async () => {
      for (const bytes of [randomBytes(1_000), randomBytes(3 * CHUNK + 12_345)]) {
        const cid = await sut.store.add(bytes);
        expect(Buffer.from(await sut.store.get(cid)).equals(bytes)).toBe(true);
      }
    });

    it('gives a file of one chunk the raw-leaf CIDv1 computed independently, and several chunks a dag-pb root', async () => {
      for (const size of [5, CHUNK]) {
        const bytes = randomBytes(size);
        expect(await sut.store.add(bytes)).toBe(rawCidV1(bytes));
      }
      expect(await sut.store.add(randomBytes(2 * CHUNK + 1))).toMatch(/^bafybei/);
    });

    it('gives the same bytes the same CID', async () => {
      const bytes = randomBytes(CHUNK + 7);
      expect(await sut.store.add(bytes)).toBe(await sut.store.add(bytes));
    });

    it('answers IPFS_NOT_FOUND (404) for a CID it does not hold, and INVALID_CID (400) for what is not a bare CID', async () => {
      expect((await rejection(sut.store.get(rawCidV1(randomBytes(64))))).code).toBe('IPFS_NOT_FOUND');
      for (const text of ['not-a-cid', 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku/name']) {
        expect((await rejection(sut.store.get(text))).code).toBe('INVALID_CID');
      }
    });

    it('removes a file (one chunk or several) so that it is not found, leaves others whole, and removes nothing twice', async () => {
      const [small, large, kept] = [randomBytes(1_000), randomBytes(2 * CHUNK + 3), randomBytes(CHUNK + 5)];
      const [smallCid, largeCid, keptCid] = [await sut.store.add(small), await sut.store.add(large), await sut.store.add(kept)];

      await sut.store.remove(smallCid);
      await sut.store.remove(largeCid);

      for (const cid of [smallCid, largeCid]) expect((await rejection(sut.store.get(cid))).code).toBe('IPFS_NOT_FOUND');
      expect(Buffer.from(await sut.store.get(keptCid)).equals(kept)).toBe(true);
      await sut.store.remove(largeCid); // a retried erasure
    });

    it('says it can serve requests', async () => {
      await expect(sut.store.check()).resolves.toBeUndefined();
    });
  });
}
