import { loadArtifact } from '../../gateway/src/chain/artifacts';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { buildTypedData, signTypedData } from '../../gateway/src/chain/eip712';
import { patientHandle } from '../../gateway/src/chain/patient-handle';
import { CONSENT_MANAGER_DOMAIN, CONSENT_MANAGER_TYPES } from '../../gateway/src/chain/typed-messages';
import { randomBytes } from 'node:crypto';
import { Key, newKey } from '../contracts/support/accounts';
import { randomKey } from '../contracts/support/chain';

const RECEIPT_MS = 10_000;

/** Where the patient registry is: a chain node, its id, and ConsentManager (which is the registry). */
export interface RegistryAt {
  rpcUrl: string;
  chainId: number;
  consentManager: string;
}

/** A ConsentManager (patient registry) call, signed as the patient SDK signs it. */
export interface RegistryCall {
  method: 'register' | 'rotateSigner';
  message: 'Registration' | 'Rotation';
  fields: Record<string, unknown>;
  /** Who signs the message; their signatures follow `args`. */
  signers: Key[];
  args: unknown[];
}

/**
 * Sends `call`, relayed by a fresh never-funded key of its own (the chain is free-gas), so the
 * gateway's nonces are untouched: what a relayer does for patient software (tests, the bench).
 */
export async function relayRegistryCall(at: RegistryAt, { method, message, fields, signers, args }: RegistryCall): Promise<void> {
  const contract = new ChainContract('ConsentManager', at.consentManager, loadArtifact('ConsentManager').abi);
  const relayer = new ChainClient(at.rpcUrl, randomKey());
  try {
    const domain = { ...CONSENT_MANAGER_DOMAIN, chainId: at.chainId, verifyingContract: at.consentManager };
    const typedData = buildTypedData(domain, message, { [message]: CONSENT_MANAGER_TYPES[message] }, fields);
    const signatures = signers.map((signer) => signTypedData(signer.key, typedData));
    const { txHash } = await relayer.send(contract, method, [...args, ...signatures]);
    if (!(await relayer.waitForReceipt(txHash, RECEIPT_MS)).success) throw new Error(`${message} of ${String(fields.handle)} reverted`);
  } finally {
    relayer.close();
  }
}

export const registryDeadline = (): bigint => BigInt(Math.floor(Date.now() / 1000) + 3600);

/** Registers the handle `key` and `salt` make (a relationship as patient software derives it); returns the handle. */
export async function registerRelationship(at: RegistryAt, key: Key, salt: string): Promise<string> {
  const handle = patientHandle(key.address, salt);
  const until = registryDeadline();
  await relayRegistryCall(at, { method: 'register', message: 'Registration', fields: { handle, signer: key.address, nonce: 0n, deadline: until }, signers: [key], args: [handle, key.address, salt, until] });
  return handle;
}

/** A relationship as patient software derives it: a fresh consent key and salt, and the handle they make. */
export interface TestRelationship {
  handle: string;
  signer: string;
  privateKey: string;
  salt: string;
}

export function newRelationship(): TestRelationship {
  const key = newKey();
  const salt = `0x${randomBytes(32).toString('hex')}`;
  return { handle: patientHandle(key.address, salt), signer: key.address, privateKey: key.key, salt };
}

/** The pseudonym's sign-in over HTTP, as patient software does it: a challenge, signed with the relationship's key; its Authorization header. */
export async function pseudonymSignIn(baseUrl: string, relationship: TestRelationship): Promise<{ authorization: string }> {
  const post = (path: string, body: unknown) => fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const challenge = (await (await post('/v1/auth/pseudonym/challenge', { handle: relationship.handle })).json()) as { challenge: string; expiresAt: number; typedData: Parameters<typeof signTypedData>[1] };
  const signature = signTypedData(relationship.privateKey, challenge.typedData);
  const res = await post('/v1/auth/pseudonym/token', { handle: relationship.handle, challenge: challenge.challenge, expiresAt: challenge.expiresAt, signature });
  if (res.status !== 200) throw new Error(`pseudonym sign-in answered ${res.status} ${await res.text()}`);
  return { authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}` };
}
