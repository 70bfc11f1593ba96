import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './args';

/** Names the generator writes at the top of its output directory (and so may replace with --force). */
const GENERATED_ENTRY =
  /^(validator\d+|rpcnode\d+|accounts|ipfs|genesis\.json|static-nodes\.json|permissions_config\.toml|network\.json|docker-compose\.yml|\.gitignore)$/;

/** Secrets and identities: owner read/write only. */
export const SECRET_MODE = 0o600;
export const PUBLIC_MODE = 0o644;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates the output directory, or checks an existing one is empty. With `force`, earlier
 * generator output is removed first (its keys are gone for good) and foreign files are kept.
 * Returns the names removed.
 */
export async function prepareOutputDir(dir: string, force: boolean): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  if (entries.length === 0) return [];
  if (!force) {
    throw new UsageError(
      `Refusing to write into ${dir}: it is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}). ` +
        'Choose another --out, or pass --force to replace earlier output and its keys.',
    );
  }
  const ours = entries.filter((name) => GENERATED_ENTRY.test(name));
  for (const name of ours) await rm(join(dir, name), { recursive: true, force: true });
  return ours;
}

export async function makePrivateDir(path: string): Promise<void> {
  await mkdir(path, { mode: PRIVATE_DIR_MODE });
  await chmod(path, PRIVATE_DIR_MODE);
}

/** Writes a new file (never overwrites) and sets its mode whatever the umask. */
export async function writeNewFile(path: string, content: string, mode: number): Promise<void> {
  await writeFile(path, content, { mode, flag: 'wx' });
  await chmod(path, mode);
}
