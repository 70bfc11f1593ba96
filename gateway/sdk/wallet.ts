import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Wallet } from './wallet-format';

export type { Wallet } from './wallet-format';

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
