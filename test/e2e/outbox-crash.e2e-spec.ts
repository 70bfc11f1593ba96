import { randomBytes } from 'node:crypto';
import { eth } from 'web3';
import { loadArtifact } from '../../gateway/src/chain/artifacts';
import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { eventually } from '../support/eventually';
import { GatewayOnAnvil } from '../support/gateway-on-anvil';
import { NETWORK_TEST_CHAIN_ID } from '../support/test-app';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { makeFilingToken } from '../../gateway/src/chain/filing-token';
import { patientHandle } from '../../gateway/src/chain/patient-handle';
import { admittedHospital } from '../support/consortium-members';

/**
 * The durable outbox against the one failure an in-process test cannot stage: the gateway
 * process killed (SIGKILL) after it sent a batch and before the receipt, then started again.
 * The chain runs apart from the gateway (as Besu does), with automine off, so the transaction
 * sits in the pool while the process dies, or before it was even sent. Either way the chain ends
 * up with the record's batch exactly once (issue 13: killed between the 201 and the anchor).
 */
describe('a gateway killed between a record\'s 201 and its anchor (compiled gateway, child process)', () => {
  const stack = new GatewayOnAnvil();
  let apiKey: string;
  let anchors: ChainContract;
  let hospitalAddress: string;
  let scope: { chainId: number; consentManager: string };
  const node = () => stack.node;
  const call = (path: string, init: RequestInit = {}) => stack.call(path, init);
  const logsOf = (event: string, topic: string) =>
    node().call<unknown[]>('eth_getLogs', [{ address: anchors.address, fromBlock: '0x0', topics: [anchors.eventTopic(event), topic] }]);

  beforeAll(async () => {
    const admin = await stack.signedIn('admin', await stack.begin());
    hospitalAddress = (await admittedHospital(await stack.consortium())).address;
    const hospital = await call('/v1/accounts', {
      method: 'POST', headers: admin, body: JSON.stringify({ role: 'hospital', username: 'crash.hospital', aadhaar: madeUpAadhaar(), chainAddress: hospitalAddress }),
    });
    apiKey = (await call(`/v1/accounts/${hospital.body.id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ label: 'HIS' }) })).body.key;
    const deployments = await stack.deployments();
    anchors = new ChainContract('RecordAnchors', deployments.RecordAnchors!.address, loadArtifact('RecordAnchors').abi);
    scope = { chainId: NETWORK_TEST_CHAIN_ID, consentManager: deployments.ConsentManager!.address };
  });
  afterAll(() => stack.end());

  async function killWhenInPool(): Promise<void> {
    await eventually(async () => expect(Number(BigInt((await node().call<{ pending: string }>('txpool_status')).pending))).toBe(1));
    await stack.kill();
  }

  /** Files a FHIR record for a fresh patient relationship (not registered on chain yet: its filing token proves it by commitment). */
  async function fileRecord(value: number): Promise<string> {
    const key = eth.accounts.create();
    const salt = `0x${randomBytes(32).toString('hex')}`;
    const relationship = { handle: patientHandle(key.address, salt), signer: key.address, privateKey: key.privateKey, salt };
    const token = makeFilingToken(relationship, scope, hospitalAddress, Math.floor(Date.now() / 1000) + 600);
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'Heart rate' }, effectiveDateTime: '2026-11-30', valueQuantity: { value, unit: '/min' } };
    const created = await call('/v1/records?category=WellnessRecord', {
      method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/fhir+json', 'x-filing-token': token }, body: JSON.stringify(observation),
    });
    expect(created).toMatchObject({ status: 201, body: { anchor: { status: 'pending' } } });
    return created.body.recordId as string;
  }

  /** After the restart: the record's version anchored in one batch, applied once on chain, and its proof checks against that root. */
  async function expectRecordAnchoredOnce(recordId: string): Promise<void> {
    const { anchor } = await eventually(async () => {
      const { body } = await call(`/v1/records/${recordId}`, { headers: { 'x-api-key': apiKey } });
      expect(body.anchor.status).toBe('anchored');
      return body;
    }, { timeoutMs: 20_000 });
    expect(await logsOf('BatchAnchored', anchor.batchId)).toHaveLength(1);
    const data = anchors.encodeCall('verifyRecord', [await stack.gatewayAddress(), anchor.batchId, anchor.version, anchor.proof]);
    expect(anchors.decodeOutputs('verifyRecord', 4, await node().call<string>('eth_call', [{ to: anchors.address, data }, 'latest']))).toEqual([true]);
    const queued = await call(`/v1/records/${recordId}/versions`, { headers: { 'x-api-key': apiKey } });
    expect(queued.body).toHaveLength(1);
  }

  it('anchors a record exactly once when the gateway is killed after the 201, before its batch is sent', async () => {
    await node().call('evm_setAutomine', [false]);
    const recordId = await fileRecord(71);
    // Killed at once: the batch may not even be claimed yet. Whatever state it was in, a restart finishes it.
    await stack.kill();
    await node().call('anvil_dropAllTransactions', []);
    await node().call('evm_setAutomine', [true]);

    await stack.start();

    await expectRecordAnchoredOnce(recordId);
  });

  it('confirms, without sending again, a record batch the chain mined while the gateway was down', async () => {
    await node().call('evm_setAutomine', [false]);
    const recordId = await fileRecord(72);
    await killWhenInPool();
    await node().call('evm_mine', []);
    await node().call('evm_setAutomine', [true]);
    const sent = await stack.gatewayNonce();

    await stack.start();

    await expectRecordAnchoredOnce(recordId);
    expect(await stack.gatewayNonce()).toBe(sent); // confirmed from its receipt: no second transaction
  });

  it('sends the same batch again when its transaction was lost with the gateway', async () => {
    await node().call('evm_setAutomine', [false]);
    const recordId = await fileRecord(73);
    await killWhenInPool();
    await node().call('anvil_dropAllTransactions', []);
    await node().call('evm_setAutomine', [true]);

    await stack.start();

    await expectRecordAnchoredOnce(recordId);
  });
});
