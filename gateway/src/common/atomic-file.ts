import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces `file` so that a crash or power loss leaves the old content or the new one, never
 * half of one: the bytes go to a temporary file in the same directory (rename is atomic only
 * within one filesystem), are fsynced before any name points at them, then renamed over the
 * old file; the directory is fsynced last so the rename itself is durable.
 */
export async function writeFileAtomically(file: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = await writeTemporary(file, content, mode);
  try {
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(file));
}

/**
 * The same, but never replaces a file that exists: link(2) fails where rename(2) would
 * overwrite, so when two processes create `file` at once exactly one wins and the other
 * reads the winner's. Returns false when `file` already existed (it is left untouched).
 */
export async function createFileAtomically(file: string, content: string | Uint8Array, mode = 0o644): Promise<boolean> {
  const tmp = await writeTemporary(file, content, mode);
  try {
    await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
  await syncDirectory(dirname(file));
  return true;
}

async function writeTemporary(file: string, content: string | Uint8Array, mode: number): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  // A random suffix: two writers in one process must not share a temporary file.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  return tmp;
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) and filesystems cannot open or fsync a directory; the file
    // itself is already durable there, only the rename may be lost.
    if (!['EISDIR', 'EPERM', 'EINVAL'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
