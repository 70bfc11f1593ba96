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

/**
 * PBKDF2-HMAC-SHA-256 iterations for the key file: OWASP's 2023 figure. node-forge's own
 * `encryptRsaPrivateKey` uses 2,048 iterations of SHA-1 by default (cheap to guess offline), and
 * computes PBKDF2 in JavaScript (3 s at this count); the Web Crypto API computes it natively.
 */
export const PERSONA_KEY_KDF_ITERATIONS = 600_000;

const { asn1 } = forge;
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const oid = (name: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(forge.pki.oids[name]!).getBytes());
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const integer = (value: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
const binary = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
const randomBinary = (length: number): string => binary(globalThis.crypto.getRandomValues(new Uint8Array(length)));

/** The AES-256 key PBKDF2-HMAC-SHA-256 derives from the password, natively (Web Crypto, browsers and Node). */
async function deriveKey(password: string, salt: string, iterations: number): Promise<string> {
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const saltBytes = Uint8Array.from(salt, (c) => c.charCodeAt(0));
  return binary(new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: saltBytes, iterations }, base, 256)));
}

/**
 * The private key as encrypted PKCS#8 in PEM (an EncryptedPrivateKeyInfo, RFC 8018 PBES2:
 * PBKDF2-HMAC-SHA-256 with a 16-byte salt and PERSONA_KEY_KDF_ITERATIONS, AES-256-CBC): the
 * standard form, which OpenSSL and Node open too.
 */
export async function exportPersonaKey(privateKey: forge.pki.rsa.PrivateKey, password: string): Promise<string> {
  if (password.length < 12) throw new Error('A persona key password has at least 12 characters');
  const salt = randomBinary(16);
  const iv = randomBinary(16);
  const cipher = forge.cipher.createCipher('AES-CBC', await deriveKey(password, salt, PERSONA_KEY_KDF_ITERATIONS));
  cipher.start({ iv });
  cipher.update(asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(privateKey))));
  cipher.finish();
  const algorithm = seq([
    oid('pkcs5PBES2'),
    seq([
      seq([oid('pkcs5PBKDF2'), seq([octets(salt), integer(PERSONA_KEY_KDF_ITERATIONS), seq([oid('hmacWithSHA256'), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')])])]),
      seq([oid('aes256-CBC'), octets(iv)]),
    ]),
  ]);
  return forge.pki.encryptedPrivateKeyToPem(seq([algorithm, octets(cipher.output.getBytes())]));
}

/** The private key of `exportPersonaKey`'s PEM; throws if the password is wrong or the file is not one. */
export async function importPersonaKey(pem: string, password: string): Promise<forge.pki.rsa.PrivateKey> {
  const wrong = () => new Error('Wrong password for the persona key (or not an encrypted PKCS#8 key of this format)');
  let salt: string, iterations: number, iv: string, encrypted: string;
  try {
    const [algorithm, data] = forge.pki.encryptedPrivateKeyFromPem(pem).value as forge.asn1.Asn1[];
    const [scheme, params] = algorithm!.value as forge.asn1.Asn1[];
    const [kdf, enc] = params!.value as forge.asn1.Asn1[];
    const [kdfOid, kdfParams] = kdf!.value as forge.asn1.Asn1[];
    const [saltNode, countNode, prf] = kdfParams!.value as forge.asn1.Asn1[];
    const [encOid, ivNode] = enc!.value as forge.asn1.Asn1[];
    const names = [scheme, kdfOid, (prf!.value as forge.asn1.Asn1[])[0], encOid].map((node) => forge.pki.oids[asn1.derToOid(node!.value as string)]);
    if (names.join() !== 'pkcs5PBES2,pkcs5PBKDF2,hmacWithSHA256,aes256-CBC') throw wrong();
    [salt, iterations, iv, encrypted] = [saltNode!.value as string, forge.util.createBuffer(countNode!.value as string).getInt((countNode!.value as string).length * 8), ivNode!.value as string, data!.value as string];
  } catch {
    throw wrong();
  }
  const decipher = forge.cipher.createDecipher('AES-CBC', await deriveKey(password, salt, iterations));
  decipher.start({ iv });
  decipher.update(forge.util.createBuffer(encrypted));
  if (!decipher.finish()) throw wrong();
  try {
    return forge.pki.privateKeyFromAsn1(asn1.fromDer(decipher.output)) as forge.pki.rsa.PrivateKey;
  } catch {
    throw wrong(); // a wrong key whose padding happened to look right
  }
}

/** RSA-OAEP with SHA-256 (label and MGF1), as the gateway's node:crypto does it; base64. */
export function encryptToPersona(publicKeyPem: string, plaintext: string): string {
  const publicKey = forge.pki.publicKeyFromPem(publicKeyPem) as forge.pki.rsa.PublicKey;
  if (publicKey.n.bitLength() < PERSONA_KEY_BITS) throw new Error(`RSA keys under ${PERSONA_KEY_BITS} bits are refused`);
  return forge.util.encode64(publicKey.encrypt(forge.util.encodeUtf8(plaintext), 'RSA-OAEP', OAEP_SHA256()));
}

/** The gateway's Aadhaar transport key, as GET /v1/identity/aadhaar-key gives it. */
export interface AadhaarKey {
  keyId: string;
  publicKey: string;
}

/**
 * An Aadhaar number (or VID) as the patient's software sends it: its digits encrypted to the
 * gateway's transport key, `enc1.<keyId>.<base64url>`. Nothing between the device and the gateway
 * reads the number.
 */
export function encryptAadhaar(key: AadhaarKey, aadhaar: string): string {
  const digits = aadhaar.replace(/[\s-]/g, '');
  return `enc1.${key.keyId}.${encryptToPersona(key.publicKey, digits).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

export function decryptWithPersonaKey(privateKey: forge.pki.rsa.PrivateKey, ciphertextBase64: string): string {
  return forge.util.decodeUtf8(privateKey.decrypt(forge.util.decode64(ciphertextBase64), 'RSA-OAEP', OAEP_SHA256()));
}
