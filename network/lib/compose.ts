import { relative } from 'node:path';
import { besuService, createAnchors, dataVolume, gatewayServices, kuboInitScript, kuboService, postgresService } from './compose-services';
import { RPC_HTTP_PORT } from './node-config';
import { dynamicRange, gatewayAddress, parseSubnet, Subnet } from './subnet';
import { NodePlace, planNodes } from './topology';
import { note, renderYaml, section } from './yaml-builder';

/**
 * docker-compose.yml, rendered from the same topology as the keys, genesis and node configs, so
 * what the generator makes is what compose runs: one Besu service per node with its fixed
 * address, the gateway pointed at the node that serves it and at every validator.
 */

export interface ComposeTopology {
  subnet: Subnet;
  /** validator1..N then the RPC nodes, as planNodes returns them. */
  nodes: readonly NodePlace[];
}

export interface ComposeLayout {
  /** Directory the compose file is written to: every path in it is relative to this one. */
  composeDir: string;
  /** The generated network folder (keys, genesis.json, configs). */
  networkDir: string;
  /** The repository: the gateway image's build context. */
  repoRoot: string;
  /** The command that wrote the file, named in its first line. */
  generatedBy: string;
  /** How to start it, for the header (one line each). */
  usage: readonly string[];
}

export function composeTopology(options: { validators: number; rpcNodes: number; subnet: Subnet }): ComposeTopology {
  return { subnet: options.subnet, nodes: planNodes(options.validators, options.rpcNodes, options.subnet) };
}

/** A relative path as compose needs it in short syntax: `./x` or `../x` (a bare `x` names a volume). */
export function composePath(from: string, to: string): string {
  const path = relative(from, to);
  if (path === '') return '.';
  return path.startsWith('..') ? path : `./${path}`;
}

interface NodeEntry {
  name: string;
  host: string;
  ip: string;
  servesGateway: boolean;
}

/** The topology network.json records (the generator's summary; see lib/network.ts). */
export function topologyFromNetworkJson(text: string): ComposeTopology {
  const json = JSON.parse(text) as { subnet: string; validators: NodeEntry[]; rpcNodes: NodeEntry[] };
  const place = (role: NodePlace['role']) => (entry: NodeEntry): NodePlace => ({
    name: entry.name,
    host: entry.host,
    ip: entry.ip,
    servesGateway: entry.servesGateway,
    role,
  });
  const nodes = [...json.validators.map(place('validator')), ...json.rpcNodes.map(place('rpc'))];
  for (const field of ['name', 'host', 'ip'] as const) {
    const values = nodes.map((n) => n[field]);
    if (new Set(values).size !== values.length) throw new Error(`network.json: two nodes share the ${field} "${values.find((v, i) => values.indexOf(v) !== i)}"`);
  }
  if (nodes.filter((n) => n.servesGateway).length !== 1) throw new Error('network.json: exactly one node must have "servesGateway": true');
  return { subnet: parseSubnet(json.subnet), nodes };
}

export const rpcUrl = (node: NodePlace): string => `http://${node.host}:${RPC_HTTP_PORT}`;

export function gatewayNode(nodes: readonly NodePlace[]): NodePlace {
  const node = nodes.find((n) => n.servesGateway);
  if (!node) throw new Error('No node serves the gateway');
  return node;
}

function gatewayEnvironment(topology: ComposeTopology): Record<string, unknown> {
  const endpoint = gatewayNode(topology.nodes);
  const validators = topology.nodes.filter((n) => n.role === 'validator');
  return {
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    PORT: '3000',
    DATA_DIR: '/var/lib/ehrchain/data',
    KEYS_DIR: '/var/lib/ehrchain/keys',
    LOG_LEVEL: '${LOG_LEVEL:-info}',
    GATEWAY_WORKERS: note('Gateway processes sharing port 3000, one per core the gateway may use (the outbox still sends from one).', '${GATEWAY_WORKERS:-1}'),
    DATABASE_URL: note(
      'Use URL-safe characters in the password (e.g. `openssl rand -hex 24`): it is part of a URL.',
      'postgres://ehrchain:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}@postgres:5432/ehrchain',
    ),
    CHAIN_RPC_URL: note(
      endpoint.role === 'rpc'
        ? "The non-validator RPC node: the gateway's reads and transactions never load the validators."
        : 'No RPC node was generated (--rpc-nodes 0): the gateway talks to validator1.',
      rpcUrl(endpoint),
    ),
    VALIDATOR_RPC_URLS: note(
      "Every validator's own JSON-RPC (compose network only): a validator vote is cast on each voting validator.",
      validators.map(rpcUrl).join(','),
    ),
    IPFS_API_URL: 'http://kubo:5001',
    CONSORTIUM_AUTHORITIES: note(
      "The consortium authorities' addresses (k-of-n governance); the gateway never holds their keys.",
      '${CONSORTIUM_AUTHORITIES:?set CONSORTIUM_AUTHORITIES in .env (comma-separated authority addresses)}',
    ),
    CONSORTIUM_THRESHOLD: '${CONSORTIUM_THRESHOLD:-}',
    PROPOSAL_TTL_HOURS: '${PROPOSAL_TTL_HOURS:-}',
    EMERGENCY_MAX_HOURS: '${EMERGENCY_MAX_HOURS:-}',
    EMERGENCY_APPROVAL_MINUTES: '${EMERGENCY_APPROVAL_MINUTES:-}',
    CONTRACTS_ADMIN: note('Admin of RecordAnchors and AccessLog, fixed at deployment (default: the first authority).', '${CONTRACTS_ADMIN:-}'),
    CHAIN_FORMER_WRITERS: note("The gateway's former sending keys after a key rotation (docs/decisions.md).", '${CHAIN_FORMER_WRITERS:-}'),
    RATE_LIMIT_PER_ADDRESS: note('Limits per client address and per account (README, "Rate limits"); empty: the defaults. A bench run raises them (bench/README.md).', '${RATE_LIMIT_PER_ADDRESS:-}'),
    RATE_LIMIT_WRITES_PER_ACCOUNT: '${RATE_LIMIT_WRITES_PER_ACCOUNT:-}',
  };
}

