import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComposeLayout, renderCompose, topologyFromNetworkJson } from './compose';
import { generateNodeKey } from './keys';
import { composeUsage, NetworkSummary, NodeRecord, Progress, record, writeNodeKey } from './network';
import { renderConfigToml, renderStaticNodes } from './node-config';
import { makePrivateDir, PUBLIC_MODE } from './output';
import { renderPermissionsToml } from './permissions';
import { addressAt, parseSubnet, VALIDATOR_OFFSET } from './subnet';
import { faultTolerance, MAX_VALIDATORS, NodePlace, nodeSpec, quorum } from './topology';

/**
 * Adds a validator's node to a generated network folder: its key and config.toml, its enode in
 * static-nodes.json and in the nodes allowlist (accounts an operator allowlisted are kept), its
 * entry in network.json, and the folder's docker-compose.yml rendered again with its service.
 * Genesis is untouched: the node joins as a non-validator and becomes one when more than half of
 * the current validators vote for it (network/README.md, "Add a validator").
 */
export async function addValidator(dir: string, repoRoot: string, progress: Progress): Promise<{ summary: NetworkSummary; added: NodeRecord }> {
  const file = (...path: string[]): string => join(dir, ...path);
  if (!existsSync(file('network.json'))) throw new Error(`${file('network.json')} is missing: name a folder npm run network:generate wrote`);
  const summary = JSON.parse(await readFile(file('network.json'), 'utf8')) as NetworkSummary;
  if (summary.subnet === undefined) throw new Error(`${file('network.json')} predates fixed addresses: regenerate the network (a new chain) to use this command`);
  const index = summary.validators.length + 1;
  if (index > MAX_VALIDATORS) throw new Error(`A network holds at most ${MAX_VALIDATORS} validators`);

  const place: NodePlace = { name: `validator${index}`, host: `validator${index}`, role: 'validator', ip: addressAt(parseSubnet(summary.subnet), VALIDATOR_OFFSET + index), servesGateway: false };
  const taken = [...summary.validators, ...summary.rpcNodes].find((n) => n.name === place.name || n.ip === place.ip);
  if (taken || existsSync(file(place.name))) throw new Error(`${place.name} or its address ${place.ip} is already taken (by ${taken?.name ?? file(place.name)})`);
  const node = nodeSpec(place, generateNodeKey());
  await makePrivateDir(file(node.name));
  await writeNodeKey(file(node.name), node.key);
  await writeFile(file(node.name, 'config.toml'), renderConfigToml(node, summary.consensus), { mode: PUBLIC_MODE, flag: 'wx' });
  progress(`✔ keys and config ${node.name} ${node.key.address} at ${node.ip}`);

  const added = record(node, summary.consensus);
  const next: NetworkSummary = {
    ...summary,
    validators: [...summary.validators, added],
    faultTolerance: faultTolerance(index),
    quorum: quorum(index),
  };
  const everyNode = [...next.validators, ...next.rpcNodes];
  // Rewritten in place (same inode): compose mounts these files into every Besu container.
  await writeFile(file('static-nodes.json'), renderStaticNodes(everyNode));
  const accounts = allowlistedAccounts(await readFile(file('permissions_config.toml'), 'utf8'));
  await writeFile(file('permissions_config.toml'), renderPermissionsToml({ nodes: everyNode.map((n) => n.enode), accounts }));
  await writeFile(file('network.json'), `${JSON.stringify(next, null, 2)}\n`);
  progress(`✔ static-nodes.json, permissions_config.toml (${everyNode.length} nodes, ${accounts.length} accounts kept), network.json`);

  const layout: ComposeLayout = { composeDir: dir, networkDir: dir, repoRoot, generatedBy: 'npm run network:add-validator', usage: composeUsage() };
  await writeFile(file('docker-compose.yml'), renderCompose(topologyFromNetworkJson(JSON.stringify(next)), layout));
  progress(`✔ docker-compose.yml (${everyNode.length} Besu services)`);
  return { summary: next, added };
}

/** The accounts-allowlist of a permissions_config.toml, with whatever accounts an operator added. */
export function allowlistedAccounts(toml: string): string[] {
  const list = /^accounts-allowlist\s*=\s*\[([^\]]*)\]/m.exec(toml);
  if (!list) throw new Error('permissions_config.toml has no accounts-allowlist: restore it before adding a node');
  return [...list[1].matchAll(/"(0x[0-9a-fA-F]{40})"/g)].map((m) => m[1].toLowerCase());
}
