// The floors a gateway figure is read against (issue 11, point 3), measured in the same run on the
// same machine: what HTTP costs with nothing of the gateway (bare Fastify), what a filing's
// database work costs alone (the gateway's own transaction through the same driver, one per
// operation), what its IPFS work costs alone (the embedded store adding distinct bodies), what
// Node's crypto costs per record, and how fast the chain itself takes
// pre-signed transactions sent pipelined. A gateway figure divided by its floor says how much
// of the possible the gateway reaches, and which component bounds it.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { eth } from 'web3';
import { AnvilProcess } from '../../gateway/src/chain/anvil-process';
import { dataSourceOptions, openDataSource } from '../../gateway/src/database/data-source';
import { ENTITIES } from '../../gateway/src/entities';
import { EmbeddedIpfsStore } from '../../gateway/src/ipfs/embedded-ipfs.store';
import { OutboxStore } from '../../gateway/src/outbox/outbox.store';
import { RecordStore } from '../../gateway/src/records/record.store';
import { COMPANION_SCHEMAS, companionSchema } from '../../gateway/src/database/companion-schemas';
import { CaliperStats, caliperStats, closedLoop } from './stats';
import { cpuOf } from './target';

export interface FloorRow {
  floor: 'bare Fastify upload' | 'bare Fastify read' | 'database statement' | 'IPFS store add';
  clients: number;
  stats: CaliperStats;
  cpuMsPerOperation: number | null;
}

export interface Floors {
  rows: FloorRow[];
  /** Node crypto for one 1 KB record (SHA-512, SHA-256 for the CID, the outbox HMAC, the API key hash) on one thread. */
  cryptoMicrosecondsPerRecord: number;
  /** Pre-signed transfers sent pipelined to a fresh embedded chain, mined per second; by block period. */
  chainTransactionsPerSecond: Array<{ blockTimeSeconds: number; transactions: number; perSecond: number }>;
}

const KB = 1024;

