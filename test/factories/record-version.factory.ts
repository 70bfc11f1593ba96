import { createHash, randomBytes } from 'node:crypto';
import { utils } from 'web3';
import { NO_PREVIOUS_VERSION, RecordVersion } from '../../gateway/src/chain/record-batch';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Bytes that are random, or fixed by `seed` and `label` (benchmarks need the same inputs every run). */
function bytes(length: number, seed: string | undefined, label: string): Buffer {
  if (seed === undefined) return randomBytes(length);
  return createHash('sha512').update(`${seed}/${label}`).digest().subarray(0, length);
}

const hex = (buffer: Buffer): string => `0x${buffer.toString('hex')}`;

/** A CIDv1 (raw, sha2-256) shaped string: "bafkrei" + 52 base32 characters, 59 in all. */
function cid(seed: string | undefined, label: string): string {
  return `bafkrei${[...bytes(52, seed, label)].map((byte) => BASE32[byte % 32]).join('')}`;
}

export const RecordVersionFactory = {
  /** A first version of a new record; random unless `seed` is given. */
  create(overrides: Partial<RecordVersion> = {}, seed?: string): RecordVersion {
    return {
      recordId: hex(bytes(32, seed, 'recordId')),
      patientHandle: hex(bytes(32, seed, 'patientHandle')),
      cid: cid(seed, 'cid'),
      sha512Digest: bytes(64, seed, 'sha512Digest'),
      category: bytes(1, seed, 'category')[0]! % 7, // the seven ABDM HI types
      previousVersion: NO_PREVIOUS_VERSION,
      tombstone: false,
      author: utils.toChecksumAddress(hex(bytes(20, seed, 'author'))),
      ...overrides,
    };
  },

  /** `count` distinct first versions, fixed by `seed` when given. */
  many(count: number, seed?: string): RecordVersion[] {
    return Array.from({ length: count }, (_, index) => RecordVersionFactory.create({}, seed === undefined ? undefined : `${seed}/${index}`));
  },
};
