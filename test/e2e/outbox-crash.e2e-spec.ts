import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eth } from 'web3';
import { AnvilProcess } from '../../gateway/src/chain/anvil-process';
import { loadArtifact } from '../../gateway/src/chain/artifacts';
import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import { dropTestSchema } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort, spawnGateway, SpawnedGateway } from '../support/spawn';
import { NETWORK_TEST_CHAIN_ID } from '../support/test-app';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { makeFilingToken } from '../../gateway/src/chain/filing-token';
import { patientHandle } from '../../gateway/src/chain/patient-handle';
import { randomAddress } from '../contracts/support/accounts';

/**
 * The durable outbox against the one failure an in-process test cannot stage: the gateway
 * process killed (SIGKILL) after it sent a batch and before the receipt, then started again.
 * The chain runs apart from the gateway (as Besu does), with automine off, so the transaction
 * sits in the pool while the process dies, or before it was even sent. Either way the chain ends
 * up with the record's batch exactly once (issue 13: killed between the 201 and the anchor).
 */
describe('a gateway killed between a record\'s 201 and its anchor (compiled gateway, child process)', () => {
  const BANNER = /EHRChain gateway is running/;
  const BOOT_MS = 60_000;
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const database = { url: databaseUrl, schema: databaseUrl ? `t_${randomBytes(6).toString('hex')}` : 'public', pgliteDir: '' };
  const authorities = [1, 2, 3].map(() => eth.accounts.privateKeyToAddress(`0x${randomBytes(32).toString('hex')}`));

  let anvil: AnvilProcess;
  let node: NodeRpc;
  let dataDir: string;
  let port: number;
  let gw: SpawnedGateway | undefined;
  let apiKey: string;
  let anchors: ChainContract;
  let hospitalAddress: string;
  let scope: { chainId: number; consentManager: string };

  const start = async () => {
    gw = spawnGateway({
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      CHAIN_RPC_URL: anvil.rpcUrl,
      CONSORTIUM_AUTHORITIES: authorities.join(','),
      OUTBOX_INTERVAL_MS: '100',
      LOG_LEVEL: 'info',
      ...(databaseUrl ? { DATABASE_SCHEMA: database.schema } : {}),
    });
    await gw.waitForStdout(BANNER, BOOT_MS);
    return gw;
  };
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const asAdmin = async (password: string) => {
    const { body } = await call('/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    return { authorization: `Bearer ${body.accessToken}`, 'content-type': 'application/json' };
  };
  const gatewayAddress = async () => eth.accounts.privateKeyToAddress((await readFile(join(dataDir, 'keys', 'chain-account.key'), 'utf8')).trim());
  const gatewayNonce = async () => Number(BigInt(await node.call<string>('eth_getTransactionCount', [await gatewayAddress(), 'latest'])));
  const logsOf = (event: string, topic: string) =>
    node.call<unknown[]>('eth_getLogs', [{ address: anchors.address, fromBlock: '0x0', topics: [anchors.eventTopic(event), topic] }]);

  beforeAll(async () => {
    anvil = await AnvilProcess.start({ port: 0, chainId: NETWORK_TEST_CHAIN_ID, blockTimeSeconds: 0 });
    node = new NodeRpc(anvil.rpcUrl);
    dataDir = await mkdtemp(join(tmpdir(), 'ehr-crash-'));
    port = await freePort();
    const first = await start();
    const password = first.stdout().match(/\n\s+password\s+(\S+)\n/)![1]!;
    const admin = await asAdmin(password);
    hospitalAddress = randomAddress();
    const hospital = await call('/v1/accounts', {
      method: 'POST', headers: admin, body: JSON.stringify({ role: 'hospital', username: 'crash.hospital', aadhaar: madeUpAadhaar(), chainAddress: hospitalAddress }),
    });
    apiKey = (await call(`/v1/accounts/${hospital.body.id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ label: 'HIS' }) })).body.key;
    const deployments = JSON.parse(await readFile(join(dataDir, 'chain', 'deployments.json'), 'utf8'));
    anchors = new ChainContract('RecordAnchors', deployments.contracts.RecordAnchors.address, loadArtifact('RecordAnchors').abi);
    scope = { chainId: NETWORK_TEST_CHAIN_ID, consentManager: deployments.contracts.ConsentManager.address };
  });
  afterAll(async () => {
    await gw?.stop(5_000);
    await anvil?.stop();
    await dropTestSchema(database);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function killWhenInPool(): Promise<void> {
    await eventually(async () => expect(Number(BigInt((await node.call<{ pending: string }>('txpool_status')).pending))).toBe(1));
    gw!.child.kill('SIGKILL');
    await gw!.exited;
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
    const data = anchors.encodeCall('verifyRecord', [await gatewayAddress(), anchor.batchId, anchor.version, anchor.proof]);
    expect(anchors.decodeOutputs('verifyRecord', 4, await node.call<string>('eth_call', [{ to: anchors.address, data }, 'latest']))).toEqual([true]);
    const queued = await call(`/v1/records/${recordId}/versions`, { headers: { 'x-api-key': apiKey } });
    expect(queued.body).toHaveLength(1);
  }

  it('anchors a record exactly once when the gateway is killed after the 201, before its batch is sent', async () => {
    await node.call('evm_setAutomine', [false]);
    const recordId = await fileRecord(71);
    // Killed at once: the batch may not even be claimed yet. Whatever state it was in, a restart finishes it.
    gw!.child.kill('SIGKILL');
    await gw!.exited;
    await node.call('anvil_dropAllTransactions', []);
    await node.call('evm_setAutomine', [true]);

    await start();

    await expectRecordAnchoredOnce(recordId);
  });

  it('confirms, without sending again, a record batch the chain mined while the gateway was down', async () => {
    await node.call('evm_setAutomine', [false]);
    const recordId = await fileRecord(72);
    await killWhenInPool();
    await node.call('evm_mine', []);
    await node.call('evm_setAutomine', [true]);
    const sent = await gatewayNonce();

    await start();

    await expectRecordAnchoredOnce(recordId);
    expect(await gatewayNonce()).toBe(sent); // confirmed from its receipt: no second transaction
  });

  it('sends the same batch again when its transaction was lost with the gateway', async () => {
    await node.call('evm_setAutomine', [false]);
    const recordId = await fileRecord(73);
    await killWhenInPool();
    await node.call('anvil_dropAllTransactions', []);
    await node.call('evm_setAutomine', [true]);

    await start();

    await expectRecordAnchoredOnce(recordId);
  });
});
