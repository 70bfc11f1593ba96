import { createHash, randomBytes } from 'node:crypto';
import { utils } from 'web3';
import { AccessEntry, AccessKind, AccessPurpose } from '../../gateway/src/chain/access-log';

/** Bytes that are random, or fixed by `seed` and `label` (benchmarks need the same inputs every run). */
function bytes(length: number, seed: string | undefined, label: string): Buffer {
  if (seed === undefined) return randomBytes(length);
  return createHash('sha512').update(`${seed}/${label}`).digest().subarray(0, length);
}

const hex = (buffer: Buffer): string => `0x${buffer.toString('hex')}`;

/** 2026-01-01T00:00:00Z: a fixed access time, for seeded entries (a chain takes it only within AccessLog's window). */
export const SOME_ACCESS_TIME = 1_767_225_600;

/** A minute ago by this machine's clock: within AccessLog's window on a fresh Anvil, whose blocks follow the same clock. */
export const recentAccessTime = (): number => Math.floor(Date.now() / 1000) - 60;

export const AccessEntryFactory = {
  /**
   * A release under consent with every id distinct (the worst case for calldata: nothing
   * repeats); random unless `seed` is given.
   */
  create(overrides: Partial<AccessEntry> = {}, seed?: string): AccessEntry {
    return {
      recordId: hex(bytes(32, seed, 'recordId')),
      patientHandle: hex(bytes(32, seed, 'patientHandle')),
      authorizationId: hex(bytes(32, seed, 'authorizationId')),
      reader: utils.toChecksumAddress(hex(bytes(20, seed, 'reader'))),
      accessedAt: seed === undefined ? recentAccessTime() : SOME_ACCESS_TIME,
      purpose: AccessPurpose.CareManagement,
      kind: AccessKind.Consent,
      ...overrides,
    };
  },

  /** `count` distinct entries cycling through every purpose (BTG ones as emergencies), fixed by `seed` when given. */
  many(count: number, seed?: string): AccessEntry[] {
    return Array.from({ length: count }, (_, index) => {
      const purpose = (index % 6) as AccessPurpose;
      const kind = purpose === AccessPurpose.BreakTheGlass ? AccessKind.Emergency : AccessKind.Consent;
      return AccessEntryFactory.create({ purpose, kind }, seed === undefined ? undefined : `${seed}/${index}`);
    });
  },
};
