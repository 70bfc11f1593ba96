import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { DecryptionError } from '../crypto/decryption-error';
import { Keyring } from './keyring';

interface StoredKeyring {
  active: string;
  keys: { id: string; key: string }[];
}

describe(Keyring.name, () => {
  let dir: string;
  const dataKey = randomBytes(32);
  const aad = 'patient:1f0c2b7e-data-key';
  const stored = async (): Promise<StoredKeyring> => JSON.parse(await readFile(join(dir, 'keyring.json'), 'utf8')) as StoredKeyring;

  beforeEach(async () => (dir = join(await mkdtemp(join(tmpdir(), 'ehr-keyring-')), 'keys')));
  afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }));

  it('creates an owner-only keyring file on first open and finds the same keys when reopened', async () => {
    const first = await Keyring.open(dir);
    expect(first.created).toBe(true);
    expect(first.activeKeyId).toMatch(/^k[0-9a-f]{8}$/);
    expect((await stat(join(dir, 'keyring.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const wrapped = first.wrap(dataKey, aad);

    const second = await Keyring.open(dir);
    expect(second.created).toBe(false);
    expect(second.readOnly).toBe(false);
    expect(second.activeKeyId).toBe(first.activeKeyId);
    expect(second.unwrap(wrapped, aad)).toEqual(dataKey);
  });

  it('gives every opener the same keyring when several create it at once', async () => {
    const keyrings = await Promise.all([Keyring.open(dir), Keyring.open(dir), Keyring.open(dir)]);
    expect(keyrings.filter((keyring) => keyring.created)).toHaveLength(1);
    const wrapped = keyrings[0].wrap(dataKey, aad);
    for (const keyring of keyrings) expect(keyring.unwrap(wrapped, aad)).toEqual(dataKey);
  });

  it('wraps into a string that names the key id and does not contain the data key', async () => {
    const sut = await Keyring.open(dir);
    const wrapped = sut.wrap(dataKey, aad);
    expect(wrapped.startsWith(`kw1.${sut.activeKeyId}.`)).toBe(true);
    expect(Buffer.from(wrapped.split('.')[2], 'base64url').includes(dataKey)).toBe(false);
    expect(sut.wrap(dataKey, aad)).not.toBe(wrapped);
  });

  it('unwraps keys wrapped before a rotation, in this process and after reopening', async () => {
    const sut = await Keyring.open(dir);
    const before = sut.wrap(dataKey, aad);
    const oldId = sut.activeKeyId;
    const newId = await sut.rotate();
    expect(newId).not.toBe(oldId);
    expect(sut.activeKeyId).toBe(newId);
    expect(sut.wrap(dataKey, aad).startsWith(`kw1.${newId}.`)).toBe(true);
    expect(sut.unwrap(before, aad)).toEqual(dataKey);

    const reopened = await Keyring.open(dir);
    expect(reopened.activeKeyId).toBe(newId);
    expect(reopened.unwrap(before, aad)).toEqual(dataKey);
    expect((await stored()).keys.map((key) => key.id)).toEqual([oldId, newId]);
    expect((await stat(join(dir, 'keyring.json'))).mode & 0o777).toBe(0o600);
  });

  it('finds a key another process rotated in (npm run keys:rotate beside a running gateway), and wraps under it from then on', async () => {
    const gateway = await Keyring.open(dir);
    const rotator = await Keyring.open(dir);
    const newId = await rotator.rotate();
    const rewrapped = rotator.wrap(dataKey, aad);

    expect(gateway.unwrap(rewrapped, aad)).toEqual(dataKey);
    expect(gateway.activeKeyId).toBe(newId);
    expect(gateway.wrap(dataKey, aad).startsWith(`kw1.${newId}.`)).toBe(true);
    // An id that is nowhere stays unknown (and the file is read once for it, not on every use).
    const foreign = rewrapped.replace(`kw1.${newId}.`, 'kw1.k00000000.');
    expect(() => gateway.unwrap(foreign, aad)).toThrow(expect.objectContaining({ code: 'KEYRING_UNKNOWN_KEY' }));
  });

  it('keeps both keys when two processes rotate at once (two keys:rotate runs), and wraps under the newest from then on', async () => {
    const gateway = await Keyring.open(dir);
    const first = await Keyring.open(dir);
    const second = await Keyring.open(dir);
    const initial = gateway.activeKeyId;
    const [a, b] = await Promise.all([first.rotate(), second.rotate()]);
    const ids = (await stored()).keys.map((key) => key.id);
    expect(ids).toHaveLength(3);
    expect(ids).toEqual(expect.arrayContaining([initial, a, b]));
    // The gateway opened before both: its next wrap is under the file's active key, not the one it started with.
    expect(gateway.wrap(dataKey, aad).startsWith(`kw1.${(await stored()).active}.`)).toBe(true);
    expect(await Keyring.open(dir).then((k) => k.activeKeyId)).toBe((await stored()).active);
  });

  it('keeps every key when rotations overlap', async () => {
    const sut = await Keyring.open(dir);
    const ids = await Promise.all([sut.rotate(), sut.rotate(), sut.rotate()]);
    expect(new Set(ids).size).toBe(3);
    expect((await stored()).keys).toHaveLength(4);
    expect((await stored()).active).toBe(sut.activeKeyId);
  });

  it('rewraps under the active key, bound to the same context', async () => {
    const sut = await Keyring.open(dir);
    const old = sut.wrap(dataKey, aad);
    await sut.rotate();
    const rewrapped = sut.rewrap(old, aad);
    expect(rewrapped.startsWith(`kw1.${sut.activeKeyId}.`)).toBe(true);
    expect(sut.unwrap(rewrapped, aad)).toEqual(dataKey);
    expect(() => sut.unwrap(rewrapped, 'patient:other')).toThrow(DecryptionError);
    expect(sut.rewrap(rewrapped, aad)).toBe(rewrapped);
    expect(() => sut.rewrap(old, 'patient:other')).toThrow(DecryptionError);
  });

  it('refuses a wrapped key that was altered, or given another context', async () => {
    const sut = await Keyring.open(dir);
    const wrapped = sut.wrap(dataKey, aad);
    const body = wrapped.split('.')[2];
    const flipped = `${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    expect(() => sut.unwrap(wrapped.replace(body, flipped), aad)).toThrow(DecryptionError);
    expect(() => sut.unwrap(wrapped, 'patient:2a9d')).toThrow(/^Wrapped key could not be decrypted/);
    expect(() => sut.unwrap(wrapped, '')).toThrow(DecryptionError);
  });

  it('refuses a wrapped key relabelled with another key id of the same keyring', async () => {
    const sut = await Keyring.open(dir);
    const wrapped = sut.wrap(dataKey, aad);
    const oldId = sut.activeKeyId;
    const newId = await sut.rotate();
    expect(() => sut.unwrap(wrapped.replace(oldId, newId), aad)).toThrow(DecryptionError);
  });

  it('names an unknown key id, and refuses what is not a wrapped key', async () => {
    const sut = await Keyring.open(dir);
    const wrapped = sut.wrap(dataKey, aad).replace(sut.activeKeyId, 'k00000000');
    expect(() => sut.unwrap(wrapped, aad)).toThrow(expect.objectContaining({ code: 'KEYRING_UNKNOWN_KEY', message: expect.stringContaining('has no key k00000000') }));
    expect(() => sut.unwrap(dataKey.toString('base64'), aad)).toThrow(expect.objectContaining({ code: 'KEYRING_WRAPPED_MALFORMED' }));
    expect(() => sut.wrap(dataKey.subarray(0, 16), aad)).toThrow('A data key must be 32 bytes, got 16');
  });

  it('loads a read-only keyring (a mounted secret) and refuses to rotate it, changing nothing', async () => {
    const wrapped = (await Keyring.open(dir)).wrap(dataKey, aad);
    const file = join(dir, 'keyring.json');
    await chmod(file, 0o400);
    const before = await readFile(file, 'utf8');

    const sut = await Keyring.open(dir);
    expect(sut.readOnly).toBe(true);
    expect(sut.unwrap(wrapped, aad)).toEqual(dataKey);
    await expect(sut.rotate()).rejects.toThrow(expect.objectContaining({ code: 'KEYRING_READ_ONLY', message: expect.stringContaining('is read-only') }));
    expect(await readFile(file, 'utf8')).toBe(before);
    expect((await stat(file)).mode & 0o777).toBe(0o400);
  });

  it('narrows a keyring file others can read back to 0600', async () => {
    await Keyring.open(dir);
    await chmod(join(dir, 'keyring.json'), 0o644);
    await Keyring.open(dir);
    expect((await stat(join(dir, 'keyring.json'))).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', '{"format":'],
    ['without keys', '{"format":"ehrchain-keyring/1","active":"k00000000","keys":[]}'],
    ['with a short key', '{"format":"ehrchain-keyring/1","active":"k00000000","keys":[{"id":"k00000000","key":"AAAA"}]}'],
  ])('refuses to open a keyring file %s, and never replaces it', async (_case, content) => {
    await Keyring.open(dir);
    await writeFile(join(dir, 'keyring.json'), content);
    await expect(Keyring.open(dir)).rejects.toThrow(expect.objectContaining({ code: 'KEYRING_FILE_INVALID', message: expect.stringContaining('restore it from backup') }));
    expect(await readFile(join(dir, 'keyring.json'), 'utf8')).toBe(content);
  });

  it('never prints its keys when logged or serialised', async () => {
    const sut = await Keyring.open(dir);
    await sut.rotate();
    const secrets = (await stored()).keys.map((key) => key.key);
    const printed = [JSON.stringify({ sut }), inspect(sut, { depth: 5, showHidden: true }), String(sut), `${sut}`];
    for (const text of printed) {
      expect(text).toContain(sut.activeKeyId);
      for (const secret of secrets) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(Buffer.from(secret, 'base64').toString('hex'));
      }
    }
  });
});
