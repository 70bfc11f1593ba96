import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { AddressInfo, createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropTestSchema } from '../support/database';
import { freePort, isAlive, runGatewayScript, spawnGateway, SpawnedGateway } from '../support/spawn';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { makeFilingToken } from '../../gateway/src/chain/filing-token';
import { randomAddress } from '../contracts/support/accounts';
import { newRelationship, pseudonymSignIn, registerRelationship } from '../support/patient-registry';

/**
 * `npm start` as a newcomer meets it: the compiled gateway in a process of its own, configured
 * only through the environment, stopped with SIGTERM and started again on the same data.
 * The other e2e files build the app in-process; only this one sees main.ts, the banner,
 * signals, exit codes and the files left on disk.
 */
describe('npm start (compiled gateway, child process)', () => {
  const BANNER = /EHRChain gateway is running/;
  const BOOT_MS = 60_000;
  const databaseUrl = process.env.DATABASE_URL || undefined;
  // On real Postgres each run gets its own schema; both starts must share it.
  const database = { url: databaseUrl, schema: databaseUrl ? `t_${randomBytes(6).toString('hex')}` : 'public', pgliteDir: '' };
  /** A scanned document: a PDF, as hospitals attach them (the gateway types files by their bytes). */
  const documentBytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3000), Buffer.from('\n%%EOF\n')]);
  const patient = newRelationship();

  let dataDir: string;
  let port: number;
  let anvilPort: number;
  let gw: SpawnedGateway | undefined;
  const base = () => `http://127.0.0.1:${port}`;
  // What the first run saw, checked again after the restart.
  const first = { password: '', deployments: '', head: 0, recordId: '', apiKey: '', anvilPids: [] as number[] };

  const env = () => ({
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    ANVIL_PORT: String(anvilPort),
    CHAIN_BLOCK_TIME: '0',
    OUTBOX_INTERVAL_MS: '100',
    LOG_LEVEL: 'info',
    ...(databaseUrl ? { DATABASE_SCHEMA: database.schema } : {}),
  });
  const start = () => spawnGateway(env());

  const json = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base()}${path}`, init);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const login = (password: string) =>
    json('/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  const health = async () => {
    const res = await json('/health');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok', info: { database: { status: 'up' }, chain: { status: 'up' }, ipfs: { status: 'up' } } } });
    return res.body.info.chain.head as number;
  };
  const jsonLogLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('{'));
  const contractDeployments = (stdout: string) => jsonLogLines(stdout).filter((line) => JSON.parse(line).event === 'contract_deployed');

  let scratch: string;
  beforeAll(async () => {
    // A data directory the gateway creates itself, inside a scratch directory others may enter.
    scratch = await mkdtemp(join(tmpdir(), 'ehr-start-'));
    await chmod(scratch, 0o755);
    dataDir = join(scratch, 'data');
    port = await freePort();
    anvilPort = await freePort();
  });

  afterAll(async () => {
    await gw?.stop(5_000);
    await dropTestSchema(database);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('first start: prints the banner with a one-time admin password, serves health and docs, keeps keys private', async () => {
    gw = start();
    await gw.waitForStdout(BANNER, BOOT_MS);
    // The banner is a single write; a round trip later it has certainly been read in full.
    first.head = await health();
    const password = gw.stdout().match(/First start: an administrator was created[^\n]*\n\s+username\s+admin\n\s+password\s+(\S+)\n/)?.[1];
    expect(password).toBeDefined();
    first.password = password!;

    const docs = await fetch(`${base()}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('swagger');
    const openapi = await json('/docs-json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/health', '/v1/auth/login', '/v1/records']));

    const session = await login(first.password);
    expect(session.status).toBe(200);
    expect(session.body.accessToken).toEqual(expect.any(String));

    // Keys are created owner-only (0600 files in a 0700 directory).
    const keysDir = join(dataDir, 'keys');
    expect((await stat(keysDir)).mode & 0o777).toBe(0o700);
    const keyFiles = await readdir(keysDir);
    expect(keyFiles).toEqual(expect.arrayContaining(['chain-account.key', 'jwt.secret']));
    for (const file of keyFiles) expect({ file, mode: (await stat(join(keysDir, file))).mode & 0o777 }).toEqual({ file, mode: 0o600 });

    // Something worth finding after the restart: a document a hospital filed for a patient, anchored on chain.
    // The hospital's address admitted first, as the README has the operator do it on the embedded chain.
    const admin = { authorization: `Bearer ${session.body.accessToken}`, 'content-type': 'application/json' };
    const hospitalAddress = randomAddress();
    const admitted = runGatewayScript('consortium-admit.js', [hospitalAddress], env());
    expect(admitted).toMatchObject({ status: 0, stdout: `${JSON.stringify({ event: 'hospital_admitted', hospital: hospitalAddress, outcome: 'admitted' })}\n` });
    expect(runGatewayScript('consortium-admit.js', [hospitalAddress], env())).toMatchObject({ status: 0, stdout: expect.stringContaining('"outcome":"already admitted"') });
    expect(runGatewayScript('consortium-admit.js', ['0x1234'], env())).toMatchObject({ status: 64, stderr: expect.stringContaining('Usage: npm run consortium:admit') });
    const hospital = await json('/v1/accounts', {
      method: 'POST', headers: admin, body: JSON.stringify({ role: 'hospital', username: 'hospital.start', aadhaar: madeUpAadhaar(), chainAddress: hospitalAddress }),
    });
    expect(hospital.status).toBe(201);
    const key = await json(`/v1/accounts/${hospital.body.id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ label: 'start e2e' }) });
    expect(key.status).toBe(201);
    first.apiKey = key.body.key;
    const scope = (await json('/v1/ledger')).body as { chainId: number; consentManager: string };
    await registerRelationship({ rpcUrl: `http://127.0.0.1:${anvilPort}`, ...scope }, { key: patient.privateKey, address: patient.signer }, patient.salt);
    const token = makeFilingToken(patient, scope, hospitalAddress, Math.floor(Date.now() / 1000) + 600);
    const filed = await json('/v1/records?category=HealthDocumentRecord&clinicalDate=2026-11-30&wait=anchored', {
      method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-api-key': first.apiKey, 'x-filing-token': token }, body: documentBytes,
    });
    expect(filed).toMatchObject({ status: 201, body: { contentType: 'application/pdf', anchor: { status: 'anchored' } } });
    first.recordId = filed.body.recordId;
    first.head = await health();
    expect(first.head).toBeGreaterThan(0);

    first.deployments = await readFile(join(dataDir, 'chain', 'deployments.json'), 'utf8');
    expect(contractDeployments(gw.stdout()).map((line) => JSON.parse(line).contract)).toEqual(['ConsortiumRegistry', 'ConsortiumRoleAdmin', 'EmergencyAccess', 'ConsentManager', 'RecordAnchors', 'AccessLog']);
    // Postgres when DATABASE_URL is set, PGlite under DATA_DIR otherwise: this run used the one intended.
    expect(existsSync(join(dataDir, 'pglite'))).toBe(!databaseUrl);
    first.anvilPids = gw.anvilPids();
    expect(first.anvilPids).toHaveLength(1);
  }, 120_000);

  it('creates the data directory owner-only: chain state, database, IPFS blocks and keys are nobody else\'s', async () => {
    const open: string[] = [];
    const walk = async (path: string): Promise<void> => {
      const info = await lstat(path);
      if ((info.mode & 0o077) !== 0) open.push(`${path.slice(dataDir.length) || '/'} ${(info.mode & 0o777).toString(8)}`);
      if (info.isDirectory()) for (const entry of await readdir(path)) await walk(join(path, entry));
    };
    await walk(dataDir);

    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dataDir)).toEqual(expect.arrayContaining(['chain', 'ipfs', 'keys']));
    expect(open).toEqual([]);
  });

  it('writes secrets to no log line: the password only in the banner, key material nowhere', async () => {
    const stdout = gw!.stdout();
    const logs = jsonLogLines(stdout);
    expect(logs.length).toBeGreaterThan(20); // the check below is not vacuous
    for (const line of logs) expect(() => JSON.parse(line)).not.toThrow();
    expect(logs.filter((line) => line.includes(first.password))).toEqual([]);
    expect(stdout.split(first.password)).toHaveLength(2); // printed exactly once
    for (const file of ['chain-account.key', 'jwt.secret']) {
      const secret = (await readFile(join(dataDir, 'keys', file), 'utf8')).trim();
      expect(stdout.includes(secret) || gw!.stderr().includes(secret)).toBe(false);
    }
    expect(logs.filter((line) => line.includes(first.apiKey))).toEqual([]);
  });

  it('stops on SIGTERM, taking the embedded chain down with it', async () => {
    const exit = await gw!.stop();
    // Nest's shutdown hooks close the app, then re-raise the signal: death by SIGTERM, not exit 0.
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(gw!.stderr()).toBe('');
    expect(first.anvilPids.filter(isAlive)).toEqual([]);
    expect(existsSync(join(dataDir, 'chain', 'anvil-state.json'))).toBe(true);
  }, 30_000);

  it('second start on the same data: same admin, same contracts, the chain and the record kept', async () => {
    gw = start();
    await gw.waitForStdout(BANNER, BOOT_MS);
    const head = await health();
    expect(head).toBeGreaterThanOrEqual(first.head); // the chain state was reloaded, not a fresh chain

    expect(gw.stdout()).not.toContain('First start');
    expect(gw.stdout()).not.toContain(first.password);
    expect(await readFile(join(dataDir, 'chain', 'deployments.json'), 'utf8')).toBe(first.deployments);
    expect(contractDeployments(gw.stdout())).toEqual([]);
    // Same database and same JWT secret: the old password still signs in.
    expect((await login(first.password)).status).toBe(200);

    const auth = { 'x-api-key': first.apiKey };
    expect(await json(`/v1/records/${first.recordId}`, { headers: auth })).toMatchObject({ status: 200, body: { anchor: { status: 'anchored' } } });
    const content = await fetch(`${base()}/v1/records/${first.recordId}/content`, { headers: await pseudonymSignIn(base(), patient) });
    expect(content.status).toBe(200);
    expect(Buffer.from(await content.arrayBuffer()).equals(documentBytes)).toBe(true);

    const pids = gw.anvilPids();
    expect((await gw.stop()).signal).toBe('SIGTERM');
    expect(pids.filter(isAlive)).toEqual([]);
  }, 120_000);

  describe('bad configuration stops the start before anything is created', () => {
    it.each([
      ['PORT', { PORT: 'abc' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
      // Several processes cannot share PGlite: worker processes need Postgres.
      ['GATEWAY_WORKERS', { GATEWAY_WORKERS: '2', DATABASE_URL: '' }],
    ])('%s', async (variable, env) => {
      const untouched = join(dataDir, `never-${variable}`);
      const bad = spawnGateway({ DATA_DIR: untouched, ANVIL_PORT: '0', ...env });
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([bad.exited, new Promise((resolve) => (timer = setTimeout(resolve, 15_000, 'timeout')))]);
      clearTimeout(timer);
      if (exit === 'timeout') await bad.stop(1_000); // it booted after all: do not leave it running

      expect(exit).toEqual({ code: 78, signal: null }); // EX_CONFIG
      expect(bad.stderr()).toContain(`Invalid configuration: ${variable}`);
      expect(bad.stdout()).toBe('');
      expect(existsSync(untouched)).toBe(false);
    });
  });

  it('a port already in use fails the start without using up the one-time admin password', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const busyPort = (blocker.address() as AddressInfo).port;
    const fresh = join(dataDir, 'busy-port');
    const env = { DATA_DIR: fresh, HOST: '127.0.0.1', ANVIL_PORT: '0', CHAIN_BLOCK_TIME: '0', LOG_LEVEL: 'warn' };
    const schema: Record<string, string> = databaseUrl ? { DATABASE_SCHEMA: `t_${randomBytes(6).toString('hex')}` } : {};
    try {
      const refused = spawnGateway({ ...env, ...schema, PORT: String(busyPort) });
      const exit = await refused.exited;
      expect(exit.code).toBe(1);
      expect(refused.stderr()).toContain('EADDRINUSE');
      expect(refused.stdout()).not.toMatch(/First start/);
    } finally {
      blocker.close();
    }
    // The newcomer frees the port (or picks another) and still gets the admin password.
    gw = spawnGateway({ ...env, ...schema, PORT: String(await freePort()) });
    await gw.waitForStdout(/password {2}\S+/, BOOT_MS);
    expect(gw.stdout()).toMatch(/First start: an administrator was created/);
    await gw.stop();
    if (databaseUrl) await dropTestSchema({ ...database, schema: schema.DATABASE_SCHEMA });
  }, 150_000);
});
