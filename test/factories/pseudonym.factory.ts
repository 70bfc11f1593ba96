import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { signTypedData, TypedData } from '../../gateway/src/chain/eip712';
import { Key, newKey } from '../contracts/support/accounts';
import { randomBytes32 } from '../contracts/support/chain';
import { registerRelationship, RegistryAt, registryDeadline, relayRegistryCall } from '../support/patient-registry';
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

/** The registry of the gateway's chain. */
const registryOf = (gw: TestApp): RegistryAt => ({ rpcUrl: gw.app.get(ChainClient).rpcUrl, chainId: gw.app.get(ChainRuntime).chainId, consentManager: gw.app.get(ConsentManager).address });

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
    return { handle: await registerRelationship(registryOf(gw), key, salt), key };
  },

  /** Rotates the handle's consent key to a fresh one (signed by both keys); the pseudonym with its new key. */
  async rotated(gw: TestApp, pseudonym: TestPseudonym): Promise<TestPseudonym> {
    const { handle } = pseudonym;
    const next = newKey();
    const until = registryDeadline();
    const [nonce] = await gw.app.get(ChainClient).call(gw.app.get(ConsentManager).contract, 'patientNonces', [handle]);
    const fields = { handle, newSigner: next.address, nonce, deadline: until };
    await relayRegistryCall(registryOf(gw), { method: 'rotateSigner', message: 'Rotation', fields, signers: [pseudonym.key, next], args: [handle, next.address, until] });
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
