import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the CLI keeps on the patient's machine, in `<dir>/patient.json` (0600, directory 0700):
 * the persona key as password-protected PKCS#8, its public key, and the patient secret and
 * pseudonym encrypted to that key. Nothing in it is readable without the password.
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
}

export const walletFile = (dir: string): string => join(dir, 'patient.json');

export async function readWallet(dir: string): Promise<Wallet> {
  let text: string;
  try {
    text = await readFile(walletFile(dir), 'utf8');
  } catch {
    throw new Error(`No patient keys in ${dir}: run \`ehrchain keys init\` first`);
  }
  const wallet = JSON.parse(text) as Wallet;
  if (wallet.format !== 'ehrchain-patient/1') throw new Error(`${walletFile(dir)} is not an EHRChain patient file`);
  return wallet;
}

export async function writeWallet(dir: string, wallet: Wallet, options: { create?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // 'wx' on creation: never overwrite keys a patient already has (their pseudonym would be lost).
  await writeFile(walletFile(dir), `${JSON.stringify(wallet, null, 2)}\n`, { mode: 0o600, flag: options.create ? 'wx' : 'w' });
  await chmod(walletFile(dir), 0o600);
}
