import { DataSource } from 'typeorm';
import { UsedChallengeEntity } from '../../gateway/src/auth/used-challenge.entity';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { signTypedData } from '../../gateway/src/chain/eip712';
import { newKey } from '../contracts/support/accounts';
import { randomBytes32 } from '../contracts/support/chain';
import { AccountFactory, TestHospital } from '../factories/account.factory';
import { PseudonymFactory, PseudonymTokenRequest, TestPseudonym } from '../factories/pseudonym.factory';
import { removeGatewayData, createTestApp, TestApp } from '../support/test-app';

/** A patient signs in as their pseudonym by challenge and response; accounts and pseudonyms never pass as each other. */
describe('pseudonym sign-in (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: TestHospital;
  let alice: TestPseudonym;
  let bob: TestPseudonym;

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccountFactory.hospital(gw, adminToken);
    alice = await PseudonymFactory.registered(gw);
    bob = await PseudonymFactory.registered(gw);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const usedChallenges = () => gw.app.get(DataSource).getRepository(UsedChallengeEntity).count();
  const postToken = (body: Partial<PseudonymTokenRequest> | Record<string, unknown>) => gw.http.post('/v1/auth/pseudonym/token').send(body);

  /** Sends `body`, expects `status` and `code`, and checks that no challenge was used up. */
  async function refused(body: Record<string, unknown>, status: number, code: string) {
    const before = await usedChallenges();
    const res = await postToken(body).expect(status);
    expect(res.body.code).toBe(code);
    expect(res.body.accessToken).toBeUndefined();
    expect(await usedChallenges()).toBe(before);
    return res;
  }

  it('signs a registered handle in and answers /me as that pseudonym', async () => {
    const { challenge, expiresAt, typedData } = await PseudonymFactory.challenge(gw, alice.handle);
    const now = Math.floor(Date.now() / 1000);
    expect(expiresAt - now).toBeGreaterThan(0);
    expect(expiresAt - now).toBeLessThanOrEqual(300);
    // The message names the handle, the challenge, the audience (this consortium) and the expiry.
    expect(typedData).toMatchObject({
      primaryType: 'PseudonymSignIn',
      domain: { chainId: await gw.app.get(ChainClient).chainId(), verifyingContract: gw.app.get(ConsentManager).address }, // the node's own id
      message: { handle: alice.handle, challenge, expiresAt },
    });

    const res = await postToken({ handle: alice.handle, challenge, expiresAt, signature: signTypedData(alice.key.key, typedData) }).expect(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const me = await gw.http.get('/v1/auth/pseudonym/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
    expect(me.body).toEqual({ kind: 'pseudonym', handle: alice.handle });
  });

  describe('refuses, changing nothing,', () => {
    it('a signature by another key', async () => {
      await refused({ ...(await PseudonymFactory.tokenRequest(gw, alice, newKey())) }, 401, 'SIGNATURE_INVALID');
    });

    it('a replayed challenge', async () => {
      const request = await PseudonymFactory.tokenRequest(gw, alice);
      await postToken(request).expect(200);
      await refused({ ...request }, 401, 'CHALLENGE_USED');
    });

    it('an expired challenge', async () => {
      const request = await PseudonymFactory.tokenRequest(gw, alice);
      jest.spyOn(Date, 'now').mockReturnValue((request.expiresAt + 1) * 1000);
      try {
        await refused({ ...request }, 401, 'CHALLENGE_EXPIRED');
      } finally {
        jest.restoreAllMocks();
      }
    });

    it('a challenge whose expiry the caller extended', async () => {
      const request = await PseudonymFactory.tokenRequest(gw, alice);
      await refused({ ...request, expiresAt: request.expiresAt + 3600 }, 401, 'CHALLENGE_INVALID');
    });

    it("a challenge for one handle used for another, even signed by the other's own key", async () => {
      const { challenge, expiresAt, typedData } = await PseudonymFactory.challenge(gw, alice.handle);
      const forBob = { ...typedData, message: { ...typedData.message, handle: bob.handle } };
      await refused({ handle: bob.handle, challenge, expiresAt, signature: signTypedData(bob.key.key, forBob) }, 401, 'CHALLENGE_INVALID');
    });

    it('a handle nobody registered on chain', async () => {
      const stranger = { handle: randomBytes32(), key: newKey() };
      await refused({ ...(await PseudonymFactory.tokenRequest(gw, stranger)) }, 401, 'PSEUDONYM_UNKNOWN');
    });

    it('malformed input, field by field', async () => {
      const res = await refused({ handle: '0x12', challenge: 'abc', expiresAt: 'soon', signature: '0x00', accountId: 'x' }, 400, 'VALIDATION_FAILED');
      const fields = res.body.details.errors.map((e: { field: string }) => e.field).sort();
      expect(fields).toEqual(['accountId', 'challenge', 'expiresAt', 'handle', 'signature']);
      expect((await gw.http.post('/v1/auth/pseudonym/challenge').send({ handle: 'alice' }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('keeps accounts and pseudonyms apart', () => {
    it('refuses account tokens and API keys on the pseudonym route', async () => {
      for (const auth of [{ Authorization: `Bearer ${adminToken}` }, hospital.auth]) {
        const res = await gw.http.get('/v1/auth/pseudonym/me').set(auth).expect(403);
        expect(res.body).toMatchObject({ code: 'PRINCIPAL_NOT_ACCEPTED', details: { accepted: ['pseudonym'] } });
      }
    });

    it('refuses a pseudonym token on account routes', async () => {
      const { auth } = await PseudonymFactory.signedIn(gw, alice);
      for (const call of [gw.http.get('/v1/auth/me'), gw.http.get('/v1/accounts/00000000-0000-4000-8000-000000000000'), gw.http.post('/v1/accounts').send({})]) {
        expect((await call.set(auth).expect(403)).body.code).toBe('PRINCIPAL_NOT_ACCEPTED');
      }
    });

    it('refuses a tampered pseudonym token', async () => {
      const { token } = await PseudonymFactory.signedIn(gw, alice);
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const asBob = Buffer.from(JSON.stringify({ ...claims, sub: bob.handle })).toString('base64url');
      for (const forged of [`${header}.${asBob}.${signature}`, `${header}.${payload}.${signature!.slice(0, -4)}AAAA`]) {
        const res = await gw.http.get('/v1/auth/pseudonym/me').set('Authorization', `Bearer ${forged}`).expect(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      }
    });

    it("ends a pseudonym's sessions when its consent key is rotated on chain", async () => {
      const carol = await PseudonymFactory.registered(gw);
      const { auth } = await PseudonymFactory.signedIn(gw, carol);
      const rotated = await PseudonymFactory.rotated(gw, carol);
      expect((await gw.http.get('/v1/auth/pseudonym/me').set(auth).expect(401)).body.code).toBe('UNAUTHENTICATED');
      await refused({ ...(await PseudonymFactory.tokenRequest(gw, carol)) }, 401, 'SIGNATURE_INVALID');
      await gw.http.get('/v1/auth/pseudonym/me').set((await PseudonymFactory.signedIn(gw, rotated)).auth).expect(200);
    });

    it('documents in OpenAPI which kinds of caller each route accepts', async () => {
      const doc = (await gw.http.get('/docs-json').expect(200)).body;
      const pseudonymMe = doc.paths['/v1/auth/pseudonym/me'].get;
      expect(pseudonymMe['x-principals']).toEqual(['pseudonym']);
      expect(pseudonymMe.security).toEqual([{ bearer: [] }]); // no API key: that is always an account
      expect(pseudonymMe.responses['403'].description).toContain("patients' pseudonyms");
      expect(doc.paths['/v1/auth/me'].get['x-principals']).toEqual(['account']);
      expect(doc.paths['/v1/auth/pseudonym/token'].post.summary).toBeTruthy();
    });
  });

  it('never logs or audits a handle, a pseudonym token or a signature, yet records that a pseudonym signed in (not from where: that would match it to a persona\'s sign-in)', async () => {
    const request = await PseudonymFactory.tokenRequest(gw, bob);
    const { body } = await postToken(request).expect(200);
    await gw.http.get('/v1/auth/pseudonym/me').set('Authorization', `Bearer ${body.accessToken}`).expect(200);
    const logs = gw.logs.join('\n');
    expect(logs).toContain('"url":"/v1/auth/pseudonym/token"'); // the requests were logged...
    const trail = (await gw.http.get('/v1/security-events').query({ limit: 100 }).set('Authorization', `Bearer ${adminToken}`).expect(200)).body.events;
    expect(trail).toEqual(expect.arrayContaining([
      expect.objectContaining({ event: 'login.succeeded', actorKind: 'pseudonym', actorAccountId: null, clientAddress: null, requestId: null, details: { via: 'pseudonym' } }),
      // A refused attempt keeps its address: that is how a flood is traced, and it names no pseudonym.
      expect.objectContaining({ event: 'login.failed', actorKind: 'anonymous', clientAddress: expect.any(String), details: { via: 'pseudonym', code: 'SIGNATURE_INVALID' } }),
    ]));
    for (const secret of [alice.handle, bob.handle, body.accessToken, request.signature, request.challenge]) {
      expect(logs.toLowerCase()).not.toContain(secret.toLowerCase()); // ...without what links them to a pseudonym
      expect(JSON.stringify(trail).toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });
});
