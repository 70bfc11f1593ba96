import { EventEmitter } from 'node:events';
import { PGliteDriver } from 'typeorm-pglite';

type Callback = (error: unknown, result?: unknown) => void;
type PgliteResult = { rows: unknown[]; affectedRows?: number };
interface SharedPool {
  query(sql: string, params?: unknown[]): Promise<PgliteResult>;
  end(callback: (error: unknown) => void): void;
  on(event: string, listener: () => void): unknown;
}

/** First-come, first-served lock: who holds it owns the single PGlite session. */
class SessionLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return ready;
  }
}

const BEGIN = /^\s*(START\s+TRANSACTION|BEGIN)\b/i;
const END = /^\s*(COMMIT|ROLLBACK)\s*;?\s*$/i;

/**
 * PGlite is one Postgres session, but TypeORM believes it has a pool: with typeorm-pglite as it
 * is, two requests' transactions interleave on that one session (one's ROLLBACK undoes the
 * other's writes) and UPDATE/DELETE report no affected rows. This wrapper gives each TypeORM
 * connection a client that holds the session from BEGIN to COMMIT/ROLLBACK, makes every other
 * statement wait for it, and reports `rowCount` as node-postgres does.
 */
export function serialPgliteDriver(dataDir: string): unknown {
  const base = new PGliteDriver({ dataDir }).driver as unknown as { Pool: new () => SharedPool };
  const lock = new SessionLock();

  class Client extends EventEmitter {
    private releaseSession: (() => void) | null = null;

    constructor(private readonly shared: SharedPool) {
      super();
    }

    async query(sql: string, params?: unknown[] | Callback, callback?: Callback): Promise<unknown> {
      const values = Array.isArray(params) ? params : undefined;
      const done = typeof params === 'function' ? params : callback;
      try {
        const result = await this.run(sql, values);
        done?.(null, result);
        return result;
      } catch (error) {
        done?.(error);
        throw error;
      }
    }

    private async run(sql: string, values?: unknown[]) {
      const inTransaction = this.releaseSession !== null;
      const release = inTransaction ? null : await lock.acquire();
      if (release && BEGIN.test(sql)) this.releaseSession = release;
      try {
        const raw = await this.shared.query(sql, values);
        return { ...raw, rowCount: raw.affectedRows ?? raw.rows.length, command: sql.trim().split(/\s+/)[0].toUpperCase() };
      } finally {
        if (this.releaseSession && END.test(sql)) this.endTransaction();
        else if (release && !this.releaseSession) release();
      }
    }

    private endTransaction() {
      const release = this.releaseSession;
      this.releaseSession = null;
      release?.();
    }

    /** Handed back with a transaction still open (an error path): roll it back, free the session. */
    async dispose(): Promise<void> {
      if (!this.releaseSession) return;
      try {
        await this.shared.query('ROLLBACK');
      } finally {
        this.endTransaction();
      }
    }
  }

  class Pool extends EventEmitter {
    private readonly shared = new base.Pool();

    connect(callback: (error: unknown, client?: Client, release?: () => void) => void): void {
      const client = new Client(this.shared);
      // Warm the instance so connection errors surface here, as node-postgres does.
      this.shared.query('SELECT 1').then(
        () => callback(null, client, () => void client.dispose()),
        (error: unknown) => callback(error),
      );
    }

    query(sql: string, params?: unknown[] | Callback, callback?: Callback): Promise<unknown> {
      return new Client(this.shared).query(sql, params, callback);
    }

    end(callback?: (error: unknown) => void): void {
      this.shared.end((error) => callback?.(error));
    }
  }

  return class SerialPgliteDriver {
    static Pool = Pool;
  };
}
