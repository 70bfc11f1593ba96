import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { buildTypedData, signTypedData, TypedData } from '../../gateway/src/chain/eip712';
import { patientHandle } from '../../gateway/src/chain/patient-handle';
import { CONSENT_MANAGER_DOMAIN, CONSENT_MANAGER_TYPES } from '../../gateway/src/chain/typed-messages';
import { Key, newKey } from '../contracts/support/accounts';
import { randomBytes32, randomKey } from '../contracts/support/chain';
import { TestApp } from '../support/test-app';

/** A patient's pseudonym as the patient SDK holds it: the on-chain handle and its consent key. */
export interface TestPseudonym {
  handle: string;
  key: Key;
}

/** The body of POST /v1/auth/pseudonym/token. */
export interface PseudonymTokenRequest {
  handle: string;
  challenge: string;
  expiresAt: number;
  signature: string;
}

const RECEIPT_MS = 10_000;

/**
 * Sends a ConsentManager (patient registry) call signed as the patient SDK signs it, relayed by a
 * fresh never-funded key of its own (the chain is free-gas), so the gateway's nonces are untouched.
 */
interface RegistryCall {
  method: 'register' | 'rotateSigner';
  message: 'Registration' | 'Rotation';
  fields: Record<string, unknown>;
  /** Who signs the message; their signatures follow `args`. */
  signers: Key[];
  args: unknown[];
}

async function relay(gw: TestApp, { method, message, fields, signers, args }: RegistryCall): Promise<void> {
  const consentManager = gw.app.get(ConsentManager);
  const relayer = new ChainClient(gw.app.get(ChainClient).rpcUrl, randomKey());
  try {
    const domain = { ...CONSENT_MANAGER_DOMAIN, chainId: gw.app.get(ChainRuntime).chainId, verifyingContract: consentManager.address };
    const typedData = buildTypedData(domain, message, { [message]: CONSENT_MANAGER_TYPES[message] }, fields);
    const signatures = signers.map((signer) => signTypedData(signer.key, typedData));
    const { txHash } = await relayer.send(consentManager.contract, method, [...args, ...signatures]);
    if (!(await relayer.waitForReceipt(txHash, RECEIPT_MS)).success) throw new Error(`${message} of ${String(fields.handle)} reverted`);
  } finally {
    relayer.close();
  }
}

const deadline = () => BigInt(Math.floor(Date.now() / 1000) + 3600);

export const PseudonymFactory = {
  /** A fresh handle registered on the gateway's chain with a fresh consent key. */
  async registered(gw: TestApp): Promise<TestPseudonym> {
    const key = newKey();
    return PseudonymFactory.registeredAs(gw, key, randomBytes32());
  },

  /**
   * The handle `key` and `salt` make, registered on chain: what a patient's software sends for a
   * relationship it derived (`deriveRelationship` gives `{ privateKey, signer, salt }`).
   */
  async registeredAs(gw: TestApp, key: Key, salt: string): Promise<TestPseudonym> {
    const handle = patientHandle(key.address, salt);
    const until = deadline();
    const fields = { handle, signer: key.address, nonce: 0n, deadline: until };
    await relay(gw, { method: 'register', message: 'Registration', fields, signers: [key], args: [handle, key.address, salt, until] });
    return { handle, key };
  },

  /** Rotates the handle's consent key to a fresh one (signed by both keys); the pseudonym with its new key. */
  async rotated(gw: TestApp, pseudonym: TestPseudonym): Promise<TestPseudonym> {
    const { handle } = pseudonym;
    const next = newKey();
    const until = deadline();
    const [nonce] = await gw.app.get(ChainClient).call(gw.app.get(ConsentManager).contract, 'patientNonces', [handle]);
    const fields = { handle, newSigner: next.address, nonce, deadline: until };
    await relay(gw, { method: 'rotateSigner', message: 'Rotation', fields, signers: [pseudonym.key, next], args: [handle, next.address, until] });
    return { handle, key: next };
  },

  /** POST /v1/auth/pseudonym/challenge for `handle`. */
  async challenge(gw: TestApp, handle: string): Promise<{ challenge: string; expiresAt: number; typedData: TypedData }> {
    return (await gw.http.post('/v1/auth/pseudonym/challenge').send({ handle }).expect(200)).body;
  },

  /** A token request for `pseudonym`: a fresh challenge signed by `signer` (the pseudonym's own key unless given). */
  async tokenRequest(gw: TestApp, pseudonym: TestPseudonym, signer: Key = pseudonym.key): Promise<PseudonymTokenRequest> {
    const { challenge, expiresAt, typedData } = await PseudonymFactory.challenge(gw, pseudonym.handle);
    return { handle: pseudonym.handle, challenge, expiresAt, signature: signTypedData(signer.key, typedData) };
  },

  /** Signed in: the pseudonym token and its Authorization header. */
  async signedIn(gw: TestApp, pseudonym: TestPseudonym): Promise<{ token: string; auth: { Authorization: string } }> {
    const res = await gw.http.post('/v1/auth/pseudonym/token').send(await PseudonymFactory.tokenRequest(gw, pseudonym)).expect(200);
    return { token: res.body.accessToken, auth: { Authorization: `Bearer ${res.body.accessToken}` } };
  },
};
