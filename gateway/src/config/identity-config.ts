import { ConfigError, Env, int } from './env';

export const EKYC_PROVIDERS = ['sandbox', 'none'] as const;
export type EkycProviderName = (typeof EKYC_PROVIDERS)[number];

/** Patient identity verification (issue 12): who checks an Aadhaar number, and the one-time code's limits. */
export interface IdentityConfig {
  /**
   * Who matches demographics and delivers the one-time code (EKYC_PROVIDER): `sandbox`, the
   * development provider with made-up residents, never in production; `none`, registration
   * answers 503 until a real provider (a licensed KUA/ASA's) is configured.
   */
  ekycProvider: EkycProviderName;
  /** How long a one-time code works (ONE_TIME_CODE_TTL_SECONDS). */
  codeTtlSeconds: number;
  /** Wrong codes before a code stops working (ONE_TIME_CODE_ATTEMPTS). */
  codeAttempts: number;
  /** Verifications started for one Aadhaar number per hour (VERIFICATIONS_PER_NUMBER_PER_HOUR). */
  verificationsPerNumberPerHour: number;
}

/**
 * NODE_ENV=production (the compose file sets it) refuses the sandbox: it would verify anyone
 * who knows a sandbox resident's details, and it writes one-time codes to a file.
 */
export function loadIdentity(env: Env): IdentityConfig {
  const production = env.NODE_ENV === 'production';
  const raw = env.EKYC_PROVIDER || (production ? 'none' : 'sandbox');
  if (!(EKYC_PROVIDERS as readonly string[]).includes(raw)) throw new ConfigError('EKYC_PROVIDER', `must be one of ${EKYC_PROVIDERS.join(', ')}, got "${raw}"`);
  if (raw === 'sandbox' && production) {
    throw new ConfigError('EKYC_PROVIDER', 'sandbox is refused with NODE_ENV=production: it verifies made-up residents; configure a real eKYC provider, or none');
  }
  return {
    ekycProvider: raw as EkycProviderName,
    codeTtlSeconds: int(env, 'ONE_TIME_CODE_TTL_SECONDS', 300, 60, 900),
    codeAttempts: int(env, 'ONE_TIME_CODE_ATTEMPTS', 3, 1, 10),
    verificationsPerNumberPerHour: int(env, 'VERIFICATIONS_PER_NUMBER_PER_HOUR', 5, 1, 100),
  };
}
