import type { ConsentState } from '../chain/consent-manager';

/** Why a read under consent is refused: the code the 403 carries. */
export type ConsentRefusal =
  | 'CONSENT_REQUIRED'
  | 'CONSENT_REVOKED'
  | 'CONSENT_EXPIRED'
  | 'CONSENT_CATEGORY_NOT_COVERED'
  | 'CONSENT_PURPOSE_NOT_COVERED'
  | 'CONSENT_DATE_NOT_COVERED'
  | 'CONSENT_RECORD_NOT_COVERED'
  | 'CONSENT_NOT_IN_FORCE'
  | 'CONSENT_CHANGED_ELSEWHERE';

export const REFUSAL_MESSAGES: Record<ConsentRefusal, string> = {
  CONSENT_REQUIRED: 'The patient has not granted you a consent that covers this record',
  CONSENT_REVOKED: 'The patient revoked your consent',
  CONSENT_EXPIRED: 'Your consent from the patient has expired',
  CONSENT_CATEGORY_NOT_COVERED: "The record's category is not in your consent",
  CONSENT_PURPOSE_NOT_COVERED: 'The purpose you stated is not in your consent',
  CONSENT_DATE_NOT_COVERED: "The record's date is outside your consent's date range",
  CONSENT_RECORD_NOT_COVERED: 'Your consent names other records than this one',
  CONSENT_NOT_IN_FORCE: 'The chain does not count your consent in force (your consortium membership is not active, or the patient recovered their key since)',
  CONSENT_CHANGED_ELSEWHERE: 'The patient changed this consent through another relay (or the change is not confirmed here yet): ask them to grant it through this gateway',
};

export type ConsentStatus = 'active' | 'expired' | 'revoked' | 'none';

/** What a consent is now, from the chain's state at `now` (unix seconds). */
export function consentStatus(state: ConsentState, now: number): ConsentStatus {
  if (state.terms.expiry === 0) return state.nonce > 0n ? 'revoked' : 'none';
  return state.terms.expiry <= now ? 'expired' : 'active';
}

/**
 * Why the chain said no to a read (`mayRead` false), from the consent's terms: the first term the
 * read falls outside of, in the order a person would check them. A read whose every term holds was
 * refused for what the terms do not show (membership, a recovery since the grant).
 */
export function refusalOf(state: ConsentState, read: { category: number; purpose: number; recordDate: number; inRecordSet: boolean }, now: number): ConsentRefusal {
  const status = consentStatus(state, now);
  if (status === 'none') return 'CONSENT_REQUIRED';
  if (status === 'revoked') return 'CONSENT_REVOKED';
  if (status === 'expired') return 'CONSENT_EXPIRED';
  const { terms } = state;
  if (((terms.categories >> read.category) & 1) === 0) return 'CONSENT_CATEGORY_NOT_COVERED';
  if (((terms.purposes >> read.purpose) & 1) === 0) return 'CONSENT_PURPOSE_NOT_COVERED';
  if (read.recordDate < terms.fromDate || read.recordDate > terms.toDate) return 'CONSENT_DATE_NOT_COVERED';
  if (!read.inRecordSet) return 'CONSENT_RECORD_NOT_COVERED';
  return 'CONSENT_NOT_IN_FORCE';
}
