import { randomBytes, scrypt } from 'node:crypto';
import { constantTimeEqual } from './hmac';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelisation. */
  p: number;
}

// OWASP Password Storage Cheat Sheet: scrypt N=2^17, r=8, p=1.
export const PASSWORD_SCRYPT: Readonly<ScryptParams> = { N: 2 ** 17, r: 8, p: 1 };

// 128 * N * r bytes are needed (128 MiB at the parameters above); Node's default limit is 32 MiB.
// The cap also bounds what a stored hash with forged parameters can make verification allocate.
const MAX_MEMORY = 256 * 1024 * 1024;

/** scrypt (RFC 7914) on node:crypto, with the memory cap above. */
export function scryptKdf(password: string | Uint8Array, salt: Uint8Array, length: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { ...params, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * `scrypt$N$r$p$salt$hash` (base64 salt and hash): all parameters are kept with the hash so
 * they can be raised later without invalidating stored passwords.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = PASSWORD_SCRYPT;
  const hash = await scryptKdf(password, salt, 32, PASSWORD_SCRYPT);
  return ['scrypt', N, r, p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptKdf(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return constantTimeEqual(actual, expected);
}
