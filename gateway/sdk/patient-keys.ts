import forge from 'node-forge';

/**
 * The patient's own key material, made on the patient's device (issue 12, point 5; DESIGN
 * "Patient registration"). Nothing here needs a server or Node: randomness comes from the Web
 * Crypto API (`globalThis.crypto`, in browsers and Node 20), RSA from node-forge, which uses
 * Node's native RSA key generation where it can and JavaScript in a browser.
 *
 * - the *patient secret* (32 random bytes) derives every consent key and handle
 *   (relationships.ts); it never leaves the device in clear;
 * - the *pseudonym* (32 random bytes) is long and random, never derived from who the patient is;
 *   the gateway keeps it only encrypted to the patient's key;
 * - the *persona key* (RSA-2048) is what the pseudonym and the secret are encrypted to, kept as
 *   password-protected PKCS#8 (AES-256-CBC, PBKDF2). It is not a chain key: nothing kept with the
 *   persona equals or derives anything on the ledger (trust model 1).
 */

const OAEP_SHA256 = () => ({ md: forge.md.sha256.create(), mgf1: { md: forge.md.sha256.create() } });

/** NIST SP 800-131A: 2048 bits at least for RSA key transport. */
export const PERSONA_KEY_BITS = 2048;

function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return Array.from(buffer, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 32 random bytes as 0x-hex: the secret every relationship's handle and consent key derive from. */
export function newPatientSecret(): string {
  return `0x${randomHex(32)}`;
}

/** 32 random bytes as 0x-hex: the pseudonym. */
export function newPseudonym(): string {
  return `0x${randomHex(32)}`;
}

export interface PersonaKeyPair {
  publicKeyPem: string;
  privateKey: forge.pki.rsa.PrivateKey;
}

/** A fresh RSA-2048 key pair (e = 65537). */
export function generatePersonaKey(): Promise<PersonaKeyPair> {
  return new Promise((resolve, reject) =>
    forge.pki.rsa.generateKeyPair({ bits: PERSONA_KEY_BITS, e: 0x10001 }, (error, pair) =>
      error ? reject(error) : resolve({ publicKeyPem: forge.pki.publicKeyToPem(pair.publicKey), privateKey: pair.privateKey }),
    ),
  );
}

/** The private key as encrypted PKCS#8 PEM (`BEGIN ENCRYPTED PRIVATE KEY`), AES-256 under the password. */
export function exportPersonaKey(privateKey: forge.pki.rsa.PrivateKey, password: string): string {
  if (password.length < 12) throw new Error('A persona key password has at least 12 characters');
  return forge.pki.encryptRsaPrivateKey(privateKey, password, { algorithm: 'aes256' });
}

/** The private key of `exportPersonaKey`'s PEM; throws if the password is wrong. */
export function importPersonaKey(pem: string, password: string): forge.pki.rsa.PrivateKey {
  const key = forge.pki.decryptRsaPrivateKey(pem, password) as forge.pki.rsa.PrivateKey | null;
  if (!key) throw new Error('Wrong password for the persona key (or not an encrypted PKCS#8 key)');
  return key;
}

/** RSA-OAEP with SHA-256 (label and MGF1), as the gateway's node:crypto does it; base64. */
export function encryptToPersona(publicKeyPem: string, plaintext: string): string {
  const publicKey = forge.pki.publicKeyFromPem(publicKeyPem) as forge.pki.rsa.PublicKey;
  if (publicKey.n.bitLength() < PERSONA_KEY_BITS) throw new Error(`RSA keys under ${PERSONA_KEY_BITS} bits are refused`);
  return forge.util.encode64(publicKey.encrypt(forge.util.encodeUtf8(plaintext), 'RSA-OAEP', OAEP_SHA256()));
}

export function decryptWithPersonaKey(privateKey: forge.pki.rsa.PrivateKey, ciphertextBase64: string): string {
  return forge.util.decodeUtf8(privateKey.decrypt(forge.util.decode64(ciphertextBase64), 'RSA-OAEP', OAEP_SHA256()));
}
