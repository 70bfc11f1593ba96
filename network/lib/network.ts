import { join } from 'node:path';
import { composeTopology, renderCompose, rpcUrl } from './compose';
import { Consensus } from './extra-data';
import { buildGenesis, findRepoRoot, requestTimeoutFor } from './genesis';
import { generateNodeKey, ipfsSwarmKey, NodeKey } from './keys';
import { CONTAINER_PATHS, renderConfigToml, renderStaticNodes, rpcApisFor } from './node-config';
import { makePrivateDir, prepareOutputDir, PUBLIC_MODE, SECRET_MODE, writeNewFile } from './output';
import { renderPermissionsToml } from './permissions';
import { DEFAULT_SUBNET, parseSubnet, Subnet } from './subnet';
import { faultTolerance, nodeSpec, NodeSpec, planNodes, quorum } from './topology';

export interface NetworkOptions {
  validators: number;
  rpcNodes: number;
  consensus: Consensus;
  chainId: number;
  blockPeriodSeconds: number;
  evmVersion: string;
  /** The compose network (default DEFAULT_SUBNET). */
  subnet?: Subnet;
  out: string;
  force: boolean;
  /** The repository, build context of the gateway image in <out>/docker-compose.yml (default: found from here). */
  repoRoot?: string;
}

export interface NodeRecord {
  /** Directory under the output dir. */
  name: string;
  /** Compose service / host name. */
  host: string;
  /** Fixed IPv4 address on the compose network (enode host, p2p-host). */
  ip: string;
  /** Its JSON-RPC on the compose network. */
  rpcUrl: string;
  /** The node the gateway's CHAIN_RPC_URL names. */
  servesGateway: boolean;
  address: string;
  enode: string;
  rpcApis: string[];
}

/** What `network.json` records: everything an operator or the compose file needs, no secret. */
export interface NetworkSummary {
  consensus: Consensus;
  chainId: number;
  blockPeriodSeconds: number;
  requestTimeoutSeconds: number;
  evmVersion: string;
  faultTolerance: number;
  quorum: number;
  /** The compose network's subnet (the Besu nodes' addresses are in its lower half). */
  subnet: string;
  validators: NodeRecord[];
  rpcNodes: NodeRecord[];
  accounts: { deployer: string; gateway: string };
  containerPaths: typeof CONTAINER_PATHS;
}

/** How to start the compose file written into `out` (its .env lives beside it: compose reads the project directory's). */
export function composeUsage(): string[] {
  return [
    'From this folder (compose reads .env from the folder of the file):',
    '$EDITOR .env                  # POSTGRES_PASSWORD=…  CONSORTIUM_AUTHORITIES=0xA…,0xB…,0xC…',
    'docker compose up -d --wait   # the first start prints the admin password: docker compose logs gateway',
  ];
}

/** Progress: one line per finished step. */
export type Progress = (line: string) => void;

/** Writes a Besu key the way Besu does (KeyPairUtil / export-address): 0x-hex, no trailing newline. */
export async function writeNodeKey(dir: string, key: NodeKey): Promise<void> {
  await writeNewFile(join(dir, 'key'), key.privateKey, SECRET_MODE);
  await writeNewFile(join(dir, 'key.pub'), key.publicKey, SECRET_MODE);
  await writeNewFile(join(dir, 'address'), key.address, SECRET_MODE);
}

/** An account key as the gateway's key store reads it (one 0x-hex line). */
async function writeAccountKey(dir: string, name: string, key: NodeKey): Promise<void> {
  await writeNewFile(join(dir, `${name}.key`), `${key.privateKey}\n`, SECRET_MODE);
  await writeNewFile(join(dir, `${name}.address`), `${key.address}\n`, SECRET_MODE);
}

export const record = (node: NodeSpec, consensus: Consensus): NodeRecord => ({
  name: node.name,
  host: node.host,
  ip: node.ip,
  rpcUrl: rpcUrl(node),
  servesGateway: node.servesGateway,
  address: node.key.address,
  enode: node.enode,
  rpcApis: rpcApisFor(node, consensus),
});

