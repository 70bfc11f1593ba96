import { randomBytes } from 'node:crypto';
import { signGuardianSet } from '../../gateway/src/chain/patient-messages';
import { deriveGuardianKey } from '../../gateway/src/chain/relationships';
import { AccessFactory, AccessPatient } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

const DAY = 86_400;

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
});
