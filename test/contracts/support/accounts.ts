import { randomBytes } from 'node:crypto';
import { eth } from 'web3';
import { randomKey } from './chain';

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
export const ZERO_BYTES32 = `0x${'00'.repeat(32)}`;

/** A key held on a device (a patient's consent key, a guardian's, a doctor's): it signs, it never sends. */
export interface Key {
  key: string;
  /** Checksummed, as the contracts' events and views return it. */
  address: string;
}

export const newKey = (): Key => {
  const key = randomKey();
  return { key, address: eth.accounts.privateKeyToAddress(key) };
};

/** A fresh address in lower case that nobody holds a key for (a hospital never admitted, a practitioner's device). */
export const randomAddress = (): string => `0x${randomBytes(20).toString('hex')}`;
