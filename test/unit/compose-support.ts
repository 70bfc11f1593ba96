import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isAlias, isMap, isScalar, parse, parseDocument } from 'yaml';
import { DIGEST_PINNED } from '../../network/lib/images';
import { CONTAINER_PATHS, RPC_HTTP_PORT } from '../../network/lib/node-config';
import { dynamicRange, gatewayAddress, offsetOf, Subnet } from '../../network/lib/subnet';
import { NodePlace } from '../../network/lib/topology';

/**
 * The static check of a compose file that no Docker engine runs here: what docker compose would
 * resolve (merge keys, interpolation) and what a real host would need for the network to come up.
 * composeProblems returns what is wrong, in words; an empty list means it passes.
 */

// Parsed compose files are untyped by nature; the checks below say what they expect.
export type Service = Record<string, any>;
export type Compose = { services: Record<string, Service>; [key: string]: any };

/** Reads the `key=value` subset of TOML the generator writes (values are JSON literals; arrays may span lines). */
export function parseToml(source: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  let pending = '';
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    pending += line;
    const at = pending.indexOf('=');
    const value = pending.slice(at + 1);
    if (value.startsWith('[') && !value.endsWith(']')) continue;
    const key = pending.slice(0, at);
    if (key in result) throw new Error(`duplicate key ${key}`);
    result[key] = JSON.parse(value);
    pending = '';
  }
  if (pending !== '') throw new Error(`unterminated value: ${pending}`);
  return result;
}

export const parseCompose = (text: string): Compose => parse(text, { merge: true }) as Compose;

