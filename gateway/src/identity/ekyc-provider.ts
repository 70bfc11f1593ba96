import { DependencyUnavailableError } from '../common/errors';
import type { AadhaarKind } from './aadhaar';

export const GENDERS = ['F', 'M', 'T'] as const;
/** As UIDAI records it: female, male, transgender. */
export type Gender = (typeof GENDERS)[number];

/** What a resident states about themselves, matched against UIDAI's record (demographic authentication). */
export interface Demographics {
  name: string;
  yearOfBirth: number;
  gender: Gender;
}

/**
 * A demographic match: the resident's 12-digit Aadhaar number (a VID resolved to it: only the
 * number is kept, never the VID) and the mobile number on record, where the one-time code goes.
 */
export type EkycMatch = { matched: false } | { matched: true; aadhaar: string; mobile: string };

export type CodePurpose = 'registration' | 'sign-in';

/**
 * Who verifies an Aadhaar number (DESIGN, "Patient registration"): a licensed KUA/ASA in
 * production, the sandbox in development. The gateway makes, hashes and checks the one-time
 * code itself (its expiry, attempts and rate limits are ours to enforce); the provider matches
 * demographics and delivers the code to the registered mobile. Chosen by EKYC_PROVIDER.
 */
export abstract class EkycProvider {
  abstract readonly name: string;

  /** Whether UIDAI's record for the number (or VID) matches what the resident stated. */
  abstract match(number: { digits: string; kind: AadhaarKind }, stated: Demographics): Promise<EkycMatch>;

  /** Sends `code` to `mobile` (an SMS naming what it is for, and that nobody should ask for it). */
  abstract deliverCode(mobile: string, code: string, purpose: CodePurpose): Promise<void>;

  /**
   * Tells `mobile` that someone tried to register this number again: the registered patient
   * learns of it, and the one who tried learns nothing the answer would not show for a newcomer.
   */
  abstract deliverNotice(mobile: string, notice: Notice): Promise<void>;
}

export type Notice = 'already-registered';

/** EKYC_PROVIDER=none: identity verification answers 503 EKYC_UNAVAILABLE, so nobody registers unverified. */
export class NoEkycProvider extends EkycProvider {
  readonly name = 'none';

  match(): Promise<EkycMatch> {
    return Promise.reject(new DependencyUnavailableError('ekyc'));
  }

  deliverCode(): Promise<void> {
    return Promise.reject(new DependencyUnavailableError('ekyc'));
  }

  deliverNotice(): Promise<void> {
    return Promise.reject(new DependencyUnavailableError('ekyc'));
  }
}

/** Names compared as UIDAI's exact match does, give or take case and spacing. */
export function sameName(a: string, b: string): boolean {
  const normal = (name: string) => name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  return normal(a) === normal(b);
}

/** `******1234`: the mobile number as the resident is told where the code went. */
export function maskMobile(mobile: string): string {
  return `${'*'.repeat(Math.max(0, mobile.length - 4))}${mobile.slice(-4)}`;
}
