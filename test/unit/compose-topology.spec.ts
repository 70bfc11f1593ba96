import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TOPOLOGY } from '../../network/generate';
import { composeTopology, renderCompose } from '../../network/lib/compose';
import { generateNetwork, NetworkSummary } from '../../network/lib/network';
import { DEFAULT_SUBNET, parseSubnet } from '../../network/lib/subnet';
import { MAX_RPC_NODES, MAX_VALIDATORS, NodePlace, planNodes } from '../../network/lib/topology';
import { composeProblems, healthTest, loadCompose, parseToml } from './compose-support';

/**
 * What the generator makes is what compose runs: for a topology, the generated folder's
 * docker-compose.yml runs exactly its nodes, at the addresses their enodes, static nodes and
 * allowlists name, with the gateway pointed at the right nodes, wherever the folder is.
 */
const ROOT = join(__dirname, '..', '..');

const toml = parseToml;

interface Generated {
  out: string;
  summary: NetworkSummary;
  nodes: NodePlace[];
  text: string;
}

async function generate(base: string, name: string, validators: number, rpcNodes: number, subnet = DEFAULT_SUBNET, chainId = 4242): Promise<Generated> {
  const out = join(base, name);
  const parsed = parseSubnet(subnet);
  const summary = await generateNetwork(
    { validators, rpcNodes, consensus: 'qbft', chainId, blockPeriodSeconds: 2, evmVersion: 'cancun', subnet: parsed, out, force: false },
    () => undefined,
  );
  return { out, summary, nodes: planNodes(validators, rpcNodes, parsed), text: await readFile(join(out, 'docker-compose.yml'), 'utf8') };
}

