// A real gateway for the outbox bench: createApp exactly as `npm start` builds it, on the
// embedded Anvil, the embedded IPFS store and PGlite or Postgres (chosen per run, not by
// process.env, so one process measures both), listening on a free port for the HTTP parts.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../../gateway/src/app.factory';
import { AccountsService } from '../../gateway/src/accounts/accounts.service';
import { Role } from '../../gateway/src/auth/permissions';
import { BlobEntity } from '../../gateway/src/blobs/blob.entity';
import { anchorId } from '../../gateway/src/blobs/blobs.service';
import { RecordAnchorHandler } from '../../gateway/src/blobs/record-anchor.handler';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { NO_PREVIOUS_VERSION, recordVersionToJson } from '../../gateway/src/chain/record-batch';
import { createLogger } from '../../gateway/src/common/logger';
import { loadConfig } from '../../gateway/src/config/app-config';
import { OutboxMacKey } from '../../gateway/src/outbox/outbox-mac';
import { OutboxEntity } from '../../gateway/src/outbox/outbox.entity';
import { dropTestSchema } from '../../test/support/database';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';

export type Db = 'pglite' | 'postgres';

export interface BenchGateway {
  app: NestFastifyApplication;
  db: Db;
  baseUrl: string;
  /** The embedded Anvil's state file, which it rewrites every second (--state-interval 1). */
  anvilStateFile: string;
  /** The hospital account the blobs belong to, its API key header and its consortium address (what filing tokens name). */
  hospital: { id: string; auth: Record<string, string>; address: string };
  close(): Promise<void>;
}

export interface StartOptions {
  db: Db;
  /** 0 = automine. */
  blockTimeSeconds: number;
  /** 60000 keeps the timer out of the way while the bench calls drain() itself. */
  outboxIntervalMs: number;
  maxBatchSize: number;
  /** More settings (issue 10's limits, say); the bench's own otherwise. */
  env?: Record<string, string>;
}

export async function startBenchGateway(options: StartOptions): Promise<BenchGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ehr-bench-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    ANVIL_PORT: '0',
    PORT: '0',
    CHAIN_BLOCK_TIME: String(options.blockTimeSeconds),
    OUTBOX_INTERVAL_MS: String(options.outboxIntervalMs),
    LOG_LEVEL: 'warn',
    // The bench drives one hospital from one address far faster than people do: limits off its way.
    RATE_LIMIT_PER_ADDRESS: '1000000',
    RATE_LIMIT_WRITES_PER_ACCOUNT: '1000000',
    ...options.env,
  });
  const url = options.db === 'postgres' ? process.env.DATABASE_URL : undefined;
  if (options.db === 'postgres' && !url) throw new Error('DATABASE_URL is not set');
  config.database = { url, schema: url ? `bench_${randomBytes(6).toString('hex')}` : 'public', pgliteDir: join(dataDir, 'pglite') };

  const app = await createApp(config, createLogger(config.logLevel));
  // For the measurement only: maxBatchSize is a readonly instance field of the provider
  // (512 in the code); the bench sets it on the one instance the outbox uses.
  (app.get(RecordAnchorHandler) as { maxBatchSize: number }).maxBatchSize = options.maxBatchSize;
  const admin = await app.get(AccountsService).bootstrapAdmin();
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const hospital = await createHospital(baseUrl, admin!);
  return {
    app,
    db: options.db,
    baseUrl,
    anvilStateFile: join(config.chain.dir, 'anvil-state.json'),
    hospital,
    async close() {
      await app.close();
      await dropTestSchema(config.database);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function http(baseUrl: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A hospital with an API key, made through the API as an operator would (blobs.e2e-spec.ts does the same). */
async function createHospital(baseUrl: string, admin: { username: string; password: string }): Promise<BenchGateway['hospital']> {
  const { accessToken } = await http(baseUrl, 'POST', '/v1/auth/login', admin);
  const bearer = { authorization: `Bearer ${accessToken}` };
  const username = `hospital.bench.${process.pid}`;
  const address = `0x${randomBytes(20).toString('hex')}`;
  const account = await http(baseUrl, 'POST', '/v1/accounts', { role: Role.Hospital, username, aadhaar: madeUpAadhaar(), chainAddress: address }, bearer);
  const key = await http(baseUrl, 'POST', `/v1/accounts/${account.id}/api-keys`, { label: 'bench' }, bearer);
  return { id: account.id, auth: { 'x-api-key': key.key }, address };
}

/**
 * Inserts `count` blob rows and their outbox rows in one database transaction: the rows
 * BlobsService.create writes (a BlobEntity, and an OutboxEntity as OutboxService.enqueue makes
 * it after RecordAnchorHandler.validate), but as two multi-row INSERTs and without the IPFS
 * upload, so the enqueue costs the outbox little: the outbox is what is measured. The CID is a
 * CID-shaped string; the anchor only hashes it, and nothing reads these rows back. Each row
 * carries the MAC enqueue would give it: the sender refuses any other.
 * Returns the blob ids, committed.
 */
export async function enqueueBlobs(gw: BenchGateway, count: number): Promise<string[]> {
  const handler = gw.app.get(RecordAnchorHandler);
  const mac = gw.app.get(OutboxMacKey);
  const author = gw.app.get(ChainClient).address;
  const blobs: Pick<BlobEntity, 'id' | 'cid' | 'sha512' | 'sizeBytes' | 'createdBy'>[] = [];
  const rows: { kind: string; ref: string; payload: object; mac: string }[] = []; // as OutboxStore.insert writes them
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const sha512 = createHash('sha512').update(randomBytes(32)).digest();
    const cid = `bafkrei${sha512.subarray(0, 26).toString('hex')}`;
    const version = { recordId: anchorId(id), patientHandle: NO_PATIENT, cid, sha512Digest: sha512, category: 0, previousVersion: NO_PREVIOUS_VERSION, tombstone: false, author };
    const payload = recordVersionToJson(version);
    handler.validate(payload);
    blobs.push({ id, cid, sha512, sizeBytes: 1024, createdBy: gw.hospital.id });
    rows.push({ kind: handler.kind, ref: id, payload, mac: mac.sign(handler.kind, id, payload) });
  }
  await gw.app.get(DataSource).transaction(async (manager) => {
    await manager.insert(BlobEntity, blobs);
    await manager.insert(OutboxEntity, rows);
  });
  return blobs.map((blob) => blob.id);
}

const NO_PATIENT = `0x${'00'.repeat(32)}`;

/** Blob rows not anchored yet (pending or failed). */
export async function unanchored(gw: BenchGateway): Promise<{ pending: number; failed: number }> {
  const rows: { status: string; n: string }[] = await gw.app.get(DataSource).query(
    `SELECT anchor_status AS status, count(*) AS n FROM anchored_blobs WHERE anchor_status <> 'anchored' GROUP BY anchor_status`,
  );
  const n = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
  return { pending: n('pending'), failed: n('failed') };
}
