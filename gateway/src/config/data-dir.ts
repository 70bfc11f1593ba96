import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes the data directory (chain state, PGlite with every password and API-key hash, IPFS
 * blocks, keys) the owner's alone: created 0700; found open to group or others, narrowed back
 * with everything under it (as the key store does for key files; issue 10 found 969 of 996 PGlite
 * files world-writable). New files stay private because `npm start` runs with umask 077.
 * Returns what it did.
 */
export async function protectDataDir(dataDir: string): Promise<'private' | 'narrowed'> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (((await stat(dataDir)).mode & 0o077) === 0) return 'private';
  await narrowTree(dataDir);
  return 'narrowed';
}

/**
 * Removes group and other permissions from `path` and, for a directory, from all it holds
 * (symlinks are left alone). Also for PGlite's directory once the database is open: PGlite
 * (PostgreSQL compiled to WebAssembly) sets its files to 0666 whatever the umask.
 */
export async function narrowTree(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  if ((info.mode & 0o077) !== 0) await chmod(path, info.mode & 0o700);
  if (info.isDirectory()) for (const entry of await readdir(path)) await narrowTree(join(path, entry));
}
