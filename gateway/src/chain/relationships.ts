import forge from 'node-forge';
import { privateKeyToAddress } from 'web3-eth-accounts';
import * as utils from 'web3-utils';
import { isPrivateKey } from '../crypto/secp256k1';
import { patientHandle } from './patient-handle';

/**
 * What a patient's software puts on the public ledger, made so that an observer of every block
 * cannot join two of the patient's relationships (issue 9, point 8; docs/decisions.md,
 * "Unlinkable on the ledger"):
 *
 * - a handle and consent key of its own per grantee (a *relationship*), derived from the
 *   patient's secret, so the patient needs to keep one secret and can always derive them again;
 * - guardians' keys per guarded handle, derived the same way from each guardian's own secret;
 * - record ids blinded per entry in the access log;
 * - salted commitments, not plain hashes, of off-chain text (reasons, council numbers, details);
 * - expiries and deadlines rounded, so that two messages signed in one sitting do not carry the
 *   same exact second.
 *
 * Nothing here is secret but the secrets passed in. The gateway, the custodian, may keep the
 * links (which relationship is which patient's) in its database; the ledger must not carry them.
 */

/** Where derived keys are used: one chain and one ConsentManager (keys never repeat across deployments). */
export interface LedgerScope {
  chainId: bigint | number;
  consentManager: string;
}

/** A relationship's handle, the key that signs for it, and the salt that makes the handle. */
export interface Relationship {
  handle: string;
  signer: string;
  privateKey: string;
  salt: string;
}

const HKDF_SALT = 'EHRChain ledger keys v1';

/** 32 derived bytes as 0x-hex (no Buffer: this runs in the patient's browser too). */
function derive32(secret: Uint8Array, info: string): string {
  if (secret.length < 32) throw new Error('a ledger secret has at least 32 bytes');
  return utils.bytesToHex(hkdfSha256(secret, HKDF_SALT, info, 32));
}

/**
 * HKDF-SHA-256 (RFC 5869) on node-forge's HMAC rather than node:crypto's hkdfSync: the patient
 * SDK derives these keys in a browser too. Same output (relationships.spec.ts checks it against
 * node:crypto). Not a hot path: a key per relationship, on the patient's device.
 */
function hkdfSha256(secret: Uint8Array, salt: string, info: string, length: number): Uint8Array {
  const hmac = (key: string, data: string): string => {
    const mac = forge.hmac.create();
    mac.start('sha256', key);
    mac.update(data);
    return mac.digest().getBytes();
  };
  const prk = hmac(forge.util.encodeUtf8(salt), forge.util.binary.raw.encode(secret));
  let okm = '';
  let block = '';
  for (let i = 1; okm.length < length; i++) {
    block = hmac(prk, block + forge.util.encodeUtf8(info) + String.fromCharCode(i));
    okm += block;
  }
  return forge.util.binary.raw.decode(okm.slice(0, length));
}

function context(scope: LedgerScope, purpose: string, counterpart: string): string {
  return `${purpose}|${BigInt(scope.chainId)}|${scope.consentManager.toLowerCase()}|${counterpart.toLowerCase()}`;
}

/** A secp256k1 private key derived from `secret` for `info` (the next counter on the rare out-of-range value). */
function deriveKey(secret: Uint8Array, info: string): string {
  for (let counter = 0; ; counter++) {
    const candidate = derive32(secret, `${info}|key|${counter}`);
    if (isPrivateKey(utils.hexToBytes(candidate))) return candidate;
  }
}

/**
 * The patient's relationship with `grantee` (a hospital's or practitioner's address): the same
 * secret, scope and grantee always give the same handle and key; two grantees give two handles
 * and keys that nothing but the secret connects.
 */
