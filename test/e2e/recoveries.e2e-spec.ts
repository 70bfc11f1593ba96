import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { signTypedData } from '../../gateway/src/chain/eip712';
import { PatientMessage, signGuardianSet, signRecovery } from '../../gateway/src/chain/patient-messages';
import { deriveGuardianKey } from '../../gateway/src/chain/relationships';
import { ConsentMessageEntity } from '../../gateway/src/consents/consent.entities';
import { RegistrationRelayHandler } from '../../gateway/src/consents/patient-message.handler';
import { OutboxService } from '../../gateway/src/outbox/outbox.service';
import { newKey } from '../contracts/support/accounts';
import { AccessFactory, AccessPatient } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { chainClock } from '../support/chain-clock';
import { createTestApp, embeddedChain, removeGatewayData, TestApp } from '../support/test-app';


/**
 * Issue 15 (recovery, the guardians' side): a patient who lost their keys and their backup gets
 * the records filed under a handle back. Their guardians each sign a Recovery to the key of the
 * patient's new device; whoever holds the signatures sends them, with no sign-in; three days
 * later anyone completes it, and the new key signs for the handle where the old one no longer can.
 */
describe('recovery by guardians (e2e)', () => {
  let gw: TestApp;
  let patient: AccessPatient;
  const messages = () => gw.app.get(DataSource).getRepository(ConsentMessageEntity).count();
  // Queued, then sent when the test drains the outbox (its timer is out of the way): a second copy can be tried while the first is pending.
  const start = (body: Record<string, unknown>) => gw.http.post('/v1/recoveries').send(body);
  const complete = (handle: string) => gw.http.post('/v1/recoveries/completion').send({ handle });
  const applied = async (queued: { body: { id: string } }) => {
    await gw.app.get(OutboxService).drain();
    return (await gw.http.get(`/v1/consents/messages/${queued.body.id}`).expect(200)).body;
  };
  const stateOf = async (handle: string) => (await gw.http.get(`/v1/recoveries/${handle}`).expect(200)).body;

  beforeAll(async () => {
    gw = await createTestApp({ env: { OUTBOX_INTERVAL_MS: '60000' } });
    const hospital = await AccessFactory.hospital(gw, await AccountFactory.adminToken(gw));
    patient = await AccessFactory.patient(gw, hospital);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('tells anyone what guardians sign at; refuses a recovery of a handle without guardians, and a completion with none waiting, queuing nothing', async () => {
    const { handle } = patient.relationship;
    expect(await stateOf(handle)).toEqual({ handle, nonce: 0, guardians: [], threshold: 0, recovery: null });
    expect((await gw.http.get('/v1/recoveries/0x1234').expect(400)).body.code).toBe('VALIDATION_FAILED');

    const before = await messages();
    const someone = deriveGuardianKey(new Uint8Array(randomBytes(32)), patient.scope, handle);
    const recovery = { handle, newSigner: newKey().address, nonce: 0, deadline: AccessFactory.deadline() };
    expect((await start({ ...recovery, signatures: [signRecovery(someone.privateKey, patient.scope, recovery)] }).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    expect((await start({ ...recovery, signatures: [] }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await complete(handle).expect(422)).body.code).toBe('RECOVERY_NOT_WAITING');
    expect(await messages()).toBe(before);
  });

  // Guardians come into force three days after they are named, and a recovery waits three more:
  // the chain's clock is moved, which only the embedded chain (this file's own Anvil) allows.
  const onEmbeddedChain = embeddedChain() ? it : () => undefined;
  onEmbeddedChain('moves the handle to the new device\'s key on two of three guardians\' word, three days later; refuses too few, an outsider, the same guardian twice, altered fields and an early completion', async () => {
    const chain = gw.app.get(ChainClient);
    const consentManager = gw.app.get(ConsentManager);
    const { now: chainNow, passDays } = chainClock(gw);
    const { handle } = patient.relationship;
    const oldKey = patient.relationship.privateKey;
    const signIn = async (privateKey: string) => {
      const challenge = (await gw.http.post('/v1/auth/pseudonym/challenge').send({ handle })).body;
      return gw.http.post('/v1/auth/pseudonym/token').send({ handle, challenge: challenge.challenge, expiresAt: challenge.expiresAt, signature: signTypedData(privateKey, challenge.typedData) });
    };
    expect((await signIn(oldKey)).status).toBe(200);

    // The patient named three guardians, two of whom must agree; in force three days later.
    const guardians = [0, 1, 2].map(() => deriveGuardianKey(new Uint8Array(randomBytes(32)), patient.scope, handle));
    const { nonce } = (await gw.http.get('/v1/guardians').set(patient.auth).expect(200)).body;
    const named = signGuardianSet(patient.relationship, patient.scope, guardians.map((g) => g.address), 2, nonce, AccessFactory.deadline());
    const { type: _type, ...body } = named;
    expect(await applied(await gw.http.post('/v1/guardians').set(patient.auth).send(body).expect(201))).toMatchObject({ status: 'applied' });
    await passDays(3);
    await chain.send(consentManager.contract, 'applyGuardians', [handle]);
    expect(await stateOf(handle)).toMatchObject({ nonce: 0, guardians: guardians.map((g) => g.address), threshold: 2, recovery: null });

    // The patient lost this device and its backup. Their new device has a key; guardians sign for it.
    const device = newKey();
    const recovery = { handle, newSigner: device.address, nonce: 0, deadline: (await chainNow()) + 3600 };
    const [a, b, c] = guardians.map((g) => signRecovery(g.privateKey, patient.scope, recovery));
    const outsider = signRecovery(deriveGuardianKey(new Uint8Array(randomBytes(32)), patient.scope, handle).privateKey, patient.scope, recovery);
    const before = await messages();
    const refused = async (body: Record<string, unknown>) => (await start(body).expect(422)).body.code as string;
    expect(await refused({ ...recovery, signatures: [a] })).toBe('CHAIN_WOULD_REVERT'); // one of the two needed
    expect(await refused({ ...recovery, signatures: [a, a] })).toBe('CHAIN_WOULD_REVERT'); // the same guardian twice
    expect(await refused({ ...recovery, signatures: [a, outsider] })).toBe('CHAIN_WOULD_REVERT'); // someone not a guardian
    expect(await refused({ ...recovery, newSigner: newKey().address, signatures: [a, b] })).toBe('CHAIN_WOULD_REVERT'); // another key than they signed for
    expect(await refused({ ...recovery, deadline: recovery.deadline + 1, signatures: [a, b] })).toBe('CHAIN_WOULD_REVERT');
    // The call carries no nonce: the chain would take it, but the gateway keeps only what was signed.
    expect(await refused({ ...recovery, nonce: 7, signatures: [a, b] })).toBe('NONCE_NOT_CURRENT');
    expect(await messages()).toBe(before);
    expect((await stateOf(handle)).recovery).toBeNull();

    // Two guardians' word, sent twice at once: one is queued, the other refused (nobody fills the open queue with copies).
    const [first, second] = await Promise.all([start({ ...recovery, signatures: [a, c] }), start({ ...recovery, signatures: [c, a] })]);
    expect([first.status, second.status].sort()).toEqual([201, 409]);
    const started = first.status === 201 ? first : second;
    expect(((first.status === 409 ? first : second).body as { code: string }).code).toBe('RECOVERY_ALREADY_QUEUED');
    expect((await start({ ...recovery, signatures: [a, b] }).expect(409)).body.code).toBe('RECOVERY_ALREADY_QUEUED');
    const startedOnChain = await applied(started);
    expect(startedOnChain).toMatchObject({ type: 'RecoveryStart', status: 'applied' });
    // After a crash the relay looks for it on chain: found by its number, whoever sent it and in
    // whatever order the signatures came; another number is not it.
    const relay = gw.app.get(RegistrationRelayHandler);
    const lookUp = (payload: PatientMessage) => relay.alreadyApplied!('batch', [{ ref: 'message', payload }] as never);
    expect((await lookUp({ type: 'RecoveryStart', ...recovery, signatures: [c, a] }))?.txHash).toBe(startedOnChain.txHash);
    expect(await lookUp({ type: 'RecoveryStart', ...recovery, nonce: 1, signatures: [a, c] })).toBeNull();
    expect(await lookUp({ type: 'RecoveryCompletion', handle, newSigner: device.address, recovery: 0 })).toBeNull();
    // The recovery waits; the old key still signs (and could veto it).
    const waiting = await stateOf(handle);
    expect(waiting).toMatchObject({ nonce: 1, recovery: { newSigner: device.address, recovery: 0, vetoable: true } });
    expect(await consentManager.signerOf(handle)).not.toBe(device.address);
    expect(await refused({ ...recovery, signatures: [a, c] })).toBe('CHAIN_WOULD_REVERT'); // sent again
    const another = { ...recovery, nonce: 1 }; // a second recovery while one waits
    expect(await refused({ ...another, signatures: guardians.slice(1).map((g) => signRecovery(g.privateKey, patient.scope, another)) })).toBe('CHAIN_WOULD_REVERT');
    expect((await complete(handle).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT'); // not due for three days

    await passDays(3);
    const completed = await complete(handle).expect(201);
    expect((await complete(handle).expect(409)).body.code).toBe('RECOVERY_ALREADY_QUEUED');
    const completedOnChain = await applied(completed);
    expect(completedOnChain).toMatchObject({ type: 'RecoveryCompletion', status: 'applied' });
    expect((await lookUp({ type: 'RecoveryCompletion', handle, newSigner: device.address, recovery: 0 }))?.txHash).toBe(completedOnChain.txHash);
    expect(await consentManager.signerOf(handle)).toBe(device.address);
    expect(await stateOf(handle)).toMatchObject({ nonce: 1, recovery: null });
    expect((await signIn(device.key)).status).toBe(200);
    expect((await signIn(oldKey)).status).toBe(401);
    expect((await complete(handle).expect(422)).body.code).toBe('RECOVERY_NOT_WAITING');
    // Relayed with no sign-in: no pseudonym or person is recorded as their sender.
    const relayed = await gw.app.get(DataSource).getRepository(ConsentMessageEntity).findBy({ patientHandle: handle });
    const recoveries = relayed.filter((m) => m.type === 'RecoveryStart' || m.type === 'RecoveryCompletion').map((m) => [m.type, m.status, m.submittedBy]);
    expect(recoveries.sort()).toEqual([['RecoveryCompletion', 'applied', null], ['RecoveryStart', 'applied', null]]);
  });
});
