import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eth } from 'web3';
import { isAlias, isMap, isScalar, parse, parseDocument, YAMLMap } from 'yaml';
import { AnvilProcess } from '../../gateway/src/chain/anvil-process';
import { generateNetwork } from '../../network/lib/network';
import { CONTAINER_PATHS, RPC_HTTP_PORT } from '../../network/lib/node-config';

/**
 * The production deployment cannot run here (no Docker engine), so its files are checked as far
 * as a machine without one allows: docker-compose.yml's topology, the Dockerfile, the build
 * context, and the deployer's command run for real against Anvil.
 */
const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

type Service = Record<string, any>;
type Compose = { services: Record<string, Service>; [key: string]: any };

const COMPOSE_TEXT = read('docker-compose.yml');
const compose = parse(COMPOSE_TEXT, { merge: true }) as Compose;
const VALIDATORS = ['validator1', 'validator2', 'validator3', 'validator4'];
const BESU_NODES = [...VALIDATORS, 'rpcnode'];

/** Compose's variable interpolation (`${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$$`). */
function interpolate(text: string, env: Record<string, string> = {}): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (match, name: string | undefined, op: string | undefined, arg: string) => {
    if (match === '$$') return '$';
    const value = env[name!];
    const unset = value === undefined || (op?.startsWith(':') && value === '');
    if (!unset) return value!;
    if (op?.endsWith('-')) return arg;
    if (op?.endsWith('?')) throw new Error(`required variable ${name}: ${arg}`);
    return '';
  });
}

interface PublishedPort {
  service: string;
  target: number;
  spec: string;
}

/** Every port a service publishes to the host, short (`[ip:][host:]container[/proto]`) or long syntax. */
function publishedPorts(services: Record<string, Service>): PublishedPort[] {
  return Object.entries(services).flatMap(([service, definition]) =>
    ((definition.ports ?? []) as unknown[]).map((entry) => {
      if (typeof entry === 'object' && entry !== null) {
        return { service, target: Number((entry as { target: unknown }).target), spec: JSON.stringify(entry) };
      }
      const spec = interpolate(String(entry));
      const container = spec.replace(/\/(tcp|udp|sctp)$/, '').split(':').at(-1)!;
      return { service, target: Number(container.split('-')[0]), spec };
    }),
  );
}

/** What must never reach the host: Besu RPC/WS/GraphQL, Kubo's API, Postgres, anything but the gateway's 3000. */
function portViolations(services: Record<string, Service>): string[] {
  const violations = publishedPorts(services)
    .filter((port) => !(port.service === 'gateway' && port.target === 3000))
    .map((port) => `${port.service} publishes ${port.spec}`);
  for (const [name, service] of Object.entries(services)) {
    if (service.network_mode === 'host') violations.push(`${name} uses the host's network`);
  }
  return violations;
}

const healthTest = (service: Service): string => {
  expect(service.healthcheck?.disable).not.toBe(true);
  const test = service.healthcheck?.test;
  expect(test).toBeDefined();
  return Array.isArray(test) ? test.join(' ') : String(test);
};