/** Bare Fastify as a child process: its base URL, its CPU and a stop. */
async function bareFastify(readBytes: number): Promise<{ baseUrl: string; cpuSeconds: () => number; close: () => void }> {
  const child = spawn(process.execPath, [join(__dirname, 'bare-fastify.js')], { env: { ...process.env, BARE_READ_BYTES: String(readBytes) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /port (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare Fastify exited (${code})`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, cpuSeconds: () => cpuOf(child.pid!), close: () => child.kill() };
}

export async function httpFloors(clientCounts: number[], operations: number, uploadBytes = KB, readBytes = 100 * KB, progress?: (label: string, done: number, total: number) => void): Promise<FloorRow[]> {
  const server = await bareFastify(readBytes);
  const rows: FloorRow[] = [];
  try {
    const upload = async () => (await fetch(`${server.baseUrl}/v1/records`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: randomBytes(uploadBytes) }).then(async (res) => (await res.json(), res.status))) === 201;
    const read = async () => {
      const res = await fetch(`${server.baseUrl}/v1/records/x/content`);
      return res.status === 200 && (await res.arrayBuffer()).byteLength === readBytes;
    };
    for (const [floor, operation] of [['bare Fastify upload', upload], ['bare Fastify read', read]] as const) {
      for (const clients of clientCounts) {
        const before = server.cpuSeconds();
        const samples = await closedLoop(clients, operations, operation, (done) => progress?.(`floor: ${floor}, ${clients} clients`, done, operations));
        const stats = caliperStats(samples);
        rows.push({ floor, clients, stats, cpuMsPerOperation: Math.round(((server.cpuSeconds() - before) * 1000 * 100) / Math.max(1, stats.succeeded)) / 100 });
      }
    }
  } finally {
    server.close();
  }
  return rows;
}

/**
 * A filing's database work alone: the gateway's own transaction (the record's row and its
 * anchor's outbox row, RecordStore + OutboxStore), one per operation through the same driver, on
 * a scratch schema (Postgres) or a scratch PGlite.
 */
export async function databaseFloor(database: 'pglite' | 'postgres', clientCounts: number[], operations: number, progress?: (label: string, done: number, total: number) => void): Promise<FloorRow[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'ehr-bench-floor-'));
  const schema = `bench_floor_${process.pid}`;
  const config = database === 'postgres' ? { url: process.env.DATABASE_URL, schema, pgliteDir: scratch } : { url: undefined, schema: 'public', pgliteDir: scratch };
  const db = await openDataSource(dataSourceOptions(config, ENTITIES));
  const records = new RecordStore(db);
  const outbox = new OutboxStore(db);
  const account = randomUUID();
  const rows: FloorRow[] = [];
  try {
    for (const clients of clientCounts) {
      const samples = await closedLoop(clients, operations, async () => {
        const recordId = randomUUID();
        const hash = () => `0x${randomBytes(32).toString('hex')}`;
        const sha512 = randomBytes(64);
        const cid = `bafkrei${randomBytes(26).toString('hex')}`;
        await records.transaction(async (manager) => {
          await records.insert(manager, {
            recordId, version: 1, patientHandle: hash(), category: 3, clinicalDate: '2026-11-30', contentType: 'application/pdf', cid, sha512, sizeBytes: KB,
            wrappedKey: `kw1.k1.${randomBytes(60).toString('base64url')}`, keyId: 'k1', versionHash: hash(), previousHash: `0x${'00'.repeat(32)}`, author: `0x${randomBytes(20).toString('hex')}`, filedBy: account,
          });
          const payload = { recordId: `0x${recordId.replace(/-/g, '')}${'0'.repeat(32)}`, cid, sha512Digest: `0x${sha512.toString('hex')}` };
          await outbox.insert(manager, { kind: 'record-version', ref: `${recordId}:1`, payload, mac: randomBytes(32).toString('hex') });
        });
        return true;
      }, (done) => progress?.(`floor: database statement, ${clients} clients`, done, operations));
      rows.push({ floor: 'database statement', clients, stats: caliperStats(samples), cpuMsPerOperation: null });
    }
  } finally {
    if (database === 'postgres') {
      for (const name of [schema, ...COMPANION_SCHEMAS.map((which) => companionSchema(schema, which))]) await db.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    }
    await db.destroy();
    await rm(scratch, { recursive: true, force: true });
  }
  return rows;
}

/**
 * The upload's IPFS work alone: the embedded store (the gateway's own class) adding distinct
 * 1 KB bodies, on a scratch directory. Each new block is a file created and renamed into place.
 */
export async function ipfsFloor(clientCounts: number[], operations: number, progress?: (label: string, done: number, total: number) => void): Promise<FloorRow[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'ehr-bench-ipfs-'));
  const store = new EmbeddedIpfsStore(join(scratch, 'ipfs'));
  const rows: FloorRow[] = [];
  try {
    for (const clients of clientCounts) {
      const samples = await closedLoop(clients, operations, async () => !!(await store.add(randomBytes(KB))), (done) => progress?.(`floor: IPFS store add, ${clients} clients`, done, operations));
      rows.push({ floor: 'IPFS store add', clients, stats: caliperStats(samples), cpuMsPerOperation: null });
    }
  } finally {
    await store.close();
    await rm(scratch, { recursive: true, force: true });
  }
  return rows;
}

/** Node's crypto for one 1 KB upload, on one thread, in microseconds (mean over about half a second). */
export function cryptoFloor(sizeBytes = KB): number {
  const body = randomBytes(sizeBytes);
  const macKey = randomBytes(32);
  const payload = JSON.stringify({ recordId: `0x${'ab'.repeat(32)}`, cid: `bafkrei${'a'.repeat(52)}`, sha512Digest: 'cd'.repeat(64) });
  const one = () => {
    createHash('sha512').update(body).digest(); // the record's digest
    createHash('sha256').update(body).digest(); // its CID (a raw leaf)
    createHmac('sha256', macKey).update(payload).digest('hex'); // the outbox row's MAC
    createHash('sha256').update('ehr_0123456789ab_secretsecretsecretsecret').digest(); // the API key's hash
  };
  for (let i = 0; i < 1_000; i++) one(); // warm
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < 500) {
    for (let i = 0; i < 100; i++) one();
    count += 100;
  }
  return Math.round(((performance.now() - start) * 1000 * 100) / count) / 100;
}

/**
 * The chain's own rate: `count` zero-value transfers, signed before the clock starts, sent in
 * JSON-RPC batches of 100 all at once to a fresh Anvil with the given block period (gas is free
 * on it, as on the network), timed from the first send to the block holding the last.
 */
export async function chainFloor(blockTimeSeconds: number, count = 2_000): Promise<{ blockTimeSeconds: number; transactions: number; perSecond: number }> {
  const anvil = await AnvilProcess.start({ port: 0, chainId: 31_337, blockTimeSeconds });
  try {
    const key = `0x${randomBytes(32).toString('hex')}`;
    const from = eth.accounts.privateKeyToAddress(key);
    // Signed as the gateway signs (chain-client.ts): legacy transactions, free gas.
    const common = eth.accounts.Common.custom({ chainId: 31_337, networkId: 31_337 }, { hardfork: 'london' });
    const signed = await Promise.all(Array.from({ length: count }, (_, nonce) =>
      eth.accounts.signTransaction(eth.accounts.Transaction.fromTxData({ nonce: BigInt(nonce), gasPrice: 0n, gasLimit: 21_000n, to: from, value: 0n }, { common }), key).then((tx) => tx.rawTransaction)));
    const rpc = async (body: unknown): Promise<any> => (await fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    const start = performance.now();
    const batches = [];
    for (let i = 0; i < count; i += 100) {
      batches.push(rpc(signed.slice(i, i + 100).map((raw, j) => ({ jsonrpc: '2.0', id: i + j, method: 'eth_sendRawTransaction', params: [raw] }))));
    }
    const answers = (await Promise.all(batches)).flat() as Array<{ error?: { message: string } }>;
    const refused = answers.find((answer) => answer.error);
    if (refused) throw new Error(`the chain refused a pre-signed transaction: ${refused.error!.message}`);
    for (;;) {
      const { result } = await rpc({ jsonrpc: '2.0', id: 0, method: 'eth_getTransactionCount', params: [from, 'latest'] });
      if (Number(result) >= count) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { blockTimeSeconds, transactions: count, perSecond: Math.round(count / ((performance.now() - start) / 1000)) };
  } finally {
    await anvil.stop();
  }
}
