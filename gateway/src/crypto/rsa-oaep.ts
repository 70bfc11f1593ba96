import { constants, createPrivateKey, createPublicKey, KeyObject, privateDecrypt, publicEncrypt } from 'node:crypto';
import { DecryptionError } from './decryption-error';

/** NIST SP 800-131A: RSA keys under 2048 bits are disallowed for key transport. */
export const RSA_MIN_MODULUS_BITS = 2048;

/**
 * RSAES-OAEP (RFC 8017 §7.1) with SHA-256 for both the label hash and MGF1, and an empty
 * label: the pseudonym is encrypted to the patient's key (DESIGN trust model 3). Node's
 * default OAEP hash is SHA-1, so it is named here; node's `oaepHash` sets the MGF1 hash too,
 * which is what the patient SDK's node-forge expects (`md: sha256, mgf1: { md: sha256 }`).
 */
const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

/** Encrypts up to 190 bytes (a 2048-bit key) to the holder of the private key. */
export function rsaOaepEncrypt(publicKeyPem: string, plaintext: Uint8Array): Buffer {
  const key = rsaKey(() => createPublicKey(publicKeyPem), 'public');
  return publicEncrypt({ key, ...OAEP }, plaintext);
}

export function rsaOaepDecrypt(privateKeyPem: string, ciphertext: Uint8Array): Buffer {
  const key = rsaKey(() => createPrivateKey(privateKeyPem), 'private');
  try {
    return privateDecrypt({ key, ...OAEP }, ciphertext);
  } catch {
    // OpenSSL's reason (padding, length, range) is dropped: distinguishable OAEP failures
    // are what Manger's attack needs.
    throw new DecryptionError('RSA-OAEP ciphertext');
  }
}

/** The modulus size in bytes of an RSA public key the gateway accepts (RSA, at least 2048 bits), or the reason it is refused. */
export function rsaPublicKeyBytes(publicKeyPem: string): { bytes: number } | { problem: string } {
  try {
    const key = rsaKey(() => createPublicKey(publicKeyPem), 'public');
    return { bytes: Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

function rsaKey(parse: () => KeyObject, kind: 'public' | 'private'): KeyObject {
  let key: KeyObject;
  try {
    key = parse();
  } catch {
    // Node's parse errors do not quote the PEM, but say so in one place rather than rely on it.
    throw new Error(`Not a readable ${kind} key in PEM`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`RSA-OAEP needs an RSA ${kind} key, got ${key.asymmetricKeyType ?? 'a symmetric key'}`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < RSA_MIN_MODULUS_BITS) throw new Error(`RSA keys under ${RSA_MIN_MODULUS_BITS} bits are refused; this ${kind} key has ${bits}`);
  return key;
}
