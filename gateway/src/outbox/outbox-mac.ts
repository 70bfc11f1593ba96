import { canonicalJson } from '../common/canonical-json';
import { constantTimeEqual, hmacSha256 } from '../crypto/hmac';

/**
 * The MAC of a queued chain write: HMAC-SHA-256 over kind, ref and the canonical JSON of the
 * payload, under a key kept with the gateway's keys, not in the database. Whoever can edit the
 * outbox table can then delay or drop a write, but cannot make the gateway send one it did not
 * queue, nor move a payload to another record.
 */
export class OutboxMacKey {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('The outbox MAC key needs at least 32 bytes');
    this.#key = key;
  }

  sign(kind: string, ref: string, payload: unknown): string {
    return hmacSha256(this.#key, `ehrchain/outbox/v1\u0000${kind}\u0000${ref}\u0000${canonicalJson(payload)}`).toString('hex');
  }

  verify(kind: string, ref: string, payload: unknown, mac: string): boolean {
    if (!/^[0-9a-f]{64}$/.test(mac)) return false;
    return constantTimeEqual(Buffer.from(this.sign(kind, ref, payload), 'hex'), Buffer.from(mac, 'hex'));
  }

  toJSON(): string {
    return '[OutboxMacKey]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[OutboxMacKey]';
  }
}