export function deriveRelationship(patientSecret: Uint8Array, scope: LedgerScope, grantee: string): Relationship {
  const info = context(scope, 'relationship', grantee);
  const privateKey = deriveKey(patientSecret, info);
  const signer = privateKeyToAddress(privateKey);
  const salt = derive32(patientSecret, `${info}|salt`);
  return { handle: patientHandle(signer, salt), signer, privateKey, salt };
}

/**
 * A guardian's key for guarding `handle`, derived from the guardian's own secret: a guardian of
 * two of a patient's relationships (or of two patients) appears under two unrelated addresses.
 */
export function deriveGuardianKey(guardianSecret: Uint8Array, scope: LedgerScope, handle: string): { address: string; privateKey: string } {
  const privateKey = deriveKey(guardianSecret, context(scope, 'guardian', handle));
  return { address: privateKeyToAddress(privateKey), privateKey };
}

/** keccak256(abi.encode(words...)) of bytes32 words: their concatenation. */
function keccakOfWords(...words: string[]): string {
  for (const word of words) if (!/^0x[0-9a-fA-F]{64}$/.test(word)) throw new Error(`expected 32 bytes, 0x + 64 hex digits, got "${word}"`);
  return utils.keccak256(`0x${words.map((word) => word.slice(2)).join('')}`);
}

const ACCESS_LOG_RECORD_TAG = utils.keccak256(utils.utf8ToHex('EHRChain access log record'));

/**
 * The id a release of record `recordId` is logged under for the relationship `handle`
 * (AccessLog's `recordId` topic), blinded with `salt`, 32 random bytes per entry: two readers of
 * one record log unrelated ids, and someone who knows the record id (the filing hospital, any
 * reader) cannot test entries for it, the handle being in the same event. The patient gets the
 * salt with each entry of their access log and can recompute the id.
 */
export function accessLogRecordId(recordId: string, handle: string, salt: string): string {
  return keccakOfWords(ACCESS_LOG_RECORD_TAG, handle, recordId, salt);
}

const CONSENT_ID_TAG = utils.keccak256(utils.utf8ToHex('EHRChain consent id'));

/**
 * The id a release under consent is logged with (AccessLog's `authorizationId`): the consent the
 * relationship `handle` granted `grantee` with pair nonce `nonce` (a grant consumes the nonce, so
 * the consent in force was granted at `consentNonces - 1`). A new grant is a new id; ids of two
 * relationships share nothing, as their handles do not.
 */
export function consentId(handle: string, grantee: string, nonce: bigint | number): string {
  const granteeWord = `0x${grantee.slice(2).toLowerCase().padStart(64, '0')}`;
  const nonceWord = `0x${BigInt(nonce).toString(16).padStart(64, '0')}`;
  return keccakOfWords(CONSENT_ID_TAG, handle, granteeWord, nonceWord);
}

const TEXT_COMMITMENT_TAG = utils.keccak256(utils.utf8ToHex('EHRChain text commitment'));

/**
 * A salted commitment to off-chain text (an emergency's reason, a council registration number,
 * a proposal's details): keccak256(abi.encode(tag, salt, keccak256(text))). `salt` is 32 random
 * bytes kept with the text; without it, short texts cannot be found by trying them all, as an
 * unsalted hash of a 6-digit number can.
 */
export function textCommitment(text: string, salt: string): string {
  return keccakOfWords(TEXT_COMMITMENT_TAG, salt, utils.keccak256(utils.utf8ToHex(text)));
}

const HOUR = 3_600;
const DAY = 86_400;

/**
 * A consent's expiry as the SDK signs it: the end of the UTC day `atLeast` falls in, so the
 * consent lasts at least as asked and every grant expiring that day shows the same second.
 */
export function coarseExpiry(atLeast: number): number {
  return Math.ceil(atLeast / DAY) * DAY;
}

/** A signature's deadline as the SDK signs it: `atLeast` rounded up to the whole hour. */
export function coarseDeadline(atLeast: number): number {
  return Math.ceil(atLeast / HOUR) * HOUR;
}
