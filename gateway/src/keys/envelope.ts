import { newAesKey, open, seal } from '../crypto/aes-gcm';
import { Keyring } from './keyring';

/** A value sealed under a data key of its own, and that data key wrapped by the keyring. */
export interface Envelope {
  /** `kw1.<key id>.…`: the data key, wrapped under the keyring key `keyId`. */
  wrappedKey: string;
  keyId: string;
  sealed: Buffer;
}

/** The keyring key id a wrapped key names (`kw1.<key id>.…`). */
export function wrappingKeyId(wrappedKey: string): string {
  return wrappedKey.split('.')[1] ?? '';
}

/**
 * Envelope encryption (DESIGN trust model 3): a fresh AES-256 data key seals `plaintext`
 * (AES-256-GCM, random 96-bit nonce, `aad` authenticated), and the keyring wraps the data key
 * bound to the same `aad`. Rotation rewraps the small key; the data never moves.
 */
export function sealEnvelope(keyring: Keyring, plaintext: Uint8Array, aad: string): Envelope {
  const dataKey = newAesKey();
  try {
    const wrappedKey = keyring.wrap(dataKey, aad);
    return { wrappedKey, keyId: wrappingKeyId(wrappedKey), sealed: seal(dataKey, plaintext, Buffer.from(aad)) };
  } finally {
    dataKey.fill(0);
  }
}

/** The plaintext of an envelope; DecryptionError if anything (key, `aad`, a byte) differs. */
export function openEnvelope(keyring: Keyring, wrappedKey: string, sealed: Uint8Array, aad: string): Buffer {
  return withDataKey(keyring, wrappedKey, aad, (dataKey) => open(dataKey, sealed, Buffer.from(aad)));
}

/** Seals more data under the data key `wrappedKey` wraps (a persona's fields after an edit). */
export function sealUnder(keyring: Keyring, wrappedKey: string, plaintext: Uint8Array, aad: string): Buffer {
  return withDataKey(keyring, wrappedKey, aad, (dataKey) => seal(dataKey, plaintext, Buffer.from(aad)));
}

/** Runs `use` with the unwrapped data key, and wipes the key from memory after. */
function withDataKey<T>(keyring: Keyring, wrappedKey: string, aad: string, use: (dataKey: Buffer) => T): T {
  const dataKey = keyring.unwrap(wrappedKey, aad);
  try {
    return use(dataKey);
  } finally {
    dataKey.fill(0);
  }
}
