import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eth } from 'web3';
import { AnvilProcess } from '../../gateway/src/chain/anvil-process';
import { EMBEDDED_CHAIN_ID } from '../../gateway/src/config/app-config';
import { NETWORK_TEST_CHAIN_ID } from '../support/test-app';

/**
 * The compose `deployer` service's command, run for real against Anvil (no Docker engine runs
 * here). The compose files themselves are checked in compose.spec.ts and compose-topology.spec.ts.
 */
const ROOT = join(__dirname, '..', '..');

describe('deployer (node dist/gateway/src/deploy.js, as the compose service runs it)', () => {
  const DEPLOY_JS = join(ROOT, 'dist', 'gateway', 'src', 'deploy.js');
  const authorities = [1, 2, 3].map(() => eth.accounts.privateKeyToAddress(`0x${randomBytes(32).toString('hex')}`));
  let anvil: AnvilProcess;
  let dir: string;

  beforeAll(async () => {
    anvil = await AnvilProcess.start({ port: 0, chainId: NETWORK_TEST_CHAIN_ID, blockTimeSeconds: 0 });
    dir = await mkdtemp(join(tmpdir(), 'ehr-deployer-'));
  });
  afterAll(async () => {
    await anvil?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function deploy(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    // Only what the container sets: nothing from this shell (test:compose exports CHAIN_RPC_URL).
    const child = spawn(process.execPath, [DEPLOY_JS], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  const settings = (name: string) => ({
    CHAIN_RPC_URL: anvil.rpcUrl,
    CONSORTIUM_AUTHORITIES: authorities.join(','),
    DATA_DIR: join(dir, name, 'data'),
    KEYS_DIR: join(dir, name, 'keys'),
  });

  it('deploys the contract suite once and deploys nothing on a second run', async () => {
    const env = settings('twice');
    await mkdir(env.KEYS_DIR, { recursive: true, mode: 0o700 });
    await writeFile(join(env.KEYS_DIR, 'chain-account.key'), `0x${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

    const first = await deploy(env);
    expect(first).toMatchObject({ code: 0 });
    const file = join(env.DATA_DIR, 'chain', 'deployments.json');
    const deployments = JSON.parse(await readFile(file, 'utf8'));
    expect(deployments.chainId).toBe(NETWORK_TEST_CHAIN_ID);
    expect(deployments.genesisHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(Object.keys(deployments.contracts).sort()).toEqual(['AccessLog', 'ConsentManager', 'ConsortiumRegistry', 'ConsortiumRoleAdmin', 'EmergencyAccess', 'RecordAnchors']);
    const ready = first.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.event === 'contracts_ready');
    expect(ready.contracts.RecordAnchors).toBe(deployments.contracts.RecordAnchors.address);

    const before = await fetchBlockNumber(anvil.rpcUrl);
    const second = await deploy(env);
    expect(second).toMatchObject({ code: 0 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(deployments);
    expect(await fetchBlockNumber(anvil.rpcUrl)).toBe(before); // not one transaction
  });

  it("refuses a network that has the embedded development chain's id: its EIP-712 domains could be a development chain's", async () => {
    const development = await AnvilProcess.start({ port: 0, chainId: EMBEDDED_CHAIN_ID, blockTimeSeconds: 0 });
    try {
      const env = { ...settings('reserved-id'), CHAIN_RPC_URL: development.rpcUrl };
      await mkdir(env.KEYS_DIR, { recursive: true, mode: 0o700 });
      await writeFile(join(env.KEYS_DIR, 'chain-account.key'), `0x${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      const res = await deploy(env);
      expect(res.code).toBe(78);
      expect(res.stderr).toContain(`names a chain with id ${EMBEDDED_CHAIN_ID}, which is reserved for development chains`);
      expect(await fetchBlockNumber(development.rpcUrl)).toBe(0); // nothing deployed
      expect(existsSync(join(env.DATA_DIR, 'chain', 'deployments.json'))).toBe(false);
    } finally {
      await development.stop();
    }
  });

  it("refuses to deploy without the gateway's chain key rather than with a fresh one", async () => {
    const env = settings('keyless');
    const res = await deploy(env);
    expect(res.code).toBe(78);
    expect(res.stderr).toContain('chain-account.key');
    expect(existsSync(join(env.KEYS_DIR, 'chain-account.key'))).toBe(false);
  });

  it('refuses to run without CHAIN_RPC_URL: the embedded chain deploys on npm start', async () => {
    const { CHAIN_RPC_URL: _unused, ...env } = settings('embedded');
    const res = await deploy(env);
    expect(res.code).toBe(78);
    expect(res.stderr).toContain('CHAIN_RPC_URL');
  });
});

async function fetchBlockNumber(rpcUrl: string): Promise<number> {
  const res = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }) });
  return Number(((await res.json()) as { result: string }).result);
}
