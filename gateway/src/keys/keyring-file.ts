import { randomBytes } from 'node:crypto';
import { AES_256_KEY_BYTES, newAesKey } from '../crypto/aes-gcm';

export const KEYRING_FILE = 'keyring.json';
const FORMAT = 'ehrchain-keyring/1';

/** `k` and 8 random hex digits: short enough to carry in every wrapped key. */
export const KEY_ID_PATTERN = 'k[0-9a-f]{8}';
const KEY_ID = new RegExp(`^${KEY_ID_PATTERN}$`);

export type KeyringErrorCode = 'KEYRING_FILE_INVALID' | 'KEYRING_READ_ONLY' | 'KEYRING_UNKNOWN_KEY' | 'KEYRING_WRAPPED_MALFORMED';

/** Keyring failures; messages name files and key ids, never key material. */
export class KeyringError extends Error {
  constructor(
    readonly code: KeyringErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyringError';
  }
}

export interface KeyringKey {
  key: Buffer;
  createdAt: string;
}

export interface KeyringData {
  active: string;
  keys: ReadonlyMap<string, KeyringKey>;
}

interface StoredKeyring {
  format: string;
  active: string;
  keys: { id: string; createdAt: string; key: string }[];
}

/** `data` with a new random key, made the active one. */
export function withNewKey(data?: KeyringData): KeyringData {
  let id: string;
  do id = `k${randomBytes(4).toString('hex')}`;
  while (data?.keys.has(id));
  const keys = new Map(data?.keys ?? []);
  keys.set(id, { key: newAesKey(), createdAt: new Date().toISOString() });
  return { active: id, keys };
}

export function serializeKeyring(data: KeyringData): string {
  const stored: StoredKeyring = {
    format: FORMAT,
    active: data.active,
    keys: [...data.keys].map(([id, { key, createdAt }]) => ({ id, createdAt, key: key.toString('base64') })),
  };
  return `${JSON.stringify(stored, null, 2)}\n`;
}

export function parseKeyring(text: string, file: string): KeyringData {
  // Never "repair" by starting afresh: every data key wrapped under the lost keys would be lost too.
  const invalid = (why: string) =>
    new KeyringError('KEYRING_FILE_INVALID', `${file} ${why}; restore it from backup (a new keyring cannot unwrap existing data keys)`);
  let stored: Partial<StoredKeyring>;
  try {
    stored = JSON.parse(text) as Partial<StoredKeyring>;
  } catch {
    throw invalid('is not valid JSON');
  }
  if (stored.format !== FORMAT) throw invalid(`is not a ${FORMAT} file`);
  if (!Array.isArray(stored.keys) || stored.keys.length === 0) throw invalid('holds no keys');
  const keys = new Map<string, KeyringKey>();
  for (const entry of stored.keys) {
    const id = String(entry?.id);
    if (!KEY_ID.test(id)) throw invalid('has a key with a malformed id');
    if (keys.has(id)) throw invalid(`has key ${id} twice`);
    const key = Buffer.from(String(entry.key), 'base64');
    if (key.length !== AES_256_KEY_BYTES) throw invalid(`has key ${id} of ${key.length} bytes instead of ${AES_256_KEY_BYTES}`);
    keys.set(id, { key, createdAt: String(entry.createdAt) });
  }
  if (typeof stored.active !== 'string' || !keys.has(stored.active)) throw invalid('names an active key it does not hold');
  return { active: stored.active, keys };
}
