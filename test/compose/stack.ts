import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as compose from 'docker-compose';
import { DockerComposeEnvironment, getContainerRuntimeClient, StartedDockerComposeEnvironment, Wait } from 'testcontainers';
import { DEFAULT_TOPOLOGY, main as generateNetwork } from '../../network/generate';
import { RPC_HTTP_PORT } from '../../network/lib/node-config';
import { testOverride } from './override';
import { rpcCommand, rpcResult } from './rpc-in-container';

/**
 * The deployment `npm run test:compose` brings up: the committed docker-compose.yml over
 * network/generated (generated here when missing), or any folder the generator wrote
 * (EHR_COMPOSE_NETWORK=DIR: its own docker-compose.yml and network.json), so every topology
 * the generator accepts can be run. testcontainers brings it up and down; the docker-compose
 * package stops and restarts single services.
 */
const ROOT = join(__dirname, '..', '..');
const execFileP = promisify(execFile);

export interface NodeEntry {
  name: string;
  host: string;
  address: string;
  servesGateway: boolean;
}

export interface StackTarget {
  /** The folder of docker-compose.yml: compose's project directory. */
  composeDir: string;
  networkDir: string;
  /** network.json: what the generator made. */
  network: { consensus: string; chainId: number; subnet: string; validators: NodeEntry[]; rpcNodes: NodeEntry[] };
}

/**
 * Where the stack comes from; generates the default network when it is missing, and hands the
 * network files to uid 1000 (Besu, Kubo and the gateway read the 0600 files as their images' user).
 */
export async function stackTarget(): Promise<StackTarget> {
  const given = process.env.EHR_COMPOSE_NETWORK;
  const composeDir = given ? resolve(process.env.INIT_CWD ?? process.cwd(), given) : ROOT;
  const networkDir = given ? composeDir : join(ROOT, 'network', 'generated');
  const networkJson = join(networkDir, 'network.json');
  if (!existsSync(networkJson)) {
    if (given) throw new Error(`${networkJson} is missing: EHR_COMPOSE_NETWORK names a folder that npm run network:generate wrote`);
    const code = await generateNetwork(['--out', networkDir, '--force']);
    if (code !== 0) throw new Error(`npm run network:generate failed (exit ${code})`);
  }
  const network = JSON.parse(readFileSync(networkJson, 'utf8')) as StackTarget['network'];
  if (![...network.validators, ...network.rpcNodes].some((n) => n.servesGateway)) {
    throw new Error(`${networkJson} predates fixed addresses: regenerate it (npm run network:generate -- --out ${networkDir} --force)`);
  }
  const shape = { validators: network.validators.length, rpcNodes: network.rpcNodes.length, subnet: network.subnet };
  if (!given && (Object.keys(shape) as (keyof typeof shape)[]).some((key) => shape[key] !== DEFAULT_TOPOLOGY[key])) {
    throw new Error(
      `${networkDir} holds ${JSON.stringify(shape)}, not the default topology the top-level docker-compose.yml runs: ` +
        `run its own compose file (EHR_COMPOSE_NETWORK=${networkDir} npm run test:compose) or regenerate the default`,
    );
  }
  // Besu, Kubo and the gateway read the 0600 files as uid 1000, their images' user; so does this suite (the deployer key).
  const uid = process.getuid?.();
  if (uid === 0) await execFileP('chown', ['-R', '1000:1000', networkDir]);
  else if (uid !== 1000) throw new Error(`test:compose runs as root or as uid 1000 (the containers read the 0600 network files as uid 1000), not as uid ${uid}`);
  return { composeDir, networkDir, network };
}

/** The node the gateway's CHAIN_RPC_URL names: its JSON-RPC is published on loopback for the suite on this host. */
export const gatewayNode = (target: StackTarget): NodeEntry => [...target.network.rpcNodes, ...target.network.validators].find((n) => n.servesGateway)!;