function header(topology: ComposeTopology, layout: ComposeLayout, networkDir: string): string {
  const count = (role: NodePlace['role'], noun: string) => {
    const n = topology.nodes.filter((node) => node.role === role).length;
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
  };
  return [
    `Generated by \`${layout.generatedBy}\` (network/lib/compose.ts) for ${count('validator', 'validator')} and`,
    `${count('rpc', 'RPC node')}, subnet ${topology.subnet.cidr}, ${networkDir === '.' ? 'beside the network files' : `network files in ${networkDir}`}.`,
    'Do not edit by hand: render it again (network/README.md, "Add or remove a validator").',
    '',
    'EHRChain production deployment: Besu IBFT 2.0/QBFT validators and RPC nodes, Postgres, Kubo (private',
    'IPFS swarm), a one-shot contract deployer and the gateway.',
    '',
    ...layout.usage.map((line) => `  ${line}`),
    '',
    "Only the gateway's port 3000 reaches the host. Besu JSON-RPC (8545), Kubo's RPC API (5001) and",
    'Postgres (5432) stay on the compose networks: each of them would hand out the chain, unauthenticated',
    'IPFS writes or the database to anyone who can reach the host (test/unit/compose.spec.ts checks it).',
    '',
    'Every container that reads the network files runs as uid 1000 (besu, ipfs and node users of their',
    'images), and the generator writes them 0600: generate as uid 1000, or `sudo chown -R 1000:1000` them.',
  ].join('\n');
}

/** The whole compose file for a topology, its paths relative to `layout.composeDir`. */
export function renderCompose(topology: ComposeTopology, layout: ComposeLayout): string {
  const networkDir = composePath(layout.composeDir, layout.networkDir);
  const net = (file: string): string => (networkDir === '.' ? `./${file}` : `${networkDir}/${file}`);
  const anchors = createAnchors(gatewayEnvironment(topology), composePath(layout.composeDir, layout.repoRoot));
  const endpoint = gatewayNode(topology.nodes);
  const peers = topology.nodes.length - 1;

  const services: Record<string, unknown> = {};
  for (const node of topology.nodes) {
    const first = node.name === 'validator1' || node.name === 'rpcnode1';
    const why =
      node.name === 'rpcnode1'
        ? 'Not a validator: serves the gateway, so a stuck RPC node never stops block production.'
        : node.name === 'validator1'
          ? 'The validators: the extraData of genesis.json lists their addresses.'
          : '';
    services[node.host] = first ? section(why, besuService(node, anchors, net, peers)) : besuService(node, anchors, net, peers);
  }
  Object.assign(services, {
    postgres: section('', postgresService(anchors)),
    kubo: section('', kuboService(anchors)),
    ...gatewayServices(anchors, endpoint.host),
  });

  const volumes: Record<string, null> = {};
  for (const node of topology.nodes) volumes[dataVolume(node)] = null;
  for (const name of ['postgres-data', 'kubo-data', 'gateway-data', 'gateway-keys']) volumes[name] = null;

  return renderYaml(header(topology, layout, networkDir), {
    name: 'ehrchain',
    'x-besu': section(
      'One definition for every Besu node (Besu quickstart layout). The generated config.toml names every\n' +
        'path (network/lib/node-config.ts, CONTAINER_PATHS): key and config in /opt/besu/node, genesis,\n' +
        'static nodes and allowlists in /opt/besu, data in /opt/besu/data.',
      anchors.besu,
    ),
    'x-gateway-env': section(
      'The gateway and the deployer must agree on every setting the contracts are deployed with\n(authorities, threshold, TTLs): one environment for both.',
      anchors.env,
    ),
    'x-gateway-build': section('', anchors.build),
    services: section('', services),
    networks: section('', {
      chain: note(
        'Internal: no route to the internet, so neither Besu nor Kubo can reach a public peer even if\n' +
          'misconfigured. A fixed subnet (--subnet): each Besu node has its own address in the lower half,\n' +
          'every other container gets one from ip_range, the upper half (network/lib/subnet.ts).',
        {
          internal: true,
          ipam: { config: [{ subnet: topology.subnet.cidr, ip_range: dynamicRange(topology.subnet), gateway: gatewayAddress(topology.subnet) }] },
        },
      ),
      edge: {},
    }),
    volumes: section('', volumes),
    configs: section('Public chain files, shared read-only by every Besu node.', {
      'besu-genesis': { file: net('genesis.json') },
      'besu-static-nodes': { file: net('static-nodes.json') },
      'besu-permissions': { file: net('permissions_config.toml') },
      'kubo-private-swarm': note("Run by the Kubo image's entrypoint before each start, as the ipfs user.", { content: kuboInitScript() }),
    }),
    secrets: section('Generated by `npm run network:generate`.', {
      gateway_chain_key: note('Mounted into the deployer only.', { file: net('accounts/gateway.key') }),
      ipfs_swarm_key: { file: net('ipfs/swarm.key') },
    }),
  });
}
