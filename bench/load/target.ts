// The gateway under load: by default `npm start`'s compiled gateway as a child process on a fresh
// data directory (embedded Anvil, IPFS store, PGlite or DATABASE_URL's Postgres), so its CPU is
// its own and not the load generator's; or a running deployment given by URL (--target).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../../gateway/src/chain/artifacts';
import { admitHospital, ConsortiumAt } from '../../gateway/src/consortium/admission';
import { devConsortium } from '../../test/support/consortium-members';
import { dropTestSchema } from '../../test/support/database';
import { freePort, spawnGateway, SpawnedGateway, workerPids } from '../../test/support/spawn';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';

export interface Target {
  baseUrl: string;
  /** The hospital system the load acts as: its API key header. */
  auth: Record<string, string>;
  /** The scrape token's header for /metrics; undefined when the bench has none. */
  metricsAuth?: Record<string, string>;
  /** The embedded gateway's data directory (the sandbox eKYC provider's SMS file is there); undefined for a remote target. */
  dataDir?: string;
  /** The hospital's consortium address (what patients' filing tokens name); undefined for a remote target. */
  hospitalAddress?: string;
  /** The embedded chain's RPC URL (to register patients' relationships, as their software's relayer does); undefined for a remote target. */
  rpcUrl?: string;
  /** The embedded gateway's administrator (to make practitioners' accounts); undefined for a remote target. */
  admin?: { username: string; password: string };
  /** CPU seconds the gateway process has used so far (user + system); undefined for a remote target. */
  cpuSeconds(): number | undefined;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  database: 'pglite' | 'postgres';
  blockTimeSeconds: number;
  /** GATEWAY_WORKERS: gateway processes sharing the port (Postgres only). */
  workers: number;
}

const BANNER = /password\s+(\S+)\n/;
/** Limits that protect a gateway from a flood would throttle the bench, which is one client address making thousands of writes. */
const LIMITS_OUT_OF_THE_WAY = { RATE_LIMIT_PER_ADDRESS: '1000000', RATE_LIMIT_WRITES_PER_ACCOUNT: '1000000', RATE_LIMIT_LOGINS_PER_ADDRESS: '1000000' };

async function call(baseUrl: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * A hospital system with a consortium address and an API key, made through the API as an
 * administrator would, its address admitted on chain by the embedded gateway's development
 * authorities (only an admitted hospital files).
 */
async function hospital(baseUrl: string, admin: { username: string; password: string }, consortium: ConsortiumAt): Promise<{ auth: Record<string, string>; address: string }> {
  const { accessToken } = await call(baseUrl, 'POST', '/v1/auth/login', admin);
  const bearer = { authorization: `Bearer ${accessToken}` };
  const address = `0x${randomBytes(20).toString('hex')}`;
  await admitHospital(consortium, address, `0x${randomBytes(32).toString('hex')}`);
  const account = await call(baseUrl, 'POST', '/v1/accounts', { role: 'hospital', username: `bench.${Date.now()}`, aadhaar: madeUpAadhaar(), chainAddress: address }, bearer);
  const key = await call(baseUrl, 'POST', `/v1/accounts/${account.id}/api-keys`, { label: 'bench' }, bearer);
  return { auth: { 'x-api-key': key.key }, address };
}

/** CPU seconds (utime + stime) of a live process, from /proc (proc(5): fields after the command, state = [0]). */
export function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone meanwhile
  }
}

/** The gateway's CPU seconds: its process and, under GATEWAY_WORKERS, its worker processes (not the embedded chain's Anvil). */
function gatewayCpuSeconds(pid: number): number {
  return [pid, ...workerPids(pid)].reduce((sum, each) => sum + cpuOf(each), 0);
}

export async function startEmbedded(options: EmbeddedOptions): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ehr-bench-'));
  const port = await freePort();
  const anvilPort = await freePort();
  const schema = `bench_${process.pid}_${Date.now()}`;
  const database: Record<string, string> = options.database === 'postgres' ? { DATABASE_URL: requiredDatabaseUrl(), DATABASE_SCHEMA: schema } : { DATABASE_URL: '' };
  // BENCH_PROFILE_DIR: the gateway writes a V8 CPU profile there when it stops (bench/README.md).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const gw: SpawnedGateway = spawnGateway({
    DATA_DIR: dataDir, PORT: String(port), ANVIL_PORT: String(anvilPort), CHAIN_BLOCK_TIME: String(options.blockTimeSeconds), GATEWAY_WORKERS: String(options.workers), LOG_LEVEL: 'warn', ...LIMITS_OUT_OF_THE_WAY, ...database,
    // BENCH_GATEWAY_ENV='OUTBOX_INTERVAL_MS=60000 …': settings for the gateway under test, to try one.
    ...Object.fromEntries((process.env.BENCH_GATEWAY_ENV ?? '').split(/\s+/).filter(Boolean).map((pair) => pair.split('=', 2) as [string, string])),
  }, join(findRepoRoot(), 'dist', 'gateway', 'src', 'main.js'), profile);
  const [, password] = await gw.waitForStdout(BANNER, 180_000);
  const baseUrl = `http://127.0.0.1:${port}`;
  const admin = { username: 'admin', password: password! };
  const rpcUrl = `http://127.0.0.1:${anvilPort}`;
  const { auth, address } = await hospital(baseUrl, admin, devConsortium(dataDir, rpcUrl));
  return {
    baseUrl,
    auth,
    admin,
    dataDir,
    hospitalAddress: address,
    rpcUrl,
    metricsAuth: { authorization: `Bearer ${readFileSync(join(dataDir, 'keys', 'metrics.token'), 'utf8').trim()}` },
    cpuSeconds: () => gatewayCpuSeconds(gw.child.pid!),
    async close() {
      await gw.stop();
      if (options.database === 'postgres') await dropTestSchema({ url: requiredDatabaseUrl(), schema, pgliteDir: '' });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A running deployment (the compose stack): BENCH_API_KEY names the hospital system the load acts as. */
export function remote(baseUrl: string): Target {
  const key = process.env.BENCH_API_KEY;
  if (!key) throw new Error('--target needs BENCH_API_KEY: a hospital system\'s API key on that gateway');
  const metricsToken = process.env.BENCH_METRICS_TOKEN;
  return {
    baseUrl: baseUrl.replace(/\/$/, ''),
    auth: { 'x-api-key': key },
    // The hospital's consortium address, for filing tokens (BENCH_HOSPITAL_ADDRESS): without it, no record is filed.
    hospitalAddress: process.env.BENCH_HOSPITAL_ADDRESS,
    metricsAuth: metricsToken ? { authorization: `Bearer ${metricsToken}` } : undefined,
    cpuSeconds: () => undefined,
    close: async () => undefined,
  };
}

function requiredDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('--database postgres needs DATABASE_URL');
  return url;
}
