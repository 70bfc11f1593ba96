import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA-256 (RFC 2104, FIPS 198-1). Used for keyed lookups of values that must never be
 * stored in clear, such as an Aadhaar number (UIDAI Aadhaar Data Vault): without the key,
 * the lookup column cannot be brute-forced over the small space of valid numbers.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * Equality whose running time does not depend on where the inputs first differ, for MACs,
 * digests and tokens an attacker may probe byte by byte. Lengths are compared first in the
 * open: they are public (a MAC's length is fixed by its algorithm).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
