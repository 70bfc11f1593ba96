import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protectDataDir } from './data-dir';

describe(protectDataDir.name, () => {
  let root: string;
  beforeEach(async () => (root = await mkdtemp(join(tmpdir(), 'ehr-data-dir-'))));
  afterEach(() => rm(root, { recursive: true, force: true }));
  const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

  it('creates a missing data directory owner-only', async () => {
    const dataDir = join(root, 'data');

    expect(await protectDataDir(dataDir)).toBe('private');
    expect(await modeOf(dataDir)).toBe(0o700);
  });

  it('narrows a data directory others can enter, and everything in it, to the owner', async () => {
    const dataDir = join(root, 'data');
    await mkdir(join(dataDir, 'pglite', 'base'), { recursive: true });
    await writeFile(join(dataDir, 'pglite', 'base', 'wal'), 'password hashes');
    await chmod(join(dataDir, 'pglite', 'base', 'wal'), 0o666);
    await chmod(join(dataDir, 'pglite', 'base'), 0o777);
    await chmod(dataDir, 0o755);

    expect(await protectDataDir(dataDir)).toBe('narrowed');
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(join(dataDir, 'pglite', 'base'))).toBe(0o700);
    expect(await modeOf(join(dataDir, 'pglite', 'base', 'wal'))).toBe(0o600);
  });

  it('leaves a private data directory as it is', async () => {
    const dataDir = join(root, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(join(dataDir, 'note'), 'x', { mode: 0o640 });

    expect(await protectDataDir(dataDir)).toBe('private');
    expect(await modeOf(join(dataDir, 'note'))).toBe(0o640);
  });
});
