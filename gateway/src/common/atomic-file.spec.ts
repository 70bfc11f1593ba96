import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileAtomically, writeFileAtomically } from './atomic-file';

describe('atomic files', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'ehr-atomic-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replaces a file with the mode asked for, creating its directory, and leaves no temporary file', async () => {
    const file = join(dir, 'nested', 'state.json');
    await writeFileAtomically(file, 'first', 0o600);
    await writeFileAtomically(file, 'second', 0o600);
    expect(await readFile(file, 'utf8')).toBe('second');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.json']);
  });

  it('creates a missing file but never replaces an existing one', async () => {
    const file = join(dir, 'keyring.json');
    await writeFile(file, 'theirs');
    await expect(createFileAtomically(file, 'mine', 0o600)).resolves.toBe(false);
    expect(await readFile(file, 'utf8')).toBe('theirs');
    expect(await readdir(dir)).toEqual(['keyring.json']);
  });

  it('lets exactly one of several simultaneous creators win', async () => {
    const file = join(dir, 'keyring.json');
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((content) => createFileAtomically(file, content, 0o600)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readFile(file, 'utf8')).toBe(['a', 'b', 'c', 'd'][results.indexOf(true)]);
    expect(await readdir(dir)).toEqual(['keyring.json']);
  });
});
