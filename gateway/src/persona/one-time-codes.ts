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

/**
 * One answer for every refused code, whatever the reason (wrong, expired, used, superseded, out
 * of tries, never issued): distinct answers would tell a caller who holds only an Aadhaar
 * number whether a code was really sent, i.e. whether that person is registered.
 */
const REFUSED = 'The code is wrong, expired or used up; ask for a new one if it has expired or after three wrong tries';

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

  /**
   * A new code for the persona, stored (hashed) in `em`'s transaction under `id` (new unless
   * given: a sign-in names the id in its answer before the code exists); the caller sends `code`.
   */
  async issue(personaId: string, purpose: CodePurpose, em: EntityManager, id: string = randomUUID()): Promise<{ id: string; code: string; expiresAt: Date }> {
    const code = newOneTimeCode();
    const expiresAt = this.expiry();
    await this.store.insertCode({ id, personaId, purpose, codeHash: this.hasher.hash(id, code), expiresAt }, em);
    return { id, code, expiresAt };
  }

  /** When a code issued now stops working. */
  expiry(): Date {
    return new Date(Date.now() + this.config.identity.codeTtlSeconds * 1000);
  }

  /**
   * Spends the code and returns its persona, or throws CODE_INVALID (the one refusal). A wrong
   * guess is counted in the same transaction, which commits although the caller is refused.
   * `status` is what a refusal answers: 401 where it signs someone in, 422 where it confirms a form.
   */
  async spend(id: string, code: string, purpose: CodePurpose, status: HttpStatus.UNAUTHORIZED | HttpStatus.UNPROCESSABLE_ENTITY): Promise<string> {
    const personaId = await this.db.transaction(async (em): Promise<string | null> => {
      const row = await this.store.lockCode(id, em);
      if (!row || row.purpose !== purpose || row.usedAt || row.expiresAt.getTime() < Date.now() || row.attempts >= this.config.identity.codeAttempts) return null;
      if (!this.hasher.matches(id, code, row.codeHash)) {
        await this.store.countAttempt(id, em);
        return null;
      }
      await this.store.markCodeUsed(id, em);
      return row.personaId;
    });
    if (personaId === null) throw new ApiError(status, 'CODE_INVALID', REFUSED);
    return personaId;
  }
}

/** 429 when a number has started too many verifications or sign-ins this hour. */
export function tooManyVerifications(): RetryLaterError {
  return new RetryLaterError(HttpStatus.TOO_MANY_REQUESTS, 'VERIFICATIONS_RATE_LIMITED', 'Too many verifications for this Aadhaar number this hour; try again later', 3600);
}
