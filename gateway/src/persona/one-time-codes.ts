import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ApiError, RetryLaterError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { CodePurpose } from '../identity/ekyc-provider';
import { newOneTimeCode, OneTimeCodeHasher } from '../identity/one-time-code';
import { KeyStore } from '../keys/key-store';
import { PersonaStore } from './persona.store';

export type CodeRefusal = 'CODE_INVALID' | 'CODE_EXPIRED' | 'CODE_USED' | 'CODE_ATTEMPTS_EXHAUSTED';

const MESSAGES: Record<CodeRefusal, string> = {
  CODE_INVALID: 'The code is wrong, or was not issued for this',
  CODE_EXPIRED: 'The code has expired; ask for a new one',
  CODE_USED: 'The code was already used, or a newer one was sent; use the latest',
  CODE_ATTEMPTS_EXHAUSTED: 'Too many wrong codes; ask for a new one',
};

/**
 * One-time codes sent by SMS (issue 12): six random digits, kept as a keyed hash, working for
 * ONE_TIME_CODE_TTL_SECONDS, refused after ONE_TIME_CODE_ATTEMPTS wrong guesses, superseded by
 * the next code sent for the same purpose, used once.
 */
@Injectable()
export class OneTimeCodes {
  private readonly hasher: OneTimeCodeHasher;

  constructor(
    private readonly store: PersonaStore,
    @InjectDataSource() private readonly db: DataSource,
    @InjectConfig() private readonly config: AppConfig,
    keys: KeyStore,
  ) {
    this.hasher = new OneTimeCodeHasher(keys.jwtSecret());
  }

  /** A new code for the persona, stored (hashed) in `em`'s transaction; the caller sends `code`. */
  async issue(personaId: string, purpose: CodePurpose, em: EntityManager): Promise<{ id: string; code: string; expiresAt: Date }> {
    const id = randomUUID();
    const code = newOneTimeCode();
    const expiresAt = new Date(Date.now() + this.config.identity.codeTtlSeconds * 1000);
    await this.store.insertCode({ id, personaId, purpose, codeHash: this.hasher.hash(id, code), expiresAt }, em);
    return { id, code, expiresAt };
  }

  /**
   * Spends the code and returns its persona, or throws the refusal. A wrong guess is counted in
   * a transaction of its own, so it counts even though the caller's work is refused. `status`
   * is what a wrong code answers: 401 where it signs someone in, 422 where it confirms a form.
   */
  async spend(id: string, code: string, purpose: CodePurpose, status: HttpStatus.UNAUTHORIZED | HttpStatus.UNPROCESSABLE_ENTITY): Promise<string> {
    const outcome = await this.db.transaction(async (em): Promise<{ personaId: string } | { refusal: CodeRefusal }> => {
      const row = await this.store.lockCode(id, em);
      if (!row || row.purpose !== purpose) return { refusal: 'CODE_INVALID' };
      if (row.usedAt) return { refusal: 'CODE_USED' };
      if (row.expiresAt.getTime() < Date.now()) return { refusal: 'CODE_EXPIRED' };
      if (row.attempts >= this.config.identity.codeAttempts) return { refusal: 'CODE_ATTEMPTS_EXHAUSTED' };
      if (!this.hasher.matches(id, code, row.codeHash)) {
        await this.store.countAttempt(id, em);
        return { refusal: row.attempts + 1 >= this.config.identity.codeAttempts ? 'CODE_ATTEMPTS_EXHAUSTED' : 'CODE_INVALID' };
      }
      await this.store.markCodeUsed(id, em);
      return { personaId: row.personaId };
    });
    if ('personaId' in outcome) return outcome.personaId;
    if (outcome.refusal === 'CODE_ATTEMPTS_EXHAUSTED') throw new ApiError(HttpStatus.TOO_MANY_REQUESTS, outcome.refusal, MESSAGES[outcome.refusal]);
    throw new ApiError(status, outcome.refusal, MESSAGES[outcome.refusal]);
  }
}

/** 429 when a number has started too many verifications or sign-ins this hour. */
export function tooManyVerifications(): RetryLaterError {
  return new RetryLaterError(HttpStatus.TOO_MANY_REQUESTS, 'VERIFICATIONS_RATE_LIMITED', 'Too many verifications for this Aadhaar number this hour; try again later', 3600);
}
