import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionError } from './decryption-error';

export const AES_256_KEY_BYTES = 32;
/** 96-bit nonces: the length GCM is specified for (NIST SP 800-38D §8.2), no GHASH of the IV. */
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/**
 * Sealed format, version 1: `0x01 ‖ nonce (12) ‖ tag (16) ‖ ciphertext`.
 * The version byte lets a later format (another cipher, a longer nonce) sit beside this one
 * in stored data; `open` accepts exactly the versions it knows, so nothing is guessed.
 */
const VERSION_1 = 0x01;
const HEADER_BYTES = 1 + GCM_NONCE_BYTES + GCM_TAG_BYTES;

export interface GcmOutput {
  ciphertext: Buffer;
  tag: Buffer;
}

/** A new random AES-256 key (a record key, a data key, a keyring key). */
export function newAesKey(): Buffer {
  return randomBytes(AES_256_KEY_BYTES);
}

/**
 * AES-256-GCM with a fresh random 96-bit nonce, authenticating `aad` (the context the
 * plaintext belongs to: a record id, a patient's data-key id...), which must be given again
 * to open. Random nonces stay safe up to 2^32 seals per key (SP 800-38D §8.3); record keys
 * seal once and the keyring rotates, far below that.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const { ciphertext, tag } = encryptWithNonce(key, nonce, plaintext, aad);
  return Buffer.concat([Buffer.of(VERSION_1), nonce, tag, ciphertext]);
}

/** The plaintext of `seal`'s output, or a DecryptionError if key, `aad` or any byte differs. */
export function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  checkKey(key);
  if (sealed.length < HEADER_BYTES) throw new Error(`Sealed data is too short (${sealed.length} bytes)`);
  if (sealed[0] !== VERSION_1) throw new Error(`Sealed data has unknown format version ${sealed[0]}`);
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const nonce = bytes.subarray(1, 1 + GCM_NONCE_BYTES);
  const tag = bytes.subarray(1 + GCM_NONCE_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError('Sealed data');
  }
}

/**
 * Encryption under a nonce the caller chooses. Exported for the known-answer tests only:
 * a chosen nonce is how GCM gets broken (reuse reveals the authentication key), so
 * application code calls `seal`.
 */
export function encryptWithNonce(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): GcmOutput {
  checkKey(key);
  if (nonce.length !== GCM_NONCE_BYTES) throw new RangeError(`AES-GCM needs a ${GCM_NONCE_BYTES}-byte nonce, got ${nonce.length} bytes`);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

function checkKey(key: Uint8Array): void {
  // Only the length is reported: the key itself never appears in an error.
  if (key.length !== AES_256_KEY_BYTES) throw new RangeError(`AES-256-GCM needs a ${AES_256_KEY_BYTES}-byte key, got ${key.length} bytes`);
}