/** Compose's variable interpolation (`${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$$`). */
export function interpolate(text: string, env: Record<string, string> = {}): string {
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

export interface PublishedPort {
  service: string;
  target: number;
  spec: string;
}

/** Every port a service publishes to the host, short (`[ip:][host:]container[/proto]`) or long syntax. */
export function publishedPorts(services: Record<string, Service>): PublishedPort[] {
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
export function portViolations(services: Record<string, Service>): string[] {
  const violations = publishedPorts(services)
    .filter((port) => !(port.service === 'gateway' && port.target === 3000))
    .map((port) => `${port.service} publishes ${port.spec}`);
  for (const [name, service] of Object.entries(services)) {
    if (service.network_mode === 'host') violations.push(`${name} uses the host's network`);
  }
  return violations;
}

export const healthTest = (service: Service): string => {
  const test = service.healthcheck?.disable ? undefined : service.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : String(test);
};

/** The anchors each service merges (`<<: *besu`), read from the document itself. */
export function mergedAnchors(text: string): Record<string, string[]> {
  const services: unknown = parseDocument(text, { merge: true }).get('services', true);
  const merges: Record<string, string[]> = {};
  if (!isMap(services)) return merges;
  for (const { key, value } of services.items) {
    if (!isScalar(key) || !isMap(value)) continue;
    merges[String(key.value)] = value.items
      .filter((pair) => isScalar(pair.key) && String(pair.key.value).includes('<<'))
      .map((pair) => (isAlias(pair.value) ? pair.value.source : '?'));
  }
  return merges;
}

const OTHER_SERVICES = ['postgres', 'kubo', 'deployer', 'gateway'];
const networksOf = (service: Service): string[] => (Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {}));

export interface Expected {
  nodes: readonly NodePlace[];
  subnet: Subnet;
  /** The compose file's directory: where its relative paths start. */
  composeDir: string;
  /** Check that every mounted network file exists (after generation). */
  filesExist: boolean;
}

/** The file as docker compose resolves it, with the settings .env must give. */
export const loadCompose = (text: string): Compose => parseCompose(interpolate(text, { POSTGRES_PASSWORD: 'pw', CONSORTIUM_AUTHORITIES: '0x01' }));

/**
 * Everything a real host needs from the file, for this topology; [] when it would come up.
 * `compose` is the resolved file (loadCompose(text), or a mutation of it); anchors are read from `text`.
 */
export function composeProblems(text: string, expected: Expected, compose: Compose = loadCompose(text)): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  if (/xdns/i.test(text) || /xdns/i.test(JSON.stringify(compose))) fail('mentions a hidden Xdns option');
  const services = compose.services;
  const hosts = expected.nodes.map((n) => n.host);
  const names = Object.keys(services);
  if (JSON.stringify([...names].sort()) !== JSON.stringify([...hosts, ...OTHER_SERVICES].sort())) fail(`services ${names.join(',')} are not ${hosts.join(',')} + ${OTHER_SERVICES.join(',')}`);
  problems.push(...portViolations(services));

  const network = compose.networks?.chain;
  const ipam = network?.ipam?.config?.[0];
  if (network?.internal !== true) fail('the chain network is not internal');
  if (ipam?.subnet !== expected.subnet.cidr || ipam?.ip_range !== dynamicRange(expected.subnet) || ipam?.gateway !== gatewayAddress(expected.subnet)) {
    fail(`chain ipam ${JSON.stringify(ipam)} does not fix ${expected.subnet.cidr}`);
  }
  const half = 2 ** (32 - expected.subnet.prefix) / 2;
  const seen = new Set<string>();
  const merges = mergedAnchors(text);
  const path = (relative: string) => resolve(expected.composeDir, relative);
  for (const node of expected.nodes) {
    const service = services[node.host];
    if (!service) continue;
    const where = `${node.host}:`;
    if (JSON.stringify(merges[node.host]) !== '["besu"]') fail(`${where} does not merge x-besu`);
    if (!DIGEST_PINNED.test(service.image)) fail(`${where} image ${service.image} is not pinned by digest`);
    const ip = service.networks?.chain?.ipv4_address as string;
    if (ip !== node.ip || seen.has(ip)) fail(`${where} address ${ip}, expected ${node.ip}, once`);
    seen.add(ip);
    const offset = offsetOf(expected.subnet, ip ?? '');
    if (offset === undefined || offset < 2 || offset >= half) fail(`${where} address ${ip} is not in the fixed half of ${expected.subnet.cidr} (outside ip_range)`);
    const volumes = (service.volumes ?? []) as string[];
    const keyDir = volumes.find((v) => v.endsWith(`:${CONTAINER_PATHS.configFile.replace(/\/[^/]+$/, '')}:ro`));
    if (!keyDir || !keyDir.split(':')[0].endsWith(`/${node.name}`)) fail(`${where} does not mount only its own ${node.name}/ read-only`);
    else if (expected.filesExist && !existsSync(join(path(keyDir.split(':')[0]), 'config.toml'))) fail(`${where} key directory ${keyDir} does not exist`);
    if (!volumes.includes(`${node.host}-data:${CONTAINER_PATHS.data}`)) fail(`${where} has no data volume of its own`);
    if (service.depends_on) fail(`${where} waits for ${Object.keys(service.depends_on).join(',')}: peering must not depend on start order`);
    const probe = healthTest(service);
    const readiness = `GET /readiness?minPeers=${Math.min(1, expected.nodes.length - 1)} `;
    if (node.role === 'rpc' || node.servesGateway ? !probe.includes(readiness) : !probe.includes('GET /liveness ')) fail(`${where} health check ${probe}`);
  }

  const endpoint = expected.nodes.find((n) => n.servesGateway)!;
  const env = services.gateway?.environment ?? {};
  const validators = expected.nodes.filter((n) => n.role === 'validator');
  if (env.CHAIN_RPC_URL !== `http://${endpoint.host}:${RPC_HTTP_PORT}`) fail(`CHAIN_RPC_URL ${env.CHAIN_RPC_URL} does not name ${endpoint.host}`);
  if (env.VALIDATOR_RPC_URLS !== validators.map((v) => `http://${v.host}:${RPC_HTTP_PORT}`).join(',')) fail(`VALIDATOR_RPC_URLS ${env.VALIDATOR_RPC_URLS}`);
  // The chain's id lives in genesis.json only: the gateway takes it from the node and remembers it with the genesis hash.
  if (env.CHAIN_ID !== undefined) fail(`CHAIN_ID ${env.CHAIN_ID} is pinned in the compose file`);
  if (JSON.stringify(services.deployer?.environment) !== JSON.stringify(env)) fail('the deployer and the gateway have different environments');
  const condition = (service: string, dependency: string) => services[service]?.depends_on?.[dependency]?.condition;
  if (condition('deployer', endpoint.host) !== 'service_healthy') fail(`the deployer does not wait for ${endpoint.host}`);
  for (const [dependency, wanted] of [['deployer', 'service_completed_successfully'], [endpoint.host, 'service_healthy'], ['postgres', 'service_healthy'], ['kubo', 'service_healthy']]) {
    if (condition('gateway', dependency) !== wanted) fail(`the gateway does not wait for ${dependency} (${wanted})`);
  }
  for (const [name, service] of Object.entries(services)) {
    const want = name === 'gateway' ? 'chain,edge' : 'chain';
    if (networksOf(service).join(',') !== want) fail(`${name} is on ${networksOf(service).join(',')}, not ${want}`);
  }

  const pg = services.postgres ?? {};
  const pgProbe = pg.healthcheck?.test as string[] | undefined;
  const arg = (flag: string) => pgProbe?.[pgProbe.indexOf(flag) + 1];
  if (!pgProbe?.includes('pg_isready') || arg('-h') !== '127.0.0.1' || arg('-d') !== pg.environment?.POSTGRES_DB || arg('-U') !== pg.environment?.POSTGRES_USER) {
    fail(`postgres health check ${JSON.stringify(pgProbe)} is not pg_isready over TCP with its database and user`);
  }
  for (const name of ['postgres', 'kubo']) if (!DIGEST_PINNED.test(services[name]?.image)) fail(`${name} image ${services[name]?.image} is not pinned by digest`);
  if (!existsSync(join(path(services.deployer?.build?.context ?? '/nonexistent'), 'Dockerfile'))) fail("the deployer's build context has no Dockerfile");
  // One service builds the gateway image: two building one tag at once can collide in BuildKit.
  if (services.gateway?.build !== undefined || services.gateway?.image !== services.deployer?.image || services.gateway?.pull_policy !== 'never') {
    fail('the gateway must run the image the deployer builds (no build of its own, pull_policy never)');
  }
  const files = [...Object.values(compose.configs ?? {}), ...Object.values(compose.secrets ?? {})].map((c: any) => c.file).filter(Boolean) as string[];
  for (const file of files) if (expected.filesExist && !existsSync(path(file))) fail(`${file} does not exist`);
  return problems;
}
