import { ConfigError, Env, int } from './env';

/**
 * What one client, one account or one flood may take of the gateway (issue 10): every limit
 * answers 429 with Retry-After, or 503 when the gateway itself is at capacity, instead of
 * letting the load starve everyone else. README "Rate limits" explains how to tune them.
 */
export interface LimitsConfig {
  /** Requests per minute from one client address, on any route (RATE_LIMIT_PER_ADDRESS). */
  requestsPerAddressPerMinute: number;
  /** Sign-in attempts per minute from one client address (RATE_LIMIT_LOGINS_PER_ADDRESS). */
  loginsPerAddressPerMinute: number;
  /** Failed token or API-key checks per minute from one address before it is refused (RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS). */
  authFailuresPerAddressPerMinute: number;
  /** Writes (POST, PUT, PATCH, DELETE) per minute by one account or pseudonym (RATE_LIMIT_WRITES_PER_ACCOUNT). */
  writesPerAccountPerMinute: number;
  /** Failed sign-ins in a row for one username before it must wait (LOGIN_FAILURES_BEFORE_BACKOFF). */
  loginFailuresBeforeBackoff: number;
  /** The longest wait after failed sign-ins, doubling from 1 s (LOGIN_MAX_BACKOFF_SECONDS). */
  loginMaxBackoffSeconds: number;
  /** Password hashes computed at once (PASSWORD_HASH_CONCURRENCY); each takes 128 MiB and a libuv thread for ~0.3 s. */
  passwordHashConcurrency: number;
  /** Password hashes allowed to wait; beyond, sign-in answers 503 AUTH_BUSY (PASSWORD_HASH_QUEUE). */
  passwordHashQueue: number;
  /** Longest time to receive a whole request, headers and body (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Longest time to receive the request headers (HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** Largest JSON body (JSON_BODY_LIMIT_BYTES); uploads have BODY_LIMIT_BYTES. */
  jsonBodyLimitBytes: number;
  /** Largest FHIR record (`application/fhir+json`, FHIR_BODY_LIMIT_BYTES): a Bundle of a stay runs to megabytes. */
  fhirBodyLimitBytes: number;
  /**
   * Whose address is the client's: false (the socket's peer), or the number of proxies in front
   * of the gateway whose X-Forwarded-For is trusted (TRUST_PROXY_HOPS). Behind a hospital's proxy
   * every client otherwise shares the proxy's address and its limits.
   */
  trustProxyHops: number | false;
}

const PER_MINUTE_MAX = 1_000_000;

export function loadLimits(env: Env): LimitsConfig {
  const limits: LimitsConfig = {
    requestsPerAddressPerMinute: int(env, 'RATE_LIMIT_PER_ADDRESS', 1_200, 1, PER_MINUTE_MAX),
    loginsPerAddressPerMinute: int(env, 'RATE_LIMIT_LOGINS_PER_ADDRESS', 20, 1, PER_MINUTE_MAX),
    authFailuresPerAddressPerMinute: int(env, 'RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS', 30, 1, PER_MINUTE_MAX),
    writesPerAccountPerMinute: int(env, 'RATE_LIMIT_WRITES_PER_ACCOUNT', 600, 1, PER_MINUTE_MAX),
    loginFailuresBeforeBackoff: int(env, 'LOGIN_FAILURES_BEFORE_BACKOFF', 5, 1, 1_000),
    loginMaxBackoffSeconds: int(env, 'LOGIN_MAX_BACKOFF_SECONDS', 900, 1, 86_400),
    passwordHashConcurrency: int(env, 'PASSWORD_HASH_CONCURRENCY', 2, 1, 64),
    passwordHashQueue: int(env, 'PASSWORD_HASH_QUEUE', 16, 0, 10_000),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
    headersTimeoutMs: int(env, 'HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000),
    jsonBodyLimitBytes: int(env, 'JSON_BODY_LIMIT_BYTES', 64 * 1024, 1_024, 16 * 1024 * 1024),
    fhirBodyLimitBytes: int(env, 'FHIR_BODY_LIMIT_BYTES', 4 * 1024 * 1024, 1_024, 64 * 1024 * 1024),
    trustProxyHops: env.TRUST_PROXY_HOPS === undefined || env.TRUST_PROXY_HOPS === '' ? false : int(env, 'TRUST_PROXY_HOPS', 0, 1, 10),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('HEADERS_TIMEOUT_MS', `must not exceed REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`);
  }
  return limits;
}
