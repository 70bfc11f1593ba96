import { eth } from 'web3';
import { Role } from '../../gateway/src/auth/permissions';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { signTypedData, TypedData } from '../../gateway/src/chain/eip712';
import { textCommitment } from '../../gateway/src/chain/relationships';
import { EmergencyAccess } from '../../gateway/src/chain/emergency-access';
import { signLegacyTransaction, UnsignedCall } from '../../gateway/src/chain/legacy-transaction';
import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { newKey } from '../contracts/support/accounts';
import { AccessFactory } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { RecordFactory } from '../factories/record.factory';
import { ConsortiumAt, proposedAdmission } from '../support/consortium-members';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 15, point 4: authorities decide with their own keys, in their browser; the gateway lists
 * open proposals, drafts the call, and relays a signed decision. It relays nothing else: not
 * another call, not another key's, not another chain's, not one the chain would refuse.
 */
describe('authority decisions relayed (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let consortium: ConsortiumAt;
  /** The second authority, with an account naming its address, signed in. */
  let authority: { key: string; address: string; auth: { Authorization: string } };

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    consortium = await AccessFactory.consortium(gw);
    const key = consortium.authorityKeys[1]!;
    const address = eth.accounts.privateKeyToAddress(key);
    const username = `authority.decides.${process.pid}`;
    const password = `pw ${Math.random().toString(36).slice(2)} ${Date.now()}`;
    await gw.http.post('/v1/accounts').set('Authorization', `Bearer ${adminToken}`).send({ role: Role.Authority, username, password, aadhaar: madeUpAadhaar(), chainAddress: address }).expect(201);
    const login = await gw.http.post('/v1/auth/login').send({ username, password }).expect(200);
    authority = { key, address, auth: { Authorization: `Bearer ${login.body.accessToken}` } };
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const draft = (body: Record<string, unknown>) => gw.http.post('/v1/consortium/decisions/drafts').set(authority.auth).send({ from: authority.address, ...body });
  const signed = async (call: UnsignedCall, key = authority.key) => (await signLegacyTransaction(call, key)).rawTransaction;
  const decide = (rawTransaction: string) => gw.http.post('/v1/consortium/decisions').set(authority.auth).send({ rawTransaction });
  const nonceOf = async (address: string) => Number(await new NodeRpc(gw.app.get(ChainClient).rpcUrl).call<string>('eth_getTransactionCount', [address, 'latest']));

  it('lists an open admission and applies the approval the authority signed, which admits the hospital', async () => {
    const { hospital, proposalId } = await proposedAdmission(consortium);
    const open = (await gw.http.get('/v1/consortium/proposals').set(authority.auth).expect(200)).body;
    expect(open).toContainEqual(expect.objectContaining({ proposalId, action: 'admit', hospital: hospital.address, approvals: 1, threshold: consortium.threshold }));

    const call: UnsignedCall = (await draft({ target: 'proposal', id: proposalId, decision: 'approve' }).expect(200)).body;
    expect(call).toMatchObject({ chainId: gw.app.get(ChainRuntime).chainId, to: gw.app.get(ChainRuntime).addresses.ConsortiumRegistry });
    const applied = (await decide(await signed(call)).expect(200)).body;
    expect(applied).toMatchObject({ target: 'proposal', decision: 'approve', id: proposalId, block: expect.any(Number) });
    const registry = gw.app.get(ChainClient).contract('ConsortiumRegistry', gw.app.get(ChainRuntime).addresses.ConsortiumRegistry!);
    expect(await gw.app.get(ChainClient).call(registry, 'isActiveHospital', [hospital.address])).toEqual([true]);
    expect((await gw.http.get('/v1/consortium/proposals').set(authority.auth).expect(200)).body.map((p: { proposalId: number }) => p.proposalId)).not.toContain(proposalId);

    // The same approval again: the chain would refuse it, so nothing is sent.
    expect((await decide(await signed(call)).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
  });

  it('approves an emergency request with the authority key', async () => {
    const hospital = await AccessFactory.hospital(gw, adminToken);
    const doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
    const patient = await AccessFactory.patient(gw, hospital);
    await RecordFactory.file(gw, hospital, patient, 'penicillin allergy noted');
    const drafted = await gw.http.post('/v1/emergencies').set(doctor.auth).send({ patient: patient.relationship.handle, reason: 'Unconscious on arrival; allergies needed', durationSeconds: 3600 }).expect(201);
    const requested = await gw.http.post(`/v1/emergencies/${drafted.body.emergency.id}/signature?wait=requested`).set(doctor.auth)
      .send({ signature: signTypedData(doctor.key.key, drafted.body.typedData as TypedData) }).expect(200);
    const call = (await draft({ target: 'emergency', id: requested.body.requestId, decision: 'approve' }).expect(200)).body;
    await decide(await signed(call)).expect(200);
    expect((await gw.app.get(EmergencyAccess).requestOf(BigInt(requested.body.requestId))).approvals).toBe(1);
  });

  it('relays no other call, no other key, no other chain and no garbage, and sends none of them', async () => {
    const { proposalId } = await proposedAdmission(consortium);
    const call: UnsignedCall = (await draft({ target: 'proposal', id: proposalId, decision: 'approve' }).expect(200)).body;
    const before = await nonceOf(authority.address);

    // Another call by the same authority (cancelling a proposal), dressed as a decision; a
    // proposal with a word too many (calldata the contract would ignore, but not the gateway).
    const registry = gw.app.get(ChainClient).contract('ConsortiumRegistry', call.to);
    const other = { ...call, data: registry.encodeCall('cancel', [proposalId]) };
    expect((await decide(await signed(other)).expect(422)).body.code).toBe('TRANSACTION_NOT_A_DECISION');
    const padded = { ...call, data: `${registry.encodeCall('proposeSuspension', [newKey().address, `0x${'11'.repeat(32)}`])}${'00'.repeat(32)}` };
    expect((await decide(await signed(padded)).expect(422)).body.code).toBe('TRANSACTION_NOT_A_DECISION');
    // The right call carrying value: nothing but the decision is forwarded.
    const common = eth.accounts.Common.custom({ chainId: call.chainId, networkId: call.chainId }, { hardfork: 'london' });
    const withValue = eth.accounts.Transaction.fromTxData({ nonce: BigInt(call.nonce), gasPrice: 0n, gasLimit: BigInt(call.gasLimit), to: call.to, data: call.data, value: 1n }, { common });
    expect((await decide((await eth.accounts.signTransaction(withValue, authority.key)).rawTransaction).expect(422)).body.code).toBe('TRANSACTION_NOT_A_DECISION');
    // Another authority's key (the first authority's, not this account's).
    expect((await decide(await signed(call, consortium.authorityKeys[0]!)).expect(403)).body.code).toBe('SIGNER_NOT_YOURS');
    // Another chain.
    expect((await decide(await signed({ ...call, chainId: call.chainId + 1 })).expect(400)).body.code).toBe('TRANSACTION_WRONG_CHAIN');
    expect((await decide('0xdeadbeef').expect(400)).body.code).toBe('TRANSACTION_MALFORMED');
    expect(await nonceOf(authority.address)).toBe(before);

    // A proposal cannot be denied; a key that is no authority gets no draft; a doctor cannot decide.
    expect((await draft({ target: 'proposal', id: proposalId, decision: 'deny' }).expect(400)).body.code).toBe('DECISION_NOT_AVAILABLE');
    expect((await draft({ target: 'proposal', id: proposalId, decision: 'approve', from: newKey().address }).expect(403)).body.code).toBe('SIGNER_NOT_YOURS');
    const hospital = await AccessFactory.hospital(gw, adminToken);
    const doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
    await gw.http.post('/v1/consortium/decisions').set(doctor.auth).send({ rawTransaction: await signed(call) }).expect(403);
    expect((await gw.http.get('/v1/consortium/proposals').set(authority.auth).expect(200)).body).toContainEqual(expect.objectContaining({ proposalId, approvals: 1 }));
  });

  it('relays a suspension the authority proposed and signed, which the other authorities approve: the hospital is suspended', async () => {
    const hospital = await AccessFactory.hospital(gw, adminToken);
    const registry = gw.app.get(ChainClient).contract('ConsortiumRegistry', gw.app.get(ChainRuntime).addresses.ConsortiumRegistry!);
    const reason = textCommitment('Audit finding 2026-11: records filed for patients never seen', `0x${'5a'.repeat(32)}`);
    const proposeDraft = (body: Record<string, unknown>, auth = authority.auth) => gw.http.post('/v1/consortium/proposals/drafts').set(auth).send({ from: authority.address, ...body });

    // What the chain would refuse is not drafted: admitting a hospital admitted already, reinstating one not suspended.
    expect((await proposeDraft({ action: 'admit', hospital: hospital.address, dataHash: reason }).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    expect((await proposeDraft({ action: 'reinstate', hospital: hospital.address, dataHash: reason }).expect(422)).body.code).toBe('CHAIN_WOULD_REVERT');
    expect((await proposeDraft({ action: 'expel', hospital: hospital.address, dataHash: reason }).expect(400)).body.code).toBe('VALIDATION_FAILED');

    const call: UnsignedCall = (await proposeDraft({ action: 'suspend', hospital: hospital.address, dataHash: reason }).expect(200)).body;
    const opened = (await decide(await signed(call)).expect(200)).body;
    expect(opened).toMatchObject({ target: 'proposal', decision: 'propose', id: expect.any(Number) });
    const open = (await gw.http.get('/v1/consortium/proposals').set(authority.auth).expect(200)).body;
    expect(open).toContainEqual(expect.objectContaining({ proposalId: opened.id, action: 'suspend', hospital: hospital.address, proposer: authority.address, approvals: 1, dataHash: reason }));
    expect(await gw.app.get(ChainClient).call(registry, 'isActiveHospital', [hospital.address])).toEqual([true]);

    // The other authorities approve it, each with its own key: once k of n agreed, the hospital is suspended.
    for (const key of consortium.authorityKeys.filter((k) => k !== authority.key).slice(0, consortium.threshold - 1)) {
      const from = eth.accounts.privateKeyToAddress(key);
      const other = await AccountFactory.person(gw, adminToken, Role.Authority, { chainAddress: from });
      const approval = (await gw.http.post('/v1/consortium/decisions/drafts').set(other.auth).send({ target: 'proposal', id: opened.id, decision: 'approve', from }).expect(200)).body;
      await gw.http.post('/v1/consortium/decisions').set(other.auth).send({ rawTransaction: await signed(approval, key) }).expect(200);
    }
    expect(await gw.app.get(ChainClient).call(registry, 'isActiveHospital', [hospital.address])).toEqual([false]);
  });

  it('refuses a key that is no authority even when the account names none', async () => {
    const other = await AccountFactory.person(gw, adminToken, Role.Authority);
    const stranger = newKey();
    const { proposalId } = await proposedAdmission(consortium);
    const res = await gw.http.post('/v1/consortium/decisions/drafts').set(other.auth).send({ target: 'proposal', id: proposalId, decision: 'approve', from: stranger.address }).expect(403);
    expect(res.body.code).toBe('NOT_AN_AUTHORITY');
  });
});
