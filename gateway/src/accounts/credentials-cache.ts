import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Role } from '../auth/permissions';

/**
 * The Postgres channel the gateway processes of one schema listen on (channels are per
 * database, and tenants or test runs may share one): the payload is an account id, a revoked
 * token's `token:<id>`, or a process's own `ping:` to itself.
 */
export const credentialsChannel = (schema: string): string => `ehr_credentials_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
/** An upper bound on how long an entry lives even when no change is heard: a safety net, not the mechanism. */
const MAX_AGE_MS = 60_000;
/**
 * How often a listening process sends itself a notification and how long it waits for it: a
 * connection that died without an error (an idle timeout on the way, a pooler that does not
 * pass notifications on) would otherwise leave the cache trusted while deaf.
 */
const PING_EVERY_MS = 5_000;
const PING_TIMEOUT_MS = 2_000;
/** Entries kept per map before it starts over (hospital systems and signed-in people of one gateway: far fewer). */
const MAX_ENTRIES = 10_000;
const RECONNECT_MS = 1_000;

/** What a credential check needs to know of an account. */
export interface CachedAccount {
  id: string;
  role: Role;
  disabled: boolean;
  /** When the password last changed, ms (0: never): tokens must carry it. */
  credentialsVersion: number;
}

/** An API key found valid: its account, and when it stops working (rotated out with an overlap). */
export interface CachedApiKey {
  keyId: string;
  account: CachedAccount;
  expiresAt: number | null;
}

interface Entry<T> {
  value: T;
  cachedAt: number;
}

/**
 * What credential checks read from the database on every request (the API key's row and its
 * account; a token's account), kept in memory so a request costs no round trip for them, and
 * forgotten the moment they change:
 *
 * - every change of an account's credentials (disable, password, key rotated or revoked) runs
 *   through `changing`, which tells every gateway process in the same transaction (Postgres
 *   NOTIFY, delivered at commit) and forgets locally once committed;
 * - a lookup that raced with a change is not kept (an epoch counts the changes heard);
 * - a process that is not listening (its listening connection dropped) caches nothing until it
 *   listens again, and then starts empty, since it may have missed a change.
 *
 * PGlite lives in one process, so there the local forgetting is all there is to it.
 */
@Injectable()
export class CredentialsCache implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CredentialsCache.name);
  private readonly apiKeys = new Map<string, Entry<CachedApiKey>>();
  private readonly accounts = new Map<string, Entry<CachedAccount>>();
  /** Whether a bearer token (by its id) was revoked: logout and refresh end tokens before they expire. */
  private readonly tokens = new Map<string, Entry<boolean>>();
  private epoch = 0;
  /** Whether a change made by another process would be heard now. */
  private listening: boolean;
  private listener?: PoolClient;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private pinger?: NodeJS.Timeout;
  /** The ping sent and not heard back yet. */
  private awaitedPing?: { payload: string; heard: () => void };
  readonly channel: string;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.listening = !this.pool();
    this.channel = credentialsChannel((db.options as { schema?: string }).schema ?? 'public');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.pinger);
    this.listener?.release(true);
  }

  /** The API key whose SHA-256 (of the whole key) is `keyHash`, if cached and not expired. */
  apiKey(keyHash: string, now = Date.now()): CachedApiKey | undefined {
    const hit = this.fresh(this.apiKeys, keyHash, now);
    return hit && (hit.expiresAt === null || hit.expiresAt > now) ? hit : undefined;
  }

  account(accountId: string, now = Date.now()): CachedAccount | undefined {
    return this.fresh(this.accounts, accountId, now);
  }

  /** Whether the token `tokenId` is revoked, if known here and fresh. */
  tokenRevoked(tokenId: string, now = Date.now()): boolean | undefined {
    return this.fresh(this.tokens, tokenId, now);
  }

  rememberToken(epoch: number, tokenId: string, revoked: boolean): void {
    this.remember(this.tokens, epoch, tokenId, revoked);
  }

  /** Runs `work` (which revokes the token) in a transaction; every process forgets what it knew of the token at commit. */
  async revoking<T>(tokenId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    this.forgetToken(tokenId);
    const result = await this.db.transaction(async (manager) => {
      const value = await work(manager);
      await manager.query('SELECT pg_notify($1, $2)', [this.channel, `token:${tokenId}`]);
      return value;
    });
    this.forgetToken(tokenId);
    return result;
  }

  /** The epoch before a lookup: `remember*` keeps its result only if no change was heard meanwhile. */
  begin(): number {
    return this.epoch;
  }

  rememberApiKey(epoch: number, keyHash: string, key: CachedApiKey): void {
    this.remember(this.apiKeys, epoch, keyHash, key);
  }

  rememberAccount(epoch: number, account: CachedAccount): void {
    this.remember(this.accounts, epoch, account.id, account);
  }

  /**
   * Runs `work` in a transaction that changes `accountId`'s credentials: every gateway process
   * forgets what it cached of the account when the transaction commits (this one before it
   * answers, others when the notification arrives, within milliseconds).
   */
  async changing<T>(accountId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    this.forget(accountId);
    const result = await this.db.transaction(async (manager) => {
      const value = await work(manager);
      await manager.query('SELECT pg_notify($1, $2)', [this.channel, accountId]);
      return value;
    });
    this.forget(accountId);
    return result;
  }

  private forgetToken(tokenId: string): void {
    this.epoch++;
    this.tokens.delete(tokenId);
  }

  /** Drops every entry of the account (its keys and its own), and anything looked up meanwhile. */
  forget(accountId: string): void {
    this.epoch++;
    this.accounts.delete(accountId);
    for (const [hash, entry] of this.apiKeys) if (entry.value.account.id === accountId) this.apiKeys.delete(hash);
  }

  private fresh<T>(map: Map<string, Entry<T>>, key: string, now: number): T | undefined {
    if (!this.listening) return undefined;
    const entry = map.get(key);
    if (!entry) return undefined;
    if (now - entry.cachedAt > MAX_AGE_MS) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  private remember<T>(map: Map<string, Entry<T>>, epoch: number, key: string, value: T): void {
    if (!this.listening || epoch !== this.epoch) return;
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, { value, cachedAt: Date.now() });
  }

  private forgetAll(): void {
    this.epoch++;
    this.apiKeys.clear();
    this.accounts.clear();
    this.tokens.clear();
  }

  /** Postgres: the pool of the TypeORM driver; none for PGlite. */
  private pool(): Pool | undefined {
    return 'url' in this.db.options && this.db.options.url ? ((this.db.driver as PostgresDriver).master as Pool) : undefined;
  }

  /** A connection of its own that LISTENs; on any error, or a ping not heard back, the cache goes dark and tries again each second. */
  private async listen(): Promise<void> {
    const pool = this.pool();
    if (!pool || this.stopped) return;
    try {
      const client = await pool.connect();
      this.listener = client;
      client.on('notification', (message) => {
        if (message.channel !== this.channel || !message.payload) return;
        if (message.payload.startsWith('ping:')) {
          if (message.payload === this.awaitedPing?.payload) this.awaitedPing.heard();
          return;
        }
        if (message.payload.startsWith('token:')) this.forgetToken(message.payload.slice('token:'.length));
        else this.forget(message.payload);
      });
      client.on('error', (error) => this.lost(client, error));
      // Named after its channel, so an operator (or a test) finds this schema's listeners in pg_stat_activity.
      await client.query(`SET application_name TO '${this.channel}'`);
      await client.query(`LISTEN ${this.channel}`);
      this.forgetAll();
      this.listening = true;
      this.pinger = setInterval(() => void this.ping(client), PING_EVERY_MS);
      this.pinger.unref();
    } catch (error) {
      this.lost(this.listener, error);
    }
  }

  /** Sends this process a notification through its own listening connection and waits for it. */
  private async ping(client: PoolClient): Promise<void> {
    if (client !== this.listener) return;
    const payload = `ping:${randomBytes(8).toString('hex')}`;
    const heard = new Promise<void>((resolve) => (this.awaitedPing = { payload, heard: resolve }));
    let timer: NodeJS.Timeout | undefined;
    const deaf = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`a notification sent to itself was not heard within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS)));
    try {
      await Promise.race([client.query('SELECT pg_notify($1, $2)', [this.channel, payload]).then(() => heard), deaf]);
    } catch (error) {
      this.lost(client, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private lost(client: PoolClient | undefined, error: unknown): void {
    if (this.stopped) return;
    this.listening = false;
    this.forgetAll();
    clearInterval(this.pinger);
    if (client === this.listener) {
      this.listener = undefined;
      client?.release(true);
    }
    this.logger.warn(`Not listening for credential changes (${error instanceof Error ? error.message : String(error)}); checking every request against the database until it listens again`);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.listen(), RECONNECT_MS);
    this.retry.unref();
  }
}
