import { hkdfSync, randomInt } from 'node:crypto';
import { constantTimeEqual, hmacSha256 } from '../crypto/hmac';

export const ONE_TIME_CODE_DIGITS = 6;

/** Six random digits, as UIDAI's and banks' one-time codes are. */
export function newOneTimeCode(): string {
  return String(randomInt(0, 10 ** ONE_TIME_CODE_DIGITS)).padStart(ONE_TIME_CODE_DIGITS, '0');
}

/**
 * One-time codes are stored as HMAC-SHA-256 under a key derived from the gateway secret, bound
 * to the code's row: a database dump does not give the codes in force (a plain hash of six
 * digits would, in a million tries), and a hash copied to another row does not match there.
 */
export class OneTimeCodeHasher {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'ehrchain one-time code', 32));
  }

  hash(codeId: string, code: string): Buffer {
    return hmacSha256(this.#key, `${codeId}\0${code}`);
  }

  matches(codeId: string, code: string, stored: Uint8Array): boolean {
    return constantTimeEqual(this.hash(codeId, code), stored);
  }

  toJSON(): string {
    return '[OneTimeCodeHasher]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[OneTimeCodeHasher]';
  }
}
