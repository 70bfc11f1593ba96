import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eth } from 'web3';
import { AnvilProcess } from '../../gateway/src/chain/anvil-process';
import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import type { ConsortiumAt } from '../../gateway/src/consortium/admission';
import { dropTestSchema } from './database';
import { freePort, spawnGateway, SpawnedGateway } from './spawn';
import { NETWORK_TEST_CHAIN_ID } from './test-app';

const BANNER = /EHRChain gateway is running/;
const BOOT_MS = 60_000;

/**
 * The compiled gateway (`npm start`'s main.js) as a child process on a chain that runs apart from
 * it, as Besu does: a test can kill the gateway (SIGKILL) at any point, hold blocks back (automine
 * off), and start it again on the same data directory, database schema and chain. The three
 * authorities' keys are the test's, so it can govern the consortium as authorities do.
 */
export class GatewayOnAnvil {
  readonly authorityKeys = [1, 2, 3].map(() => `0x${randomBytes(32).toString('hex')}`);
  readonly threshold = 2;
  gateway: SpawnedGateway | undefined;
  node!: NodeRpc;
  port!: number;
  private anvil!: AnvilProcess;
  private dataDir!: string;
  private readonly databaseUrl = process.env.DATABASE_URL || undefined;
  private readonly database = { url: this.databaseUrl, schema: this.databaseUrl ? `t_${randomBytes(6).toString('hex')}` : 'public', pgliteDir: '' };

  /** Starts the chain and the gateway's first run; the bootstrap administrator's password. */
  async begin(): Promise<string> {
    this.anvil = await AnvilProcess.start({ port: 0, chainId: NETWORK_TEST_CHAIN_ID, blockTimeSeconds: 0 });
    this.node = new NodeRpc(this.anvil.rpcUrl);
    this.dataDir = await mkdtemp(join(tmpdir(), 'ehr-crash-'));
    this.port = await freePort();
    const first = await this.start();
    return first.stdout().match(/\n\s+password\s+(\S+)\n/)![1]!;
  }

  get rpcUrl(): string {
    return this.anvil.rpcUrl;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<SpawnedGateway> {
    this.gateway = spawnGateway({
      DATA_DIR: this.dataDir,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      CHAIN_RPC_URL: this.anvil.rpcUrl,
      CONSORTIUM_AUTHORITIES: this.authorityKeys.map((key) => eth.accounts.privateKeyToAddress(key)).join(','),
      OUTBOX_INTERVAL_MS: '100',
      LOG_LEVEL: 'info',
      ...(this.databaseUrl ? { DATABASE_SCHEMA: this.database.schema } : {}),
    });
    await this.gateway.waitForStdout(BANNER, BOOT_MS);
    return this.gateway;
  }

  /** SIGKILL: no shutdown hook runs, as when a machine loses power. */
  async kill(): Promise<void> {
    this.gateway!.child.kill('SIGKILL');
    await this.gateway!.exited;
  }

  async end(): Promise<void> {
    await this.gateway?.stop(5_000);
    await this.anvil?.stop();
    await dropTestSchema(this.database);
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** An HTTP call to the gateway, its status and JSON body. */
  async call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, any> }> {
    const res = await fetch(`${this.baseUrl}${path}`, init);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  /** Headers for a JSON request signed in as `username`. */
  async signedIn(username: string, password: string): Promise<{ authorization: string; 'content-type': string }> {
    const { body } = await this.call('/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return { authorization: `Bearer ${body.accessToken}`, 'content-type': 'application/json' };
  }

  /** The consortium as its authorities (this test's keys) reach it. */
  async consortium(): Promise<ConsortiumAt> {
    return { rpcUrl: this.rpcUrl, registry: (await this.deployments()).ConsortiumRegistry!.address, authorityKeys: this.authorityKeys, threshold: this.threshold };
  }

  /** The contracts the gateway deployed on its first start. */
  async deployments(): Promise<Record<string, { address: string }>> {
    return JSON.parse(await readFile(join(this.dataDir, 'chain', 'deployments.json'), 'utf8')).contracts;
  }

  async gatewayAddress(): Promise<string> {
    return eth.accounts.privateKeyToAddress((await readFile(join(this.dataDir, 'keys', 'chain-account.key'), 'utf8')).trim());
  }

  /** Transactions the gateway's key has sent (its nonce). */
  async gatewayNonce(): Promise<number> {
    return Number(BigInt(await this.node.call<string>('eth_getTransactionCount', [await this.gatewayAddress(), 'latest'])));
  }
}
