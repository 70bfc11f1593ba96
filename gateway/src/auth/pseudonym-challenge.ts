import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { BYTES32_PATTERN } from '../common/validation';

/** Short: the challenge only has to live from "ask" to "sign" on the patient's device. */
export const CHALLENGE_TTL_SECONDS = 300;

const ID_BYTES = 16;
const MAC_BYTES = 16;
const MAC_CONTEXT = Buffer.from('ehrchain/pseudonym-challenge/v1\0');

export type ChallengeCheck = { ok: true; id: string } | { ok: false; code: 'CHALLENGE_INVALID' | 'CHALLENGE_EXPIRED' };

/**
 * Stateless sign-in challenges: `0x ‖ id (16 random bytes) ‖ HMAC-SHA256(id, handle, expiresAt)
 * truncated to 16 bytes`, one bytes32. Issuing one stores nothing (so asking for challenges costs
 * the gateway no rows), and the MAC binds it to one handle and one expiry, so it cannot be moved
 * to another handle or have its life extended. Single use is the caller's job: keep `id` once
 * used, until `expiresAt`.
 */
export class ChallengeCodec {
  // An ES private field: util.inspect and JSON.stringify never show it.
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /**
   * A key of its own, derived from the gateway secret with HKDF (RFC 5869), so a challenge MAC
   * and a JWT signature never share a key although one secret backs both.
   */
  static fromSecret(secret: string): ChallengeCodec {
    return new ChallengeCodec(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'ehrchain pseudonym challenge', 32)));
  }

  issue(handle: string, nowSeconds: number): { challenge: string; expiresAt: number } {
    const id = randomBytes(ID_BYTES);
    const expiresAt = nowSeconds + CHALLENGE_TTL_SECONDS;
    return { challenge: `0x${id.toString('hex')}${this.mac(id, handle, expiresAt).toString('hex')}`, expiresAt };
  }

  /** The challenge's id when this codec issued it for `handle` and `expiresAt` and it has not expired. */
  open(challenge: string, handle: string, expiresAt: number, nowSeconds: number): ChallengeCheck {
    if (!BYTES32_PATTERN.test(challenge) || !BYTES32_PATTERN.test(handle) || !Number.isSafeInteger(expiresAt) || expiresAt < 0) {
      return { ok: false, code: 'CHALLENGE_INVALID' };
    }
    const bytes = Buffer.from(challenge.slice(2), 'hex');
    const id = bytes.subarray(0, ID_BYTES);
    // The MAC first: until it holds, expiresAt is only what the caller claims.
    if (!timingSafeEqual(bytes.subarray(ID_BYTES), this.mac(id, handle, expiresAt))) return { ok: false, code: 'CHALLENGE_INVALID' };
    if (nowSeconds > expiresAt) return { ok: false, code: 'CHALLENGE_EXPIRED' };
    return { ok: true, id: id.toString('hex') };
  }

  private mac(id: Buffer, handle: string, expiresAt: number): Buffer {
    const expiry = Buffer.alloc(8);
    expiry.writeBigUInt64BE(BigInt(expiresAt));
    return createHmac('sha256', this.#key)
      .update(MAC_CONTEXT)
      .update(id)
      .update(Buffer.from(handle.slice(2), 'hex'))
      .update(expiry)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