describe('the docker-compose.yml the generator writes', () => {
  // Outside the repository, as an operator's --out /srv/ehrchain/network would be.
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'ehr-compose-topology-'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  describe('for 7 validators and 2 RPC nodes, written outside the repository', () => {
    let net: Generated;
    beforeAll(async () => {
      net = await generate(base, 'seven', 7, 2, '10.77.0.0/16');
    });

    it('passes the static check with every file it mounts present, and builds the gateway from the repository', () => {
      expect(composeProblems(net.text, { nodes: net.nodes, subnet: parseSubnet('10.77.0.0/16'), composeDir: net.out, filesExist: true })).toEqual([]);
      const compose = loadCompose(net.text);
      expect(compose.services.validator7.volumes[0]).toBe('./validator7:/opt/besu/node:ro');
      expect(compose.configs['besu-genesis'].file).toBe('./genesis.json');
      expect(join(net.out, compose.services.deployer.build.context)).toBe(ROOT);
    });

    it('runs 7 + 2 Besu services at distinct fixed addresses, the very ones static-nodes.json and the allowlist name', async () => {
      const services = loadCompose(net.text).services;
      const besu = net.nodes.map((n) => n.host);
      expect(besu).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `validator${i}`).concat(['rpcnode1', 'rpcnode2']));
      const addresses = besu.map((host) => services[host].networks.chain.ipv4_address as string);
      expect(new Set(addresses).size).toBe(9);
      const staticNodes = JSON.parse(await readFile(join(net.out, 'static-nodes.json'), 'utf8')) as string[];
      expect(staticNodes.map((enode) => enode.split('@')[1])).toEqual(addresses.map((ip) => `${ip}:30303`));
      const allowlist = toml(await readFile(join(net.out, 'permissions_config.toml'), 'utf8'));
      expect(allowlist['nodes-allowlist']).toEqual(staticNodes);
      for (const [i, node] of net.nodes.entries()) {
        const config = toml(readFileSync(join(net.out, node.name, 'config.toml'), 'utf8'));
        expect({ node: node.name, p2pHost: config['p2p-host'] }).toEqual({ node: node.name, p2pHost: addresses[i] });
        const pub = readFileSync(join(net.out, node.name, 'key.pub'), 'utf8').slice(2);
        expect(staticNodes[i]).toBe(`enode://${pub}@${addresses[i]}:30303`);
        expect(Object.keys(config).filter((key) => /^xdns/i.test(key))).toEqual([]);
      }
      expect(net.summary.validators.map((v) => v.ip)).toEqual(addresses.slice(0, 7));
      expect(net.summary.subnet).toBe('10.77.0.0/16');
    });

    it('points the gateway at an RPC node that serves it and at every validator, each of which accepts the call', () => {
      const env = loadCompose(net.text).services.gateway.environment;
      const allowed = (name: string) => toml(readFileSync(join(net.out, name, 'config.toml'), 'utf8'));
      const endpoint = allowed('rpcnode1');
      expect(endpoint['host-allowlist']).toContain(new URL(env.CHAIN_RPC_URL).hostname);
      expect(endpoint['rpc-http-api']).toEqual(['ETH', 'NET', 'WEB3', 'QBFT', 'TXPOOL']);
      const urls = (env.VALIDATOR_RPC_URLS as string).split(',').map((u) => new URL(u));
      expect(urls.map((u) => u.hostname)).toEqual(net.summary.validators.map((v) => v.host));
      for (const url of urls) {
        const config = allowed(url.hostname);
        expect({ host: url.hostname, api: config['rpc-http-api'], allowed: (config['host-allowlist'] as string[]).includes(url.hostname), port: config['rpc-http-port'] })
          .toEqual({ host: url.hostname, api: ['ETH', 'NET', 'QBFT'], allowed: true, port: Number(url.port) });
      }
      expect(net.summary.validators.map((v) => v.rpcUrl)).toEqual(urls.map((u) => u.href.replace(/\/$/, '')));
    });
  });

  it.each([
    [1, 'rpcnode', 'rpcnode1'],
    [0, 'validator1', 'validator1'],
  ])('with %i RPC node(s), serves the gateway from the service %s (directory %s) with the full API and a readiness check', async (rpcNodes, service, dir) => {
    const net = await generate(base, `rpc${rpcNodes}`, 4, rpcNodes);
    const compose = loadCompose(net.text);
    expect(Object.keys(compose.services).filter((s) => /^(validator|rpcnode)/.test(s))).toEqual(['validator1', 'validator2', 'validator3', 'validator4', ...(rpcNodes ? ['rpcnode'] : [])]);
    expect(compose.services.gateway.environment.CHAIN_RPC_URL).toBe(`http://${service}:8545`);
    expect(healthTest(compose.services[service])).toContain('GET /readiness?minPeers=1 ');
    expect(compose.services[service].volumes[0]).toBe(`./${dir}:/opt/besu/node:ro`);
    const config = toml(readFileSync(join(net.out, dir, 'config.toml'), 'utf8'));
    expect(config).toMatchObject({ 'rpc-http-api': ['ETH', 'NET', 'WEB3', 'QBFT', 'TXPOOL'], 'revert-reason-enabled': true });
    expect(config['host-allowlist']).toContain(service);
    expect(composeProblems(net.text, { nodes: net.nodes, subnet: parseSubnet(DEFAULT_SUBNET), composeDir: net.out, filesExist: true })).toEqual([]);
  });

  it('for the defaults, runs what the committed top-level file runs (only the paths differ)', async () => {
    const { validators, rpcNodes, subnet } = DEFAULT_TOPOLOGY;
    const net = await generate(base, 'defaults', validators, rpcNodes, subnet);
    const generated = loadCompose(net.text);
    const committed = loadCompose(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').replaceAll('./network/generated/', './'));
    // The one path outside the network folder: the repository, for the gateway's image.
    expect(join(net.out, generated['x-gateway-build'].context)).toBe(join(ROOT, committed['x-gateway-build'].context));
    generated['x-gateway-build'].context = committed['x-gateway-build'].context;
    expect(generated).toEqual(committed);
  });

  // Every value of each option at the extremes of the other (the full grid renders the same way).
  const grid: Array<[number, number, string]> = [];
  for (let v = 1; v <= MAX_VALIDATORS; v++) for (const r of [0, 1, 2, MAX_RPC_NODES]) grid.push([v, r, DEFAULT_SUBNET]);
  for (let r = 0; r <= MAX_RPC_NODES; r++) for (const v of [1, 4, 7, MAX_VALIDATORS]) grid.push([v, r, '192.168.77.0/24']);

  it(`passes the static check for every topology the generator accepts (${grid.length} renderings)`, () => {
    const composeDir = join(tmpdir(), 'anywhere', 'network');
    const failures: string[] = [];
    for (const [validators, rpcNodes, cidr] of grid) {
      const subnet = parseSubnet(cidr);
      const topology = composeTopology({ validators, rpcNodes, subnet });
      const text = renderCompose(topology, { composeDir, networkDir: composeDir, repoRoot: ROOT, generatedBy: 'test', usage: [] });
      const problems = composeProblems(text, { ...topology, composeDir, filesExist: false });
      if (problems.length > 0) failures.push(`${validators}+${rpcNodes} on ${cidr}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});
