import { createHash } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';
import { DependencyUnavailableError } from '../common/errors';

/**
 * Who may send chain writes: exactly one holder per database, so replicas never race for the
 * gateway account's nonces (DESIGN.md, chain writes). The holder keeps it until it stops.
 */
export abstract class SenderLock {
  /** True when this process holds the lock (taking it if free); false while another does. */
  abstract acquire(): Promise<boolean>;
  abstract release(): Promise<void>;
}

/** The advisory-lock key of a schema: replicas of one deployment share it, tenants in other schemas do not. */
export function senderLockKey(schema: string): bigint {
  return createHash('sha256').update(`ehrchain/outbox-sender/${schema}`).digest().readBigInt64BE(0);
}

/**
 * Postgres: a session-level advisory lock on a connection of its own. If the holder dies its
 * session ends and Postgres frees the lock, so another replica takes over within a cycle.
 */
export class PostgresSenderLock extends SenderLock {
  private session: QueryRunner | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly key: bigint,
  ) {
    super();
  }

  async acquire(): Promise<boolean> {
    if (this.session) {
      try {
        await this.session.query('SELECT 1');
        return true;
      } catch {
        await this.drop(); // the session is gone, and the lock with it: compete again
      }
    }
    const session = this.db.createQueryRunner();
    try {
      const [{ locked }] = await session.query('SELECT pg_try_advisory_lock($1) AS locked', [this.key.toString()]);
      if (locked === true) {
        this.session = session;
        return true;
      }
    } catch (error) {
      await session.release();
      throw new DependencyUnavailableError('database', error);
    }
    await session.release();
    return false;
  }

  async release(): Promise<void> {
    if (!this.session) return;
    try {
      await this.session.query('SELECT pg_advisory_unlock($1)', [this.key.toString()]);
    } finally {
      await this.drop();
    }
  }

  private async drop(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release().catch(() => undefined);
  }
}

// PGlite is one session, in which an advisory lock is re-entrant, and one process owns its
// directory; so the holder is tracked here, per data directory, in that process.
const processHolders = new Map<string, ProcessSenderLock>();

/** PGlite: the database lives in this process, so the lock does too. */
export class ProcessSenderLock extends SenderLock {
  constructor(private readonly key: string) {
    super();
  }

  async acquire(): Promise<boolean> {
    const holder = processHolders.get(this.key);
    if (holder && holder !== this) return false;
    processHolders.set(this.key, this);
    return true;
  }

  async release(): Promise<void> {
    if (processHolders.get(this.key) === this) processHolders.delete(this.key);
  }
}
