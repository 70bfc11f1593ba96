import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { KeyStore } from './key-store';

describe(KeyStore.name, () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'ehr-keys-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates owner-only key files on first open and reuses them afterwards', async () => {
    const first = await KeyStore.open(join(dir, 'keys'));
    expect(first.created.sort()).toEqual(['aadhaarLookup', 'aadhaarTransport', 'chain', 'jwt', 'metricsToken', 'outboxMac']);
    expect(first.chainPrivateKey()).toMatch(/^0x[0-9a-f]{64}$/);
    expect(first.outboxMacKey()).toHaveLength(32);
    for (const file of ['chain-account.key', 'jwt.secret', 'outbox-mac.secret', 'aadhaar-lookup.secret', 'metrics.token']) {
      expect((await stat(join(dir, 'keys', file))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(join(dir, 'keys'))).mode & 0o777).toBe(0o700);

    const second = await KeyStore.open(join(dir, 'keys'));
    expect(second.created).toEqual([]);
    expect(second.chainPrivateKey()).toBe(first.chainPrivateKey());
    expect(second.jwtSecret()).toBe(first.jwtSecret());
    expect(second.outboxMacKey().equals(first.outboxMacKey())).toBe(true);
  });

  it('narrows a key file others can read back to 0600', async () => {
    await KeyStore.open(dir);
    await chmod(join(dir, 'jwt.secret'), 0o644);
    await KeyStore.open(dir);
    expect((await stat(join(dir, 'jwt.secret'))).mode & 0o777).toBe(0o600);
  });

  it('never prints its keys when logged or serialised', async () => {
    const sut = await KeyStore.open(dir);
    const secret = (await readFile(join(dir, 'chain-account.key'), 'utf8')).trim().slice(2);
    expect(JSON.stringify({ sut })).not.toContain(secret);
    expect(inspect(sut, { depth: 5 })).not.toContain(secret);
  });
});

describe('KeyStore development authorities', () => {
  it('creates the embedded chain\'s authority keys once, owner-only, and returns the same ones later', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ehr-keys-'));
    try {
      const first = await (await KeyStore.open(dir)).devAuthorityKeys(3);
      expect(new Set(first).size).toBe(3);
      expect((await stat(join(dir, 'dev-authority-2.key'))).mode & 0o777).toBe(0o600);
      expect(await (await KeyStore.open(dir)).devAuthorityKeys(3)).toEqual(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