/** Docker networks whose IPAM holds `cidr` (Docker refuses a second network on the same pool). */
async function networksUsing(cidr: string): Promise<string[]> {
  const ids = (await execFileP('docker', ['network', 'ls', '-q'])).stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const lines = (await execFileP('docker', ['network', 'inspect', '--format', '{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}', ...ids])).stdout.split('\n');
  return lines.map((line) => line.trim().split(/\s+/)).filter(([, ...subnets]) => subnets.includes(cidr)).map(([name]) => name);
}

export class ComposeStack {
  private constructor(
    readonly target: StackTarget,
    private readonly started: StartedDockerComposeEnvironment,
    private readonly options: compose.IDockerComposeOptions,
    readonly projectName: string,
  ) {}

  /** Brings the whole stack up (build included) and waits for every health check and the deployer's exit. */
  static async up(target: StackTarget, env: Record<string, string>): Promise<ComposeStack> {
    const override = join(await mkdtemp(join(tmpdir(), 'ehr-compose-')), 'docker-compose.test.yml');
    await writeFile(override, testOverride(gatewayNode(target)));
    const files = [join(target.composeDir, 'docker-compose.yml'), override];
    const taken = await networksUsing(target.network.subnet);
    if (taken.length > 0) {
      throw new Error(`Docker network ${taken.join(', ')} already uses ${target.network.subnet}: stop that stack first, or run a network generated with another --subnet (EHR_COMPOSE_NETWORK)`);
    }
    const projectName = `ehrchain-test-${randomBytes(4).toString('hex')}`;
    const started = await new DockerComposeEnvironment(target.composeDir, files)
      .withProjectName(projectName)
      .withBuild()
      .withEnvironment(env)
      // Every running service has a health check. The one-shot deployer has exited by then: compose
      // itself fails `up` unless it exited 0 (the gateway depends on it: service_completed_successfully).
      .withDefaultWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(15 * 60_000)
      .up();
    const options: compose.IDockerComposeOptions = { cwd: target.composeDir, config: files, composeOptions: [['-p', projectName]], env: { ...process.env, ...env } };
    return new ComposeStack(target, started, options, projectName);
  }

  /** Stops (not removes) one service's container: its chain data stays. */
  async stop(service: string): Promise<void> {
    await compose.stopOne(service, this.options);
  }

  /** Starts a stopped service again (`docker compose restart` starts a stopped container). */
  async start(service: string): Promise<void> {
    await compose.restartOne(service, this.options);
  }

  /** JSON-RPC to a Besu node from inside its container (no validator publishes a port). */
  async rpc<T>(service: string, method: string, params: unknown[] = []): Promise<T> {
    const result = await this.started.getContainer(`${service}-1`).exec(rpcCommand(RPC_HTTP_PORT, method, params));
    if (result.exitCode !== 0) throw new Error(`${service}: ${method} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    return rpcResult<T>(result.stdout);
  }

  async head(service: string): Promise<number> {
    return Number(await this.rpc<string>(service, 'eth_blockNumber'));
  }

  async blockHash(service: string, height: number): Promise<string | undefined> {
    return (await this.rpc<{ hash: string } | null>(service, 'eth_getBlockByNumber', [`0x${height.toString(16)}`, false]))?.hash;
  }

  /** The host port a service publishes for `port`. */
  mappedPort(service: string, port: number): number {
    return this.started.getContainer(`${service}-1`).getMappedPort(port);
  }

  /** Every container of the project with the ports it publishes on the host. */
  async publishedPorts(): Promise<Record<string, number[]>> {
    const client = await getContainerRuntimeClient();
    const containers = (await client.container.list()).filter((c) => c.Labels['com.docker.compose.project'] === this.projectName);
    return Object.fromEntries(
      containers.map((c) => [c.Labels['com.docker.compose.service'], c.Ports.filter((p) => p.PublicPort !== undefined).map((p) => p.PrivatePort)]),
    );
  }

  async down(): Promise<void> {
    await this.started.down({ removeVolumes: true });
  }
}