/** `image: name:tag` with an explicit version tag (digits), never `latest` or a bare name. */
const PINNED = /^[a-z0-9][a-z0-9._/-]*:v?\d+(\.\d+)+(-[a-z0-9.]+)*(@sha256:[0-9a-f]{64})?$/;

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('runs four validators, one RPC node, Postgres, Kubo, the deployer and the gateway', () => {
    expect(Object.keys(services).sort()).toEqual([...VALIDATORS, 'deployer', 'gateway', 'kubo', 'postgres', 'rpcnode'].sort());
  });

  it('builds every Besu node from the one x-besu anchor', () => {
    const doc = parseDocument(COMPOSE_TEXT, { merge: true });
    const serviceNodes = doc.get('services', true) as unknown as YAMLMap;
    for (const name of BESU_NODES) {
      const node: unknown = serviceNodes.get(name, true);
      if (!isMap(node)) throw new Error(`services.${name} is not a mapping`);
      const merges = node.items.filter((pair) => isScalar(pair.key) && String(pair.key.value).includes('<<'));
      expect(merges.map((pair) => (isAlias(pair.value) ? pair.value.source : 'not an alias'))).toEqual(['besu']);
    }
    const [first, ...rest] = VALIDATORS.map((name) => services[name]);
    for (const other of [...rest, services.rpcnode]) {
      expect(other.image).toBe(first.image);
      expect(other.command).toEqual(first.command);
      expect(other.configs).toEqual(first.configs);
    }
    for (const other of rest) expect(other.healthcheck).toEqual(first.healthcheck);
    // Every other path is in the generated config.toml.
    expect(first.command).toEqual([`--config-file=${CONTAINER_PATHS.configFile}`]);
  });

  it('mounts the shared chain files where the generated config.toml looks for them', () => {
    const targets = Object.fromEntries((services.validator1.configs as { source: string; target: string }[]).map((c) => [c.target, compose.configs[c.source].file]));
    expect(targets).toEqual({
      [CONTAINER_PATHS.genesis]: './network/generated/genesis.json',
      [CONTAINER_PATHS.staticNodes]: './network/generated/static-nodes.json',
      [CONTAINER_PATHS.permissions]: './network/generated/permissions_config.toml',
    });
    expect(dirname(CONTAINER_PATHS.configFile)).toBe(dirname(CONTAINER_PATHS.key));
  });

  it('gives each Besu node only its own key directory, read-only, and a data volume of its own', () => {
    const dataVolumes = new Set<string>();
    for (const name of BESU_NODES) {
      const dir = name === 'rpcnode' ? 'rpcnode1' : name;
      const volumes = services[name].volumes as string[];
      expect(volumes).toContain(`./network/generated/${dir}:${dirname(CONTAINER_PATHS.key)}:ro`);
      const data = volumes.find((v) => v.endsWith(`:${CONTAINER_PATHS.data}`))!.split(':')[0];
      expect(Object.keys(compose.volumes)).toContain(data);
      dataVolumes.add(data);
      for (const other of Object.keys(services).filter((s) => s !== name)) {
        expect(JSON.stringify(services[other].volumes ?? [])).not.toContain(`network/generated/${dir}:`);
      }
    }
    expect(dataVolumes.size).toBe(BESU_NODES.length);
    // Shared chain files are public: genesis, static nodes, permissions allowlists.
    expect(Object.values(compose.configs).map((c: any) => c.file).filter(Boolean).sort()).toEqual([
      './network/generated/genesis.json',
      './network/generated/permissions_config.toml',
      './network/generated/static-nodes.json',
    ]);
  });

  it('pins every image to an explicit version, never latest', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(PINNED) });
      expect(service.image).not.toMatch(/:latest\b/);
    }
    // Our own image carries the package version, so a release names what it runs.
    const version = JSON.parse(read('package.json')).version as string;
    expect(services.gateway.image).toBe(`ehrchain-gateway:${version}`);
    expect(services.deployer.image).toBe(services.gateway.image);
    expect(services.deployer.build).toEqual(services.gateway.build);
  });

  it('health-checks every long-running service the way each one reports readiness', () => {
    for (const name of VALIDATORS) expect(healthTest(services[name])).toContain('GET /liveness');
    expect(healthTest(services.rpcnode)).toContain('GET /readiness');
    expect(healthTest(services.postgres)).toContain('pg_isready');
    expect(healthTest(services.kubo)).toMatch(/ipfs .*5001/);
    expect(healthTest(services.gateway)).toContain('/health');
    expect(services.deployer.restart).toBe('no'); // one-shot: it exits, it is not probed
  });

  it('starts each service only after what it needs is healthy or done', () => {
    const condition = (service: string, dependency: string) => services[service].depends_on?.[dependency]?.condition;
    for (const name of VALIDATORS) expect(condition('rpcnode', name)).toBe('service_healthy');
    expect(condition('deployer', 'rpcnode')).toBe('service_healthy');
    expect(condition('gateway', 'deployer')).toBe('service_completed_successfully');
    for (const name of ['rpcnode', 'postgres', 'kubo']) expect(condition('gateway', name)).toBe('service_healthy');
  });

  it('publishes no Besu RPC, Kubo API or Postgres port: only the gateway on 3000', () => {
    expect(portViolations(services)).toEqual([]);
    expect(publishedPorts(services).map((p) => `${p.service}:${p.target}`)).toEqual(['gateway:3000']);
  });

  it.each([
    ['rpcnode', '8545:8545'],
    ['validator2', '127.0.0.1:8546:8546'],
    ['rpcnode', { target: 8547, published: 8547 }],
    ['kubo', '127.0.0.1:5001:5001'],
    ['kubo', '5001'],
    ['postgres', { target: 5432, published: '5432', host_ip: '127.0.0.1' }],
    ['gateway', '8545:8545'],
  ])('would catch %s publishing %j', (name, port) => {
    const mutated = structuredClone(services);
    mutated[name].ports = [...(mutated[name].ports ?? []), port];
    expect(portViolations(mutated)).toHaveLength(1);
  });

  it('would catch a service on the host network', () => {
    const mutated = structuredClone(services);
    mutated.kubo.network_mode = 'host';
    expect(portViolations(mutated)).toEqual(['kubo uses the host\'s network']);
  });

  it('keeps every service but the gateway on an internal network with no route out', () => {
    expect(compose.networks.chain.internal).toBe(true);
    for (const [name, service] of Object.entries(services)) {
      const networks = Array.isArray(service.networks) ? service.networks : Object.keys(service.networks);
      expect({ name, networks }).toEqual({ name, networks: name === 'gateway' ? ['chain', 'edge'] : ['chain'] });
    }
  });

  it('runs Kubo in a private swarm with garbage collection and no public bootstrap', () => {
    const kubo = services.kubo;
    expect(kubo.environment.LIBP2P_FORCE_PNET).toBe('1');
    expect(kubo.command).toContain('--enable-gc');
    expect(kubo.secrets.map((s: { source: string }) => s.source)).toEqual(['ipfs_swarm_key']);
    const init = kubo.configs.find((c: { target: string }) => c.target.startsWith('/container-init.d/'));
    const script = compose.configs[init.source].content as string;
    expect(script).toContain('ipfs bootstrap rm --all');
    expect(script).toMatch(/install -m 0400 \/run\/secrets\/ipfs_swarm_key "\$\$IPFS_PATH\/swarm\.key"/);
    expect(script).toContain("Routing.DelegatedRouters '[]'");
  });

  it('configures the gateway for the compose services and shares its settings with the deployer', () => {
    const env = services.gateway.environment;
    expect(env).toMatchObject({ HOST: '0.0.0.0', CHAIN_RPC_URL: 'http://rpcnode:8545', IPFS_API_URL: 'http://kubo:5001' });
    const database = new URL(interpolate(env.DATABASE_URL, { POSTGRES_PASSWORD: 'pw' }));
    expect({ host: database.hostname, port: database.port, db: database.pathname }).toEqual({ host: 'postgres', port: '5432', db: '/ehrchain' });
    expect(services.postgres.environment).toMatchObject({ POSTGRES_USER: database.username, POSTGRES_DB: 'ehrchain' });
    // Operator-supplied, and the start fails with a message when missing.
    expect(() => interpolate(env.CONSORTIUM_AUTHORITIES)).toThrow(/CONSORTIUM_AUTHORITIES/);
    expect(() => interpolate(env.DATABASE_URL)).toThrow(/POSTGRES_PASSWORD/);
    // Same deployment parameters for the contracts the deployer deploys and the gateway uses.
    expect(services.deployer.environment).toEqual(env);
  });

  it("installs the generated gateway key as $KEYS_DIR/chain-account.key before deploying, for the gateway's use", () => {
    const env = services.gateway.environment;
    expect(compose.secrets.gateway_chain_key.file).toBe('./network/generated/accounts/gateway.key');
    const holders = Object.entries(services).filter(([, s]) => JSON.stringify(s.secrets ?? []).includes('gateway_chain_key'));
    expect(holders.map(([name]) => name)).toEqual(['deployer']);
    const command = (services.deployer.command as string[]).join(' ');
    expect(command).toContain('install -m 600 /run/secrets/gateway_chain_key "$$KEYS_DIR/chain-account.key"');
    expect(command).toContain('exec node dist/gateway/src/deploy.js');
    expect(existsSync(join(ROOT, 'gateway/src/deploy.ts'))).toBe(true);
    for (const name of ['deployer', 'gateway']) {
      expect(services[name].volumes).toEqual(expect.arrayContaining([`gateway-data:${env.DATA_DIR}`, `gateway-keys:${env.KEYS_DIR}`]));
    }
  });

  it('mounts only files the network generator writes, and the RPC node accepts the Host names it is called by', async () => {
    const out = await mkdtemp(join(tmpdir(), 'ehr-compose-network-'));
    try {
      await generateNetwork(
        { validators: 4, rpcNodes: 1, consensus: 'ibft2', chainId: 202611, blockPeriodSeconds: 2, evmVersion: 'cancun', out, force: true },
        () => undefined,
      );
      const sources = [
        ...Object.values(services).flatMap((s) => ((s.volumes ?? []) as string[]).map((v) => v.split(':')[0])),
        ...Object.values(compose.configs).map((c: any) => c.file),
        ...Object.values(compose.secrets).map((c: any) => c.file),
      ].filter((source): source is string => typeof source === 'string' && source.startsWith('./network/generated/'));
      expect(sources.length).toBe(BESU_NODES.length + 5);
      for (const source of sources) expect({ source, exists: existsSync(join(out, source.slice('./network/generated/'.length))) }).toEqual({ source, exists: true });

      const allowedHosts = (node: string) => JSON.parse(readFileSync(join(out, node, 'config.toml'), 'utf8').match(/^host-allowlist=(.*)$/m)![1]) as string[];
      // CHAIN_RPC_URL inside compose, and the loopback address of the test override.
      expect(allowedHosts('rpcnode1')).toEqual(expect.arrayContaining([new URL(services.gateway.environment.CHAIN_RPC_URL).hostname, '127.0.0.1']));
      // The health checks ask each node at localhost on the RPC port.
      for (const node of ['validator1', 'rpcnode1']) {
        const toml = readFileSync(join(out, node, 'config.toml'), 'utf8');
        expect(toml).toMatch(/^rpc-http-enabled=true$/m);
        expect(toml).toContain(`rpc-http-port=${RPC_HTTP_PORT}`);
        expect(allowedHosts(node)).toContain('localhost');
      }
      expect(healthTest(services.validator1)).toContain(`/dev/tcp/127.0.0.1/${RPC_HTTP_PORT}`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('has a test override that publishes only the RPC node, on loopback', () => {
    const override = parse(read('docker-compose.test.yml')) as Compose;
    expect(Object.keys(override.services)).toEqual(['rpcnode']);
    expect(publishedPorts(override.services)).toEqual([{ service: 'rpcnode', target: 8545, spec: '127.0.0.1:18545:8545' }]);
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args = Object.fromEntries(lines.filter((l) => /^ARG \w+=/.test(l)).map((l) => l.slice(4).split('=') as [string, string]));
  const stages: { image: string; name?: string; lines: string[] }[] = [];
  for (const line of lines) {
    const from = line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
    if (from) stages.push({ image: from[1].replace(/\$\{(\w+)\}/g, (_, name: string) => args[name]), name: from[2], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  const runtime = stages.at(-1)!;

  it('builds in stages from a pinned Node image: npm ci and the build in one, production dependencies in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toMatch(PINNED);
    const build = stages.find((s) => s.lines.some((l) => l.includes('npm run build')))!;
    expect(build.lines.some((l) => /npm ci\b/.test(l))).toBe(true);
    expect(build).not.toBe(runtime);
    expect(stages.some((s) => s.lines.some((l) => /npm ci\b.*--omit=dev/.test(l)))).toBe(true);
    expect(runtime.lines.filter((l) => /^RUN .*npm (ci|install)/.test(l))).toEqual([]);
  });

  it('runs the gateway as a non-root user, with a health check on /health and port 3000', () => {
    const users = runtime.lines.filter((l) => l.startsWith('USER '));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|$)/);
    expect(runtime.lines.find((l) => l.startsWith('HEALTHCHECK'))).toContain('/health');
    expect(runtime.lines).toContain('EXPOSE 3000');
    expect(runtime.lines.find((l) => l.startsWith('CMD'))).toContain('dist/gateway/src/main.js');
  });

  it('copies only what the image needs: no secrets or local state enter the build context', () => {
    const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(patterns[0]).toBe('*'); // allowlist: everything is excluded unless named
    const included = patterns.filter((p) => p.startsWith('!'));
    for (const secret of ['network', '.env', 'data', 'node_modules', 'dist']) {
      expect(included.filter((p) => p.slice(1).replace(/^\//, '').startsWith(secret))).toEqual([]);
    }
    // Everything the build stage COPYs from the context is allowed in.
    const copied = stages.flatMap((s) => s.lines).filter((l) => /^COPY (?!--from)/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const source of copied) expect(included.map((p) => p.slice(1).replace(/\/$/, ''))).toContain(source.replace(/\/$/, ''));
  });
});

describe('deployer (node dist/gateway/src/deploy.js, as the compose service runs it)', () => {
  const DEPLOY_JS = join(ROOT, 'dist', 'gateway', 'src', 'deploy.js');
  const authorities = [1, 2, 3].map(() => eth.accounts.privateKeyToAddress(`0x${randomBytes(32).toString('hex')}`));
  let anvil: AnvilProcess;
  let dir: string;

  beforeAll(async () => {
    anvil = await AnvilProcess.start({ port: 0, chainId: 202611, blockTimeSeconds: 0 });
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
    expect(deployments.chainId).toBe(202611);
    expect(Object.keys(deployments.contracts).sort()).toEqual(['AccessLog', 'ConsentManager', 'ConsortiumRegistry', 'EmergencyAccess', 'RecordAnchors']);
    const ready = first.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.event === 'contracts_ready');
    expect(ready.contracts.RecordAnchors).toBe(deployments.contracts.RecordAnchors.address);

    const before = await fetchBlockNumber(anvil.rpcUrl);
    const second = await deploy(env);
    expect(second).toMatchObject({ code: 0 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(deployments);
    expect(await fetchBlockNumber(anvil.rpcUrl)).toBe(before); // not one transaction
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
