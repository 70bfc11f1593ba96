import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropTestSchema } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort, isAlive, spawnGateway, SpawnedGateway, workerPids } from '../support/spawn';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';

/**
 * Issue 11: GATEWAY_WORKERS=N runs N gateway processes on one port, sharing Postgres, the data
 * directory and the embedded chain the primary runs. Worker processes need Postgres (PGlite is
 * one process's database: start.e2e-spec.ts checks that GATEWAY_WORKERS=2 without it is refused),
 * so this file runs where DATABASE_URL is set, as CI runs the suite; on PGlite alone it reports
 * itself skipped, since what it tests cannot exist there.
 */
(process.env.DATABASE_URL ? describe : describe.skip)('a gateway of several worker processes (compiled gateway, GATEWAY_WORKERS=2)', () => {
  const BANNER = /password\s+(\S+)\n/;
  const database = { url: process.env.DATABASE_URL, schema: `t_${randomBytes(6).toString('hex')}`, pgliteDir: '' };
  let dataDir: string;
  let gw: SpawnedGateway;
  let base: string;
  const health = () => fetch(`${base}/health`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(2_000) });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ehr-workers-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gw = spawnGateway({ DATA_DIR: dataDir, PORT: String(port), ANVIL_PORT: '0', CHAIN_BLOCK_TIME: '0', OUTBOX_INTERVAL_MS: '100', GATEWAY_WORKERS: '2', DATABASE_SCHEMA: database.schema, LOG_LEVEL: 'warn' });
    await gw.waitForStdout(BANNER, 120_000);
  }, 150_000);
  afterAll(async () => {
    await gw?.stop();
    await dropTestSchema(database);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts the workers and the chain once, prints one banner with the one first administrator, and serves uploads anchored through one outbox', async () => {
    await eventually(() => expect(workerPids(gw.child.pid!)).toHaveLength(2), { timeoutMs: 60_000, intervalMs: 200 });
    expect(gw.anvilPids()).toHaveLength(1);
    expect(gw.stdout().match(/EHRChain gateway is running/g)).toHaveLength(1);
    expect(gw.stdout()).toContain('Workers       2 processes');

    const [, password] = gw.stdout().match(BANNER)!;
    const login = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);
    const bearer = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
    const hospital = (await (await fetch(`${base}/v1/accounts`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'hospital', username: 'hospital.workers', aadhaar: madeUpAadhaar() }) })).json()) as { id: string };
    const { key } = (await (await fetch(`${base}/v1/accounts/${hospital.id}/api-keys`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify({ label: 'his' }) })).json()) as { key: string };

    // Each upload opens a connection of its own, so the cluster spreads them over both workers.
    const uploads = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const res = await fetch(`${base}/v1/blobs?wait=anchored`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/octet-stream', connection: 'close' }, body: Buffer.from(`record ${i}`) });
      return { status: res.status, body: (await res.json()) as { id: string; anchorStatus: string } };
    }));
    expect(uploads.map((u) => [u.status, u.body.anchorStatus])).toEqual(Array(12).fill([201, 'anchored']));
    const read = await fetch(`${base}/v1/blobs/${uploads[0]!.body.id}/content`, { headers: { 'x-api-key': key } });
    expect(Buffer.from(await read.arrayBuffer()).toString()).toBe('record 0');
  });

  it('starts a worker that died again, and keeps serving meanwhile', async () => {
    const [victim, survivor] = workerPids(gw.child.pid!);
    process.kill(victim!, 'SIGKILL');

    // A connection the cluster handed to the worker as it died is lost (a client retries it).
    await eventually(async () => expect((await health()).status).toBe(200));
    await eventually(() => {
      const now = workerPids(gw.child.pid!);
      expect(now).toHaveLength(2);
      expect(now).toContain(survivor);
      expect(now).not.toContain(victim);
    }, { timeoutMs: 60_000, intervalMs: 200 });
    await eventually(async () => expect((await health()).status).toBe(200), { timeoutMs: 30_000 });
  });

  it('stops every worker and then the chain on SIGTERM', async () => {
    const pids = [...workerPids(gw.child.pid!), ...gw.anvilPids()];
    gw.child.kill('SIGTERM');

    expect(await gw.exited).toEqual({ code: 0, signal: null });
    expect(pids.filter(isAlive)).toEqual([]);
  }, 60_000);
});