export async function generateNetwork(given: NetworkOptions, progress: Progress): Promise<NetworkSummary> {
  const options = { ...given, subnet: given.subnet ?? parseSubnet(DEFAULT_SUBNET), repoRoot: given.repoRoot ?? findRepoRoot() };
  const removed = await prepareOutputDir(options.out, options.force);
  if (removed.length > 0) progress(`✔ removed earlier output (--force): ${removed.join(', ')}`);
  const file = (...path: string[]): string => join(options.out, ...path);

  const nodes: NodeSpec[] = [];
  for (const name of planNodes(options.validators, options.rpcNodes, options.subnet)) {
    const node = nodeSpec(name, generateNodeKey());
    await makePrivateDir(file(node.name));
    await writeNodeKey(file(node.name), node.key);
    nodes.push(node);
    progress(`✔ keys ${node.name.padEnd(12)} ${node.key.address}`);
  }

  await makePrivateDir(file('accounts'));
  const deployer = generateNodeKey();
  const gateway = generateNodeKey();
  await writeAccountKey(file('accounts'), 'deployer', deployer);
  progress(`✔ keys ${'deployer'.padEnd(12)} ${deployer.address}`);
  await writeAccountKey(file('accounts'), 'gateway', gateway);
  progress(`✔ keys ${'gateway'.padEnd(12)} ${gateway.address}`);

  await makePrivateDir(file('ipfs'));
  await writeNewFile(file('ipfs', 'swarm.key'), ipfsSwarmKey(), SECRET_MODE);
  progress('✔ ipfs/swarm.key (private Kubo swarm)');

  const validators = nodes.filter((n) => n.role === 'validator');
  const genesis = buildGenesis({
    chainId: options.chainId,
    consensus: options.consensus,
    blockPeriodSeconds: options.blockPeriodSeconds,
    evmVersion: options.evmVersion,
    validators: validators.map((v) => v.key.address),
    funded: [deployer.address, gateway.address],
  });
  await writeNewFile(file('genesis.json'), `${JSON.stringify(genesis, null, 2)}\n`, PUBLIC_MODE);
  progress(`✔ genesis.json (${options.consensus} extraData for ${validators.length} validators, evm ${options.evmVersion})`);

  const permissions = renderPermissionsToml({ nodes: nodes.map((n) => n.enode), accounts: [deployer.address, gateway.address] });
  await writeNewFile(file('permissions_config.toml'), permissions, PUBLIC_MODE);
  await writeNewFile(file('static-nodes.json'), renderStaticNodes(nodes), PUBLIC_MODE);
  progress(`✔ permissions_config.toml, static-nodes.json (${nodes.length} nodes, 2 accounts)`);

  for (const node of nodes) {
    await writeNewFile(file(node.name, 'config.toml'), renderConfigToml(node, options.consensus), PUBLIC_MODE);
    progress(`✔ config ${node.name.padEnd(10)} (${node.host} at ${node.ip}: ${rpcApisFor(node, options.consensus).join(',')})`);
  }

  const summary: NetworkSummary = {
    consensus: options.consensus,
    chainId: options.chainId,
    blockPeriodSeconds: options.blockPeriodSeconds,
    requestTimeoutSeconds: requestTimeoutFor(options.blockPeriodSeconds),
    evmVersion: options.evmVersion,
    faultTolerance: faultTolerance(options.validators),
    quorum: quorum(options.validators),
    subnet: options.subnet.cidr,
    validators: validators.map((v) => record(v, options.consensus)),
    rpcNodes: nodes.filter((n) => n.role === 'rpc').map((n) => record(n, options.consensus)),
    accounts: { deployer: deployer.address, gateway: gateway.address },
    containerPaths: CONTAINER_PATHS,
  };
  await writeNewFile(file('network.json'), `${JSON.stringify(summary, null, 2)}\n`, PUBLIC_MODE);
  const compose = renderCompose(composeTopology(options), {
    composeDir: options.out,
    networkDir: options.out,
    repoRoot: options.repoRoot,
    generatedBy: 'npm run network:generate',
    usage: composeUsage(),
  });
  await writeNewFile(file('docker-compose.yml'), compose, PUBLIC_MODE);
  // Whatever --out is, its keys never reach git.
  await writeNewFile(file('.gitignore'), '# Generated network: holds private keys. Never commit.\n*\n', PUBLIC_MODE);
  progress(`✔ network.json, docker-compose.yml (${nodes.length} Besu services on ${options.subnet.cidr}), .gitignore`);
  return summary;
}
