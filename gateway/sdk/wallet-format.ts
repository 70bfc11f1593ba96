import type forge from 'node-forge';
import { decryptWithPersonaKey, encryptToPersona, exportPersonaKey, generatePersonaKey, importPersonaKey, newPatientSecret, newPseudonym } from './patient-keys';

/**
 * The patient's file: what the CLI keeps in `<dir>/patient.json` (0600, directory 0700), what the
 * portal keeps in the browser's storage, and the backup file either one saves: the persona key as
 * password-protected PKCS#8, its public key, and the patient secret and pseudonym encrypted to
 * that key. Nothing in it is readable without the password, so a backup can be taken from one to
 * the other.
 */
export interface Wallet {
  format: 'ehrchain-patient/1';
  publicKey: string;
  privateKey: string;
  encryptedSecret: string;
  encryptedPseudonym: string;
  gateway?: string;
  /** The registration awaiting its code, or the sign-in awaiting its code. */
  pending?: { kind: 'registration' | 'sign-in'; id: string };
  personaId?: string;
  /** The persona token (identity matters only), and when it ends. */
  session?: { accessToken: string; expiresAt: string };
  /** The portal's address book: hospitals and doctors the patient opened a relationship with (addresses the patient typed, with the names they gave). */
  counterparts?: Counterpart[];
}

export interface Counterpart {
  address: string;
  name: string;
  kind: 'hospital' | 'doctor';
}


/** What the password opens: the persona key, the patient secret (every relationship derives from it) and the pseudonym. */
export interface UnlockedWallet {
  privateKey: forge.pki.rsa.PrivateKey;
  secret: Uint8Array;
  pseudonym: string;
}

const bytesOfHex = (hex: string): Uint8Array => Uint8Array.from(hex.slice(2).match(/../g) ?? [], (pair) => parseInt(pair, 16));

/** A new patient file: a fresh persona key (password-protected), secret and pseudonym, made on this device. */
export async function newWallet(password: string): Promise<{ wallet: Wallet; unlocked: UnlockedWallet }> {
  const { publicKeyPem, privateKey } = await generatePersonaKey();
  const [secret, pseudonym] = [newPatientSecret(), newPseudonym()];
  const wallet: Wallet = {
    format: 'ehrchain-patient/1',
    publicKey: publicKeyPem,
    privateKey: await exportPersonaKey(privateKey, password),
    encryptedSecret: encryptToPersona(publicKeyPem, secret),
    encryptedPseudonym: encryptToPersona(publicKeyPem, pseudonym),
  };
  return { wallet, unlocked: { privateKey, secret: bytesOfHex(secret), pseudonym } };
}

/** Opens a patient file with its password; throws on a wrong one. */
export async function unlockWallet(wallet: Wallet, password: string): Promise<UnlockedWallet> {
  const privateKey = await importPersonaKey(wallet.privateKey, password);
  return { privateKey, secret: bytesOfHex(decryptWithPersonaKey(privateKey, wallet.encryptedSecret)), pseudonym: decryptWithPersonaKey(privateKey, wallet.encryptedPseudonym) };
}

/** A parsed backup file, or an error saying why it is not one. */
export function parseWallet(text: string): Wallet {
  let parsed: Partial<Wallet>;
  try {
    parsed = JSON.parse(text) as Partial<Wallet>;
  } catch {
    throw new Error('This file is not an EHRChain patient file (not JSON)');
  }
  if (parsed.format !== 'ehrchain-patient/1' || typeof parsed.privateKey !== 'string' || typeof parsed.encryptedSecret !== 'string') throw new Error('This file is not an EHRChain patient file');
  return parsed as Wallet;
}
