import * as utils from 'web3-utils';
import { buildTypedData, Eip712Field, recoverTypedDataSigner, signTypedData, TypedData } from './eip712';
import { patientHandle } from './patient-handle';
import type { LedgerScope, Relationship } from './relationships';

/**
 * The pseudonym token a patient shows a hospital so that records can be filed for them (issue
 * 12, point 5; DESIGN "Record upload"): an EIP-712 message, signed on the patient's device with
 * the consent key of the patient's relationship *with that hospital*, naming the relationship's
 * handle, the hospital's address and an expiry. The hospital learns the handle it will file
 * under and nothing else; the gateway learns which handle a record belongs to, never the persona.
 *
 * The token also carries the handle's salt, so it is checked before the relationship is on
 * chain: the signer must be the key the handle commits to (`handleOf(signer, salt)`), or, once
 * registered, the handle's signer on chain (after a rotation, the new key). The salt is no
 * secret from the hospital: registering the handle puts it in calldata.
 *
 * Format: `ehrft1.` + base64url(JSON { patient, hospital, expiresAt, salt, signature }).
 * No server dependency: the SDK makes it, the gateway reads it.
 */
export const FILING_DOMAIN = { name: 'EHRChain Record Filing', version: '1' } as const;

export const FILING_TYPES = {
  RecordFiling: [
    { name: 'patient', type: 'bytes32' },
    { name: 'hospital', type: 'address' },
    { name: 'expiresAt', type: 'uint256' },
  ],
} satisfies Record<string, readonly Eip712Field[]>;

/** A permit lives 30 days at most, as every signature the contracts accept (MAX_SIGNATURE_LIFETIME). */
export const FILING_TOKEN_MAX_SECONDS = 30 * 86_400;

const PREFIX = 'ehrft1.';

export interface FilingPermit {
  /** The relationship's handle. */
  patient: string;
  /** The hospital's chain address, checksummed. */
  hospital: string;
  /** Unix seconds. */
  expiresAt: number;
}

export type FilingTokenProblem = 'FILING_TOKEN_MALFORMED' | 'FILING_TOKEN_EXPIRED' | 'FILING_TOKEN_TOO_LONG' | 'FILING_TOKEN_SIGNATURE';

export function filingTypedData(scope: LedgerScope, permit: FilingPermit): TypedData {
  return buildTypedData({ ...FILING_DOMAIN, chainId: Number(scope.chainId), verifyingContract: scope.consentManager }, 'RecordFiling', FILING_TYPES, {
    patient: permit.patient,
    hospital: permit.hospital,
    expiresAt: permit.expiresAt,
  });
}

/** Made on the patient's device: the relationship with `hospital` signs a permit until `expiresAt`. */
export function makeFilingToken(relationship: Relationship, scope: LedgerScope, hospital: string, expiresAt: number): string {
  const permit: FilingPermit = { patient: relationship.handle, hospital: utils.toChecksumAddress(hospital), expiresAt };
  const signature = signTypedData(relationship.privateKey, filingTypedData(scope, permit));
  return PREFIX + toBase64Url(JSON.stringify({ ...permit, salt: relationship.salt, signature }));
}

export type FilingTokenCheck =
  | { ok: true; permit: FilingPermit; signer: string; salt: string }
  | { ok: false; problem: FilingTokenProblem };

/**
 * What a token says and who signed it, checked for form, expiry (at `nowSeconds`) and, when
 * `signerOnChain` is null (the handle is not registered yet), the handle's commitment to its
 * signer. With `signerOnChain` set, the signer must be it. Whether the hospital is the caller is
 * the caller's check. `recoverSigner` lets a server remember recoveries (secp256k1 in JavaScript,
 * ~2 ms) for tokens it sees again: a hospital files a visit's records with one token.
 */
export function checkFilingToken(
  token: string, scope: LedgerScope, nowSeconds: number, signerOnChain: string | null, recoverSigner: (typedData: TypedData, signature: string) => string = recoverTypedDataSigner,
): FilingTokenCheck {
  const fields = parse(token);
  if (!fields) return { ok: false, problem: 'FILING_TOKEN_MALFORMED' };
  const permit: FilingPermit = { patient: fields.patient.toLowerCase(), hospital: utils.toChecksumAddress(fields.hospital), expiresAt: fields.expiresAt };
  if (permit.expiresAt < nowSeconds) return { ok: false, problem: 'FILING_TOKEN_EXPIRED' };
  if (permit.expiresAt > nowSeconds + FILING_TOKEN_MAX_SECONDS) return { ok: false, problem: 'FILING_TOKEN_TOO_LONG' };
  let signer: string;
  try {
    signer = recoverSigner(filingTypedData(scope, permit), fields.signature);
  } catch {
    return { ok: false, problem: 'FILING_TOKEN_SIGNATURE' };
  }
  const expected = signerOnChain ?? (patientHandle(signer, fields.salt) === permit.patient ? signer : null);
  if (!expected || expected.toLowerCase() !== signer.toLowerCase()) return { ok: false, problem: 'FILING_TOKEN_SIGNATURE' };
  return { ok: true, permit, signer, salt: fields.salt };
}

/** The handle a token names, before any check (to look its signer up on chain). */
export function filingTokenHandle(token: string): string | null {
  return parse(token)?.patient.toLowerCase() ?? null;
}

interface TokenFields {
  patient: string;
  hospital: string;
  expiresAt: number;
  salt: string;
  signature: string;
}

function parse(token: string): TokenFields | null {
  if (typeof token !== 'string' || !token.startsWith(PREFIX) || token.length > 1024) return null;
  let fields: Partial<TokenFields>;
  try {
    fields = JSON.parse(fromBase64Url(token.slice(PREFIX.length))) as Partial<TokenFields>;
  } catch {
    return null;
  }
  const bytes32 = /^0x[0-9a-fA-F]{64}$/;
  const ok =
    typeof fields.patient === 'string' && bytes32.test(fields.patient) &&
    typeof fields.hospital === 'string' && /^0x[0-9a-fA-F]{40}$/.test(fields.hospital) &&
    Number.isSafeInteger(fields.expiresAt) && (fields.expiresAt as number) > 0 &&
    typeof fields.salt === 'string' && bytes32.test(fields.salt) &&
    typeof fields.signature === 'string' && /^0x[0-9a-fA-F]{130}$/.test(fields.signature);
  return ok ? (fields as TokenFields) : null;
}

// btoa/atob exist in browsers and Node 16+; the JSON is ASCII.
const toBase64Url = (text: string): string => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromBase64Url = (text: string): string => atob(text.replace(/-/g, '+').replace(/_/g, '/'));
