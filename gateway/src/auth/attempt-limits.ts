/**
 * Memory of failed attempts, per username and per client address, for the limits that count
 * failures rather than requests (issue 10). In memory, per gateway process: a second replica
 * keeps its own counts, which at worst doubles what an attacker gets (README "Rate limits").
 * Each map holds at most `maxEntries` keys, dropping the longest unused first, so a flood of
 * made-up usernames or addresses cannot grow it without bound.
 */

type Clock = () => number;

/** A Map capped at `maxEntries`, least recently written first out. */
class CappedMap<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

/** A day without failures forgives the earlier ones. */
const FORGIVE_AFTER_MS = 24 * 3600 * 1000;

/**
 * Progressive back-off per username: the `freeFailures`-th failed sign-in in a row makes the
 * username wait 1 s, each further one twice as long (2 s, 4 s...) up to `maxSeconds`; a success clears it.
 * Applied to any username, existing or not, so it tells nobody which exist. Checked before the
 * password is hashed, so hammering one account costs the gateway nothing while it waits.
 */
export class LoginBackoff {
  private readonly entries: CappedMap<{ failures: number; lastFailure: number; until: number }>;

  constructor(
    private readonly freeFailures: number,
    private readonly maxSeconds: number,
    private readonly now: Clock = Date.now,
    maxEntries = 100_000,
  ) {
    this.entries = new CappedMap(maxEntries);
  }

  /** Whole seconds `username` must still wait before its next attempt; 0 when it may try now. */
  waitSeconds(username: string): number {
    const entry = this.entries.get(key(username));
    if (!entry) return 0;
    return Math.max(0, Math.ceil((entry.until - this.now()) / 1000));
  }

  failed(username: string): void {
    const now = this.now();
    const previous = this.entries.get(key(username));
    const failures = previous && now - previous.lastFailure < FORGIVE_AFTER_MS ? previous.failures + 1 : 1;
    const over = failures - this.freeFailures + 1;
    const waitMs = over > 0 ? Math.min(2 ** Math.min(over - 1, 30), this.maxSeconds) * 1000 : 0;
    this.entries.set(key(username), { failures, lastFailure: now, until: now + waitMs });
  }

  succeeded(username: string): void {
    this.entries.delete(key(username));
  }
}

/**
 * At most `limit` events per key within a fixed window of `windowMs` (failed token or API-key
 * checks per client address): beyond it the key is refused until the window ends.
 */
export class WindowCounter {
  private readonly windows: CappedMap<{ start: number; count: number }>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: Clock = Date.now,
    maxEntries = 100_000,
  ) {
    this.windows = new CappedMap(maxEntries);
  }

  /** Whole seconds until `key` is under its limit again; 0 when it is now. */
  retryAfterSeconds(key: string): number {
    const window = this.windows.get(key);
    if (!window || window.count < this.limit) return 0;
    return Math.max(0, Math.ceil((window.start + this.windowMs - this.now()) / 1000));
  }

  add(key: string): void {
    const now = this.now();
    const window = this.windows.get(key);
    this.windows.set(key, window && now - window.start < this.windowMs ? { start: window.start, count: window.count + 1 } : { start: now, count: 1 });
  }
}

const key = (username: string): string => username.trim().toLowerCase();
