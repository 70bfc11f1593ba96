import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `work` holding `lockFile`, made with O_EXCL (`wx`): of processes sharing a file system,
 * one at a time (two `npm run keys:rotate` at once, or one beside a gateway). A lock older than
 * `staleMs` was left by a process that died, and is taken over. POSIX O_EXCL is atomic on local
 * file systems, which is where the keys directory lives.
 */
export async function withFileLock<T>(lockFile: string, work: () => Promise<T>, { timeoutMs = 10_000, staleMs = 60_000 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(lockFile).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (since > staleMs) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lockFile} is held by another process (for ${Math.round(since / 1000)} s); try again when it has finished`);
      await sleep(25);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}
