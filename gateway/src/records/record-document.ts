import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';
import { Envelope, openEnvelope, sealEnvelope } from '../keys/envelope';
import { Keyring } from '../keys/keyring';
import { WrappedKeyTable } from '../keys/rewrap';
import type { FhirResource } from './fhir-validator';
import type { RecordCategory } from './record-categories';

/**
 * What is encrypted and stored for one version of a record: the de-identified resource and the
 * facts the metadata row repeats (so the plaintext alone says what it is), with a random salt.
 * Serialised as canonical JSON (keys sorted), so the digest is of one exact text.
 */
export interface RecordDocument {
  format: 'ehrchain-record/1';
  recordId: string;
  version: number;
  category: RecordCategory;
  clinicalDate: string;
  contentType: 'application/fhir+json';
  /**
   * 32 random bytes, hex: the digest anchored on the shared ledger is of the salted text, so
   * nobody can confirm a guess of a short, predictable record (DESIGN trust model 7).
   */
  salt: string;
  resource: FhirResource;
}

export interface SealedRecord {
  /** The canonical plaintext's SHA-512. */
  digest: Buffer;
  envelope: Envelope;
}

/** The additional data a version's ciphertext and key are bound to: another record's (or version's) key or bytes do not open here. */
export const recordAad = (recordId: string, version: number): string => `ehrchain-record:${recordId}:${version}`;

export function newRecordDocument(fields: Omit<RecordDocument, 'format' | 'salt' | 'contentType'>): RecordDocument {
  return { format: 'ehrchain-record/1', contentType: 'application/fhir+json', salt: randomBytes(32).toString('hex'), ...fields };
}

export const recordDigest = (plaintext: Uint8Array): Buffer => createHash('sha512').update(plaintext).digest();

/** Canonical text, its SHA-512, and AES-256-GCM under a fresh record key that the keyring wraps. */
export function sealRecord(keyring: Keyring, document: RecordDocument): SealedRecord {
  const plaintext = Buffer.from(canonicalJson(document), 'utf8');
  try {
    return { digest: recordDigest(plaintext), envelope: sealEnvelope(keyring, plaintext, recordAad(document.recordId, document.version)) };
  } finally {
    plaintext.fill(0);
  }
}

/**
 * The plaintext of a stored version, with its digest. Throws DecryptionError when the
 * ciphertext, the wrapped key or the binding to this record and version differ in any bit.
 */
export function openRecord(keyring: Keyring, wrappedKey: string, sealed: Uint8Array, recordId: string, version: number): { plaintext: Buffer; digest: Buffer } {
  const plaintext = openEnvelope(keyring, wrappedKey, sealed, recordAad(recordId, version));
  return { plaintext, digest: recordDigest(plaintext) };
}

/** The records' keys, for rotation (keys/rewrap.ts): rewrapped in place, the ciphertext on IPFS never touched. Erased versions have none. */
export const recordKeyTable = (mainSchema: string): WrappedKeyTable => ({
  schema: mainSchema,
  table: 'records',
  id: `"record_id"::text || ':' || "version"`,
  aad: (id) => {
    const [recordId, version] = id.split(':');
    return recordAad(recordId!, Number(version));
  },
});
