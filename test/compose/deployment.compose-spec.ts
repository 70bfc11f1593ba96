import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { IMAGES } from '../../network/lib/images';
import { RPC_HTTP_PORT } from '../../network/lib/node-config';
import { eventually } from '../support/eventually';
import { KUBO_API_PORT } from './override';
import { ComposeStack, gatewayNode, StackTarget, stackTarget } from './stack';

/**
 * The deployment on a real Docker engine: the generated topology comes up (peering by fixed
 * address, in any start order), the gateway answers, only its port reaches the host, the
 * end-to-end suite passes with Besu as its chain, and the validators tolerate what BFT promises:
 * f = floor((N-1)/3) stopped, blocks still come; f + 1 stopped, the chain halts without forking
 * and recovers when they return. The tests run in the order written.
 */
const ROOT = join(__dirname, '..', '..');
const execFileP = promisify(execFile);
const MINUTE = 60_000;

describe('the docker compose deployment', () => {
  let target: StackTarget;
  let stack: ComposeStack;
  let env: Record<string, string>;
  let validators: string[];
  let timing: { blockPeriodSeconds: number; requestTimeoutSeconds: number };

  beforeAll(async () => {
    target = await stackTarget();
    validators = target.network.validators.map((v) => v.host);
    const genesis = JSON.parse(readFileSync(join(target.networkDir, 'genesis.json'), 'utf8')) as { config: Record<string, unknown> };
    const bft = (genesis.config.ibft2 ?? genesis.config.qbft) as { blockperiodseconds: number; requesttimeoutseconds: number };
    timing = { blockPeriodSeconds: bft.blockperiodseconds, requestTimeoutSeconds: bft.requesttimeoutseconds };
    env = {
      POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
      // Any authorities will do: the consortium's k-of-n governance is proven by the contract tests.
      CONSORTIUM_AUTHORITIES: target.network.validators.map((v) => v.address).join(','),
      GATEWAY_BIND: '127.0.0.1',
      GATEWAY_PORT: process.env.GATEWAY_PORT ?? '3000',
    };
    // Ryuk, testcontainers' reaper, would remove a kept stack once this process exits.
    if (process.env.KEEP_STACK === '1') process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    process.stdout.write(`test:compose: ${validators.length} validators, ${target.network.rpcNodes.length} RPC nodes from ${target.networkDir}\n`);
    stack = await ComposeStack.up(target, env);
  }, 20 * MINUTE);

  afterAll(async () => {
    if (process.env.KEEP_STACK === '1') process.stdout.write(`KEEP_STACK=1: project ${stack?.projectName} still runs (docker compose -p … down -v)\n`);
    else await stack?.down();
  }, 5 * MINUTE);

  it('peers every node by fixed address: each sees all the others, and all agree on the head block', async () => {
    const peers = validators.length + target.network.rpcNodes.length - 1;
    for (const node of [...validators, ...target.network.rpcNodes.map((n) => n.host)]) {
      await eventually(async () => expect(Number(await stack.rpc<string>(node, 'net_peerCount'))).toBe(peers), { timeoutMs: 2 * MINUTE, intervalMs: 2000 });
    }
    const height = (await stack.head(validators[0])) - 1;
    const hashes = await Promise.all(validators.map((v) => stack.blockHash(v, height)));
    expect(new Set(hashes).size).toBe(1);
  });

  it('publishes only the gateway on the host (and, under this test only, its chain node and Kubo on loopback)', async () => {
    const published = await stack.publishedPorts();
    const expected: Record<string, number[]> = Object.fromEntries(Object.keys(published).map((service) => [service, []]));
    expected.gateway = [3000];
    expected[gatewayNode(target).host] = [RPC_HTTP_PORT];
    expected.kubo = [KUBO_API_PORT];
    expect(published).toEqual(expected);
    const health = await fetch(`http://127.0.0.1:${env.GATEWAY_PORT}/health`);
    expect(health.status).toBe(200);
  });

  it('runs the pinned images, and says what their tags resolve to today', async () => {
    for (const image of Object.values(IMAGES)) {
      const pinned = (await execFileP('docker', ['image', 'inspect', '--format', '{{.Id}}', image.ref])).stdout.trim();
      expect(pinned).toMatch(/^sha256:/);
      const tag = image.ref.split('@')[0];
      const now = await execFileP('docker', ['buildx', 'imagetools', 'inspect', '--format', '{{json .Manifest.Digest}}', tag]).then(
        (r) => JSON.parse(r.stdout) as string,
        (error: Error) => `unknown (${error.message.split('\n')[0]})`,
      );
      process.stdout.write(`${tag}: pinned ${image.ref.split('@')[1]}, the tag resolves to ${now} today\n`);
    }
  });

  it('passes the IPFS store suite with its Kubo, as the embedded store does', async () => {
    const child = spawn('npm', ['run', 'test:unit', '--', 'gateway/src/ipfs/kubo-ipfs.store.spec.ts'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, KUBO_TEST_API_URL: `http://127.0.0.1:${stack.mappedPort('kubo', KUBO_API_PORT)}` },
    });
    expect(await new Promise<number | null>((resolve) => child.once('close', resolve))).toBe(0);
  }, 10 * MINUTE);

  it('passes the end-to-end suite with Besu as its chain', async () => {
    const chainUrl = `http://127.0.0.1:${stack.mappedPort(gatewayNode(target).host, RPC_HTTP_PORT)}`;
    // In band: every test gateway signs with the one allowlisted deployer key, so parallel workers would race for nonces.
    const child = spawn('npm', ['test', '--', '--selectProjects', 'e2e', '--runInBand'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        CHAIN_RPC_URL: chainUrl,
        E2E_CHAIN_KEY_FILE: join(target.networkDir, 'accounts', 'deployer.key'),
        E2E_EXPECT_CONSENSUS: target.network.consensus,
        CONSORTIUM_AUTHORITIES: env.CONSORTIUM_AUTHORITIES,
      },
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
  }, 45 * MINUTE);

  describe('Byzantine fault tolerance', () => {
    const f = () => Math.floor((validators.length - 1) / 3);
    /** Long enough for several block periods and round changes: a live chain makes blocks in it. */
    const haltWindowMs = () => Math.max(30_000, 4 * (timing.blockPeriodSeconds + timing.requestTimeoutSeconds) * 1000);

    it('keeps making blocks with f validators stopped', async () => {
      for (const v of validators.slice(validators.length - f())) await stack.stop(v);
      const from = await stack.head(validators[0]);
      await eventually(async () => expect(await stack.head(validators[0])).toBeGreaterThanOrEqual(from + 3), { timeoutMs: 3 * MINUTE, intervalMs: 1000 });
    }, 5 * MINUTE);

    it('halts without forking with f + 1 stopped, and recovers when they return', async () => {
      const stopped = validators.slice(validators.length - f() - 1);
      const running = validators.slice(0, validators.length - f() - 1);
      await stack.stop(stopped[0]);
      // A block already agreed on may still land; then nothing more.
      await sleep((timing.blockPeriodSeconds + timing.requestTimeoutSeconds) * 1000);
      const halted = await stack.head(running[0]);
      await sleep(haltWindowMs());
      for (const v of running) expect(await stack.head(v)).toBe(halted);
      const hashAtHalt = await stack.blockHash(running[0], halted);
      for (const v of running) expect(await stack.blockHash(v, halted)).toBe(hashAtHalt);

      for (const v of stopped) await stack.start(v);
      // Round-change timers doubled while halted: give the returning validators time to agree on a round.
      await eventually(async () => expect(await stack.head(running[0])).toBeGreaterThanOrEqual(halted + 3), { timeoutMs: 10 * MINUTE, intervalMs: 2000 });
      for (const v of validators) {
        await eventually(async () => expect(await stack.head(v)).toBeGreaterThanOrEqual(halted + 1), { timeoutMs: 3 * MINUTE, intervalMs: 2000 });
        expect(await stack.blockHash(v, halted)).toBe(hashAtHalt);
        expect(await stack.blockHash(v, halted + 1)).toBe(await stack.blockHash(running[0], halted + 1));
      }
    }, 20 * MINUTE);
  });
});
