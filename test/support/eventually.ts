import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries `check` until it returns without throwing, then returns its value; after `timeoutMs`
 * rethrows its last error, so the failure says what was still wrong. The one poll loop of the
 * tests (a background writer, a block to come): assertions inside `check` say what is awaited.
 */
export async function eventually<T>(check: () => T | Promise<T>, { timeoutMs = 10_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
