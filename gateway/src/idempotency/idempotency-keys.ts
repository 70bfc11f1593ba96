import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { canonicalJson } from '../common/canonical-json';
import { ApiError } from '../common/errors';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** How long a key is remembered (the draft leaves it to the server; a day covers any client's retries). */
const KEPT = '24 hours';
/**
 * A request still "in progress" after this long died with its process (requests time out after
 * REQUEST_TIMEOUT_MS, 60 s by default): a retry with the same request may take the key over.
 */
const ABANDONED = '5 minutes';
const KEY = /^[\x21-\x7e]{1,255}$/;

/** What a claimed key's request answered, to replay. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

/** A key this request holds until it completes (in its own transaction) or releases it. */
export interface IdempotencyClaim {
  accountId: string;
  key: string;
}

/**
 * Idempotency-Key for POSTs that create (IETF draft-ietf-httpapi-idempotency-key-header): the
 * first request with a key runs and its answer is kept with the key; a retry with the same key
 * and the same request gets that answer again and changes nothing; the same key with another
 * request is 422; a retry while the first still runs is 409. Keys are per account and kept a
 * day. The answer is stored in the transaction that makes the change, so a crash leaves either
 * both or neither: a retry never makes a second record.
 */
@Injectable()
export class IdempotencyKeys {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The fingerprint of a request: everything that makes it this request (canonical JSON, SHA-256). */
  static fingerprint(request: Record<string, unknown>): Buffer {
    return createHash('sha256').update(canonicalJson(request)).digest();
  }

  /**
   * Claims `key` for this request; or, when it was used before by the same request, its stored
   * answer. Throws 400 IDEMPOTENCY_KEY_INVALID, 422 IDEMPOTENCY_KEY_REUSED, 409
   * IDEMPOTENCY_REQUEST_IN_PROGRESS.
   */
  async claim(accountId: string, key: string, fingerprint: Buffer): Promise<{ claim: IdempotencyClaim } | { replay: StoredAnswer }> {
    if (!KEY.test(key)) throw new ApiError(HttpStatus.BAD_REQUEST, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key is 1-255 visible ASCII characters (a UUID is usual)');
    await this.db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '${KEPT}'`);
    const claimed = (await this.db.query(
      `INSERT INTO idempotency_keys (account_id, key, fingerprint, status) VALUES ($1, $2, $3, 'in_progress')
       ON CONFLICT (account_id, key) DO UPDATE SET created_at = now()
        WHERE idempotency_keys.status = 'in_progress' AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
          AND idempotency_keys.created_at < now() - interval '${ABANDONED}'
       RETURNING key`,
      [accountId, key, fingerprint],
    )) as unknown[];
    if (claimed.length > 0) return { claim: { accountId, key } };

    const existing = await this.db.manager.findOneBy(IdempotencyKeyEntity, { accountId, key });
    if (!existing) return this.claim(accountId, key, fingerprint); // swept between the two statements
    if (!existing.fingerprint.equals(fingerprint)) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for another request: use a new key for a new request');
    }
    if (existing.status === 'in_progress') {
      throw new ApiError(HttpStatus.CONFLICT, 'IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed: retry shortly');
    }
    return { replay: { status: existing.responseStatus!, body: existing.response } };
  }

  /** Stores the answer with the key, in the transaction that made the change. */
  async complete(manager: EntityManager, claim: IdempotencyClaim, answer: StoredAnswer): Promise<void> {
    await manager.update(IdempotencyKeyEntity, { accountId: claim.accountId, key: claim.key }, { status: 'done', responseStatus: answer.status, response: answer.body as object });
  }

  /** Frees the key of a request that failed (nothing was changed): the client may retry with it. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.db.manager.delete(IdempotencyKeyEntity, { accountId: claim.accountId, key: claim.key, status: 'in_progress' });
  }
}
