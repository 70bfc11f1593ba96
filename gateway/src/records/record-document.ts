import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';
import { Envelope, openEnvelope, sealEnvelope } from '../keys/envelope';
import { Keyring } from '../keys/keyring';
import { WrappedKeyTable } from '../keys/rewrap';
import type { FhirResource } from './fhir-validator';
import type { RecordCategory } from './record-categories';

export const FHIR_JSON = 'application/fhir+json';

/**
 * What is encrypted and stored for one version of a record: the facts the metadata row repeats
 * (so the plaintext alone says what it is), a random salt, and the content: the de-identified
 * FHIR resource, or a file. Serialised as canonical JSON (keys sorted), so the digest is of one
 * exact text; a file follows its header after a newline, as it is.
 */
export interface RecordDocument {
  format: 'ehrchain-record/1';
  recordId: string;
  version: number;
  category: RecordCategory;
  clinicalDate: string;
  /** application/fhir+json, or the file's type as its bytes say. */
  contentType: string;
  /**
   * 32 random bytes, hex: the digest anchored on the shared ledger is of the salted text, so
   * nobody can confirm a guess of a short, predictable record (DESIGN trust model 7).
   */
  salt: string;
  /** The FHIR resource; absent for a file. */
  resource?: FhirResource;
  /** A file's length in bytes; absent for FHIR. */
  sizeBytes?: number;
}

/** The content of a version: a FHIR resource or a file. */
export type RecordContent = { resource: FhirResource } | { file: Buffer; contentType: string };

export interface SealedRecord {
  /** The canonical plaintext's SHA-512. */
  digest: Buffer;
  envelope: Envelope;
}

/** The additional data a version's ciphertext and key are bound to: another record's (or version's) key or bytes do not open here. */
export const recordAad = (recordId: string, version: number): string => `ehrchain-record:${recordId}:${version}`;

export function newRecordDocument(fields: Pick<RecordDocument, 'recordId' | 'version' | 'category' | 'clinicalDate'>, content: RecordContent): RecordDocument {
  const base = { format: 'ehrchain-record/1' as const, salt: randomBytes(32).toString('hex'), ...fields };
  return 'resource' in content ? { ...base, contentType: FHIR_JSON, resource: content.resource } : { ...base, contentType: content.contentType, sizeBytes: content.file.length };
}

export const recordDigest = (plaintext: Uint8Array): Buffer => createHash('sha512').update(plaintext).digest();

/** The plaintext: canonical JSON, followed for a file by a newline and the file. */
function plaintextOf(document: RecordDocument, file?: Buffer): Buffer {
  const text = Buffer.from(canonicalJson(document), 'utf8');
  return file ? Buffer.concat([text, Buffer.from('\n'), file]) : text;
}

/** Canonical plaintext, its SHA-512, and AES-256-GCM under a fresh record key that the keyring wraps. */
export function sealRecord(keyring: Keyring, document: RecordDocument, file?: Buffer): SealedRecord {
  const plaintext = plaintextOf(document, file);
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

/** The content of a verified plaintext: its resource, or its file after the header line. */
export function contentOf(plaintext: Buffer): RecordContent {
  const newline = plaintext.indexOf(0x0a);
  const document = JSON.parse(plaintext.toString('utf8', 0, newline < 0 ? plaintext.length : newline)) as RecordDocument;
  if (document.contentType === FHIR_JSON) return { resource: document.resource! };
  return { file: plaintext.subarray(newline + 1), contentType: document.contentType };
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
