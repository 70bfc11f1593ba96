import { createHash, randomBytes } from 'node:crypto';

export const DIGEST_SALT_BYTES = 32;

/** A new random salt for `saltedSha512`, kept inside the encrypted record it salts. */
export function newSalt(): Buffer {
  return randomBytes(DIGEST_SALT_BYTES);
}

/** SHA-512 (FIPS 180-4). */
export function sha512(bytes: Uint8Array): Buffer {
  return createHash('sha512').update(bytes).digest();
}

/**
 * SHA-512(salt ‖ bytes): the record digest anchored on chain (DESIGN trust model 7).
 * The chain is readable by every consortium member, and many records are short and
 * predictable (a test result, a prescription from a small formulary): a bare hash would let
 * anyone confirm a guess of the content by hashing it. 256 random bits of salt, stored only
 * inside the encrypted record, make such guesses useless to whoever lacks the record key.
 * The salt has a fixed length, so salt ‖ bytes cannot be split another way.
 */
export function saltedSha512(salt: Uint8Array, bytes: Uint8Array): Buffer {
  if (salt.length !== DIGEST_SALT_BYTES) throw new RangeError(`A record digest needs a ${DIGEST_SALT_BYTES}-byte salt, got ${salt.length} bytes`);
  return createHash('sha512').update(salt).update(bytes).digest();
}
