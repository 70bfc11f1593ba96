import { randomBytes } from 'node:crypto';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { signGuardianSet, signRecovery, signRecoveryVeto } from '../../gateway/src/chain/patient-messages';
import { deriveGuardianKey } from '../../gateway/src/chain/relationships';
import { AccessFactory, AccessPatient } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { chainClock, DAY } from '../support/chain-clock';
import { createTestApp, embeddedChain, removeGatewayData, TestApp } from '../support/test-app';


/**
 * Issue 15 (guardian setup): a patient names, for the handle their records are filed under, the
 * guardians who may restore its key; each guardian's address for that handle is derived from the
 * guardian's own secret. The set is relayed, proposed on chain, and in force after the delay.
 */
describe('guardians (e2e)', () => {
  let gw: TestApp;
  let patient: AccessPatient;
  const guardianAddress = () => deriveGuardianKey(new Uint8Array(randomBytes(32)), patient.scope, patient.relationship.handle).address;

  beforeAll(async () => {
    gw = await createTestApp();
    const hospital = await AccessFactory.hospital(gw, await AccountFactory.adminToken(gw));
    patient = await AccessFactory.patient(gw, hospital);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const send = (message: ReturnType<typeof signGuardianSet>, auth = patient.auth) => {
    const { type: _type, ...body } = message;
    return gw.http.post('/v1/guardians?wait=applied').set(auth).send(body);
  };

  it('names two guardians, two of whom must sign a recovery: proposed now, in force after three days', async () => {
    const before = (await gw.http.get('/v1/guardians').set(patient.auth).expect(200)).body;
    expect(before).toMatchObject({ handle: patient.relationship.handle, inForce: { guardians: [], threshold: 0 }, proposed: null });
    const guardians = [guardianAddress(), guardianAddress()];
    const sent = await send(signGuardianSet(patient.relationship, patient.scope, guardians, 2, before.nonce, AccessFactory.deadline())).expect(201);
    expect(sent.body.status).toBe('applied');
    const after = (await gw.http.get('/v1/guardians').set(patient.auth).expect(200)).body;
    expect(after.nonce).toBe(before.nonce + 1);
    expect(after.proposed).toMatchObject({ guardians, threshold: 2 });
    expect(Date.parse(after.proposed.effectiveAt) - Date.now()).toBeGreaterThan(3 * DAY * 1000 - 120_000);
    expect(after.inForce.guardians).toEqual([]);
  });

  it('refuses a set signed at a used nonce, a threshold above the guardians, and another handle\'s set, and applies none of them', async () => {
    const { nonce } = (await gw.http.get('/v1/guardians').set(patient.auth).expect(200)).body;
    const proposedBefore = (await gw.http.get('/v1/guardians').set(patient.auth).expect(200)).body.proposed;
    const one = [guardianAddress()];
    expect((await send(signGuardianSet(patient.relationship, patient.scope, one, 1, nonce - 1, AccessFactory.deadline())).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    expect((await send(signGuardianSet(patient.relationship, patient.scope, one, 2, nonce, AccessFactory.deadline())).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    // Signed in as another patient's pseudonym, this patient's set is refused before it reaches the chain.
    const other = await AccessFactory.patient(gw, { address: (await AccessFactory.hospital(gw, await AccountFactory.adminToken(gw))).address });
    expect((await send(signGuardianSet(patient.relationship, patient.scope, one, 1, nonce, AccessFactory.deadline()), other.auth).expect(403)).body.code).toBe('GUARDIANS_NOT_YOURS');
    const after = (await gw.http.get('/v1/guardians').set(patient.auth).expect(200)).body;
    expect({ nonce: after.nonce, proposed: after.proposed }).toEqual({ nonce, proposed: proposedBefore });
  });

  // Guardians come into force three days after they are named: the chain's clock is moved, which
  // only the embedded chain (this file's own Anvil) allows; a shared network's clock is not ours.
  const onEmbeddedChain = embeddedChain() ? it : () => undefined;
  onEmbeddedChain('shows the patient a recovery their guardians started, and relays their veto; refuses a veto by another key, of another recovery, for another handle, and of a unanimous one', async () => {
    const chain = gw.app.get(ChainClient);
    const consentManager = gw.app.get(ConsentManager);
    const { now: chainNow, passDays } = chainClock(gw);
    const deadline = async () => (await chainNow()) + 3600;
    const handle = patient.relationship.handle;
    const signer = await consentManager.signerOf(handle);
    const guardians = [0, 1].map(() => deriveGuardianKey(new Uint8Array(randomBytes(32)), patient.scope, handle));
    const state = async () => (await gw.http.get('/v1/guardians').set(patient.auth).expect(200)).body;
    // Registered while the chain's clock is still the wall clock's (the factory signs wall-clock deadlines).
    const other = await AccessFactory.patient(gw, { address: (await AccessFactory.hospital(gw, await AccountFactory.adminToken(gw))).address });

    // One of two guardians may start a recovery; in force three days later (anyone applies it).
    await send(signGuardianSet(patient.relationship, patient.scope, guardians.map((g) => g.address), 1, (await state()).nonce, await deadline())).expect(201);
    await passDays(3);
    await chain.send(consentManager.contract, 'applyGuardians', [handle]);
    expect((await state()).inForce).toEqual({ guardians: guardians.map((g) => g.address), threshold: 1 });

    // Someone who holds one guardian's key starts moving the handle to a key of theirs.
    const start = async (by: typeof guardians) => {
      const [nonce] = await chain.call(consentManager.contract, 'recoveryNonces', [handle]);
      const recovery = { handle, newSigner: thief.address, nonce: Number(nonce), deadline: await deadline() };
      await chain.send(consentManager.contract, 'startRecovery', [handle, thief.address, recovery.deadline, by.map((g) => signRecovery(g.privateKey, patient.scope, recovery))]);
    };
    const thief = deriveGuardianKey(new Uint8Array(randomBytes(32)), patient.scope, handle);
    await start([guardians[0]!]);
    const waiting = await state();
    expect(waiting.recovery).toMatchObject({ newSigner: thief.address, recovery: 0, vetoable: true });
    expect(Date.parse(waiting.recovery.executableAt) / 1000 - (await chainNow())).toBeGreaterThan(3 * DAY - 120);
    expect(Date.parse(waiting.recovery.executableAt) - Date.parse(waiting.recovery.startedAt)).toBe(3 * DAY * 1000);
    expect(Math.abs(Date.parse(waiting.recovery.startedAt) / 1000 - (await chainNow()))).toBeLessThan(120);
    const feed = (await gw.http.get('/v1/notifications').set(patient.auth).expect(200)).body;
    expect(feed).toContainEqual(expect.objectContaining({ kind: 'recovery.started', at: waiting.recovery.startedAt, refs: expect.objectContaining({ newSigner: thief.address, recovery: 0 }) }));

    const veto = (message: ReturnType<typeof signRecoveryVeto>, auth = patient.auth) => {
      const { type: _type, ...body } = message;
      return gw.http.post('/v1/guardians/recovery/veto?wait=applied').set(auth).send(body);
    };
    const named = { newSigner: thief.address, recovery: 0 };
    // A veto signed by another key (the thief's), naming another recovery, or sent by another pseudonym: refused, and nothing changes.
    expect((await veto(signRecoveryVeto({ ...patient.relationship, privateKey: thief.privateKey }, patient.scope, named, waiting.nonce, await deadline())).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    expect((await veto(signRecoveryVeto(patient.relationship, patient.scope, { ...named, recovery: 1 }, waiting.nonce, await deadline())).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    expect((await veto(signRecoveryVeto(patient.relationship, patient.scope, { ...named, newSigner: guardians[1]!.address }, waiting.nonce, await deadline())).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    expect((await veto(signRecoveryVeto(patient.relationship, patient.scope, named, waiting.nonce, await deadline()), other.auth).expect(403)).body.code).toBe('GUARDIANS_NOT_YOURS');
    // The patient's own signature, in a body that says something else than what was signed: the
    // chain would apply it (the call carries neither), but the gateway keeps only what was signed.
    const signed = signRecoveryVeto(patient.relationship, patient.scope, named, waiting.nonce, await deadline());
    expect((await veto({ ...signed, newSigner: guardians[1]!.address }).expect(422)).body.code).toBe('RECOVERY_NOT_WAITING');
    expect((await veto({ ...signed, recovery: 7 }).expect(422)).body.code).toBe('RECOVERY_NOT_WAITING');
    expect((await veto({ ...signed, nonce: waiting.nonce + 98 }).expect(422)).body.code).toBe('NONCE_NOT_CURRENT');
    expect(await state()).toEqual(waiting);
    // However a client polled, the waiting recovery heads its feed.
    const later = new Date(Date.now() + 30 * DAY * 1000).toISOString();
    expect((await gw.http.get(`/v1/notifications?since=${later}&limit=1`).set(patient.auth).expect(200)).body[0]).toMatchObject({ kind: 'recovery.started' });

    // The patient's own veto: the recovery is over, the key stays theirs, and it cannot complete later.
    const vetoed = await veto(signRecoveryVeto(patient.relationship, patient.scope, named, waiting.nonce, await deadline())).expect(201);
    expect(vetoed.body).toMatchObject({ type: 'RecoveryVeto', status: 'applied' });
    expect(await state()).toMatchObject({ nonce: waiting.nonce + 1, recovery: null });
    await passDays(3);
    await expect(chain.send(consentManager.contract, 'completeRecovery', [handle])).rejects.toThrow();
    expect(await consentManager.signerOf(handle)).toBe(signer);

    // Every guardian signed: the key cannot veto it (a thief holding the key is overruled by them all).
    await start(guardians);
    const unanimous = await state();
    expect(unanimous.recovery).toMatchObject({ newSigner: thief.address, recovery: 1, vetoable: false });
    expect((await veto(signRecoveryVeto(patient.relationship, patient.scope, { ...named, recovery: 1 }, unanimous.nonce, await deadline())).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    expect(await state()).toEqual(unanimous);
  });
});
