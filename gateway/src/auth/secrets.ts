import { createHash, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/hmac';

/** A password people can type and that has ~120 bits of entropy. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url') + randomBytes(9).toString('base64url');
}

export interface ApiKeyParts {
  prefix: string;
  secret: string;
}

const API_KEY = /^ehr_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** `ehr_<12 chars public prefix>_<256-bit secret>`: the prefix finds the row, the secret proves it. */
export function generateApiKey(): ApiKeyParts & { key: string } {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { prefix, secret, key: `ehr_${prefix}_${secret}` };
}

export function parseApiKey(key: string): ApiKeyParts | null {
  const match = API_KEY.exec(key);
  return match ? { prefix: match[1], secret: match[2] } : null;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function sameHex(a: string, b: string): boolean {
  return constantTimeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
