import { isAbsolute, join, resolve } from 'node:path';
import { bool, ConfigError, Env, int } from './env';
import { IdentityConfig, loadIdentity } from './identity-config';
import { LimitsConfig, loadLimits } from './limits-config';

export { ConfigError };

/**
 * Every setting the gateway reads, parsed and checked once at boot.
 * A bad value stops the start with an error naming the variable (ConfigError).
 * Nothing else in the code reads process.env.
 */
export interface AppConfig {
  /** HTTP listen address and port. */
  host: string;
  port: number;
  /** Root of everything the embedded mode persists (chain state, PGlite, IPFS blocks, keys). */
  dataDir: string;
  /** Where generated key material lives (files 0600). Default `<dataDir>/keys`. */
  keysDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted request body, bytes. */
  bodyLimitBytes: number;
  /** The k-anonymity floor of research exports (RESEARCH_K_ANONYMITY): no released group holds fewer patients. */
  researchKAnonymity: number;
  /** Lifetime of a person's access token, seconds. */
  jwtTtlSeconds: number;
  /** How long after a sign-in its session may be refreshed (SESSION_MAX_SECONDS); then sign in again. */
  sessionMaxSeconds: number;
  /**
   * Gateway processes sharing the port (GATEWAY_WORKERS, Node's cluster): 1 runs in this process.
   * More need DATABASE_URL (PGlite is one process's database); the outbox still sends from one.
   */
  workers: number;
  database: {
    /** Real Postgres when set; otherwise PGlite under `pgliteDir`. */
    url?: string;
    /** Schema the gateway's tables live in (lets tests and tenants share one database). */
    schema: string;
    pgliteDir: string;
  };
  chain: {
    /** JSON-RPC endpoint of an existing chain (Besu); when unset the gateway runs Anvil itself. */
    rpcUrl?: string;
    /**
     * The embedded chain's id; with `rpcUrl`, the id the node must report (unset: whatever it
     * reports, remembered in deployments.json with its genesis block).
     */
    chainId: number | undefined;
    /** Seconds between blocks on the embedded chain; 0 = mine on every transaction (tests). */
    blockTimeSeconds: number;
    /** Port of the embedded Anvil; 0 picks a free one. */
    anvilPort: number;
    /**
     * The embedded chain another process of this gateway runs (the primary of GATEWAY_WORKERS
     * sets it for its workers): used as the embedded chain, not started again. Not for operators.
     */
    embeddedRpcUrl?: string;
    /** Directory for the embedded chain's state and the remembered contract addresses. */
    dir: string;
    /**
     * The validators' own JSON-RPC endpoints, one per validator, where validator votes are cast
     * (a vote counts only in blocks its node proposes). Unset: votes go to `rpcUrl`'s node.
     */
    validatorRpcUrls?: string[];
    /**
     * Sending keys this gateway used before a rotation (docs/decisions.md, "Contracts: threat
     * model"): their anchors stay trusted on reads, which name the anchorer they verify under.
     */
    formerWriters: string[];
  };
  ipfs: { apiUrl?: string; blocksDir: string };
  consortium: {
    /**
     * The authorities whose k-of-n approvals govern the consortium (ConsortiumRegistry). Unset on
     * the embedded chain: three development authorities are generated under keysDir, k = 2.
     */
    authorities?: string[];
    threshold: number;
    /** How long a proposal collects approvals; ConsortiumRegistry refuses more than 30 days. */
    proposalTtlSeconds: number;
    /** Longest break-glass access an emergency approval can grant. */
    emergencyMaxSeconds: number;
    /**
     * How long an emergency request waits for its approvals before it lapses; EmergencyAccess
     * refuses more than a day or more than emergencyMaxSeconds.
     */
    emergencyApprovalSeconds: number;
    /**
     * The admin of RecordAnchors and AccessLog (grants and revokes the gateway's writer roles),
     * fixed at their deployment. Unset: the suite's ConsortiumRoleAdmin, which acts on k-of-n
     * approvals of the authorities. Never the gateway's own key.
     */
    contractsAdmin?: string;
  };
  /** How often the chain-write outbox is drained (about once per block). */
  outbox: { intervalMs: number };
  /**
   * Webhooks to hospital systems: how often due deliveries are sent (WEBHOOK_INTERVAL_MS), and
   * whether their URLs may name private, loopback or link-local addresses (WEBHOOK_ALLOW_PRIVATE_URLS:
   * off by default, so no hospital can make the gateway call the inside of its own network).
   */
  webhooks: { intervalMs: number; allowPrivateUrls: boolean };
  /** Rate limits, password-hashing capacity, timeouts and body limits (limits-config.ts). */
  limits: LimitsConfig;
  /** Patient identity verification: the eKYC provider and one-time codes (identity-config.ts). */
  identity: IdentityConfig;
}

/**
 * `loadConfig` for a command's entry point (`npm start`, the deployer, `keys:rotate`): a bad
 * setting is printed, naming the variable, and the process exits 78 (EX_CONFIG).
 */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/**
 * The embedded development chain's id (Anvil, `npm start` and the tests). Never a network's: an
 * EIP-712 domain is (name, version, chain id, contract address), so a network sharing this id
 * would accept signatures made for a development chain whose deployer key and nonce match.
 * `npm run network:generate` gives each network an id of its own.
 */
export const EMBEDDED_CHAIN_ID = 2026_11;

/** Ids no network of ours may use: the embedded chain's, and the development defaults of Hardhat/Ganache (1337) and Anvil/Hardhat (31337). */
export const RESERVED_CHAIN_IDS: readonly number[] = [EMBEDDED_CHAIN_ID, 1337, 31337];

function optionalInt(env: Env, name: string, min: number, max: number): number | undefined {
  return env[name] === undefined || env[name] === '' ? undefined : int(env, name, 0, min, max);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  return checkedUrl(name, raw, protocols);
}

/** `raw` if it parses with one of `protocols`. Errors never quote it: a URL may carry credentials. */
function checkedUrl(name: string, raw: string, protocols: string[], entry?: number): string {
  const subject = entry === undefined ? '' : `entry ${entry} `;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `${subject}must be a URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `${subject}must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

/** Comma-separated URLs, each checked like `url`, none twice; an entry is named by its position. */
function urlList(env: Env, name: string, protocols: string[]): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const entries = raw.split(',').map((entry) => entry.trim());
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (entry === '') throw new ConfigError(name, `entry ${i + 1} is empty (two commas in a row, or one at an end)`);
    const href = new URL(checkedUrl(name, entry, protocols, i + 1)).href;
    const first = seen.get(href);
    if (first !== undefined) throw new ConfigError(name, `lists one URL twice (entries ${first} and ${i + 1})`);
    seen.set(href, i + 1);
  });
  return entries;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function dir(env: Env, name: string, fallback: string, base: string): string {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : raw;
  return isAbsolute(value) ? value : resolve(base, value);
}

function identifier(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // 48 at most: the persona and vault schemas add up to 14 characters (companion-schemas.ts), and Postgres names stop at 63.
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(raw)) throw new ConfigError(name, 'must be a lower-case SQL identifier of at most 48 characters');
  // The persona store's and the vault's schemas are named after it: a name that is one of theirs would share them.
  if (/^(persona|aadhaar_vault)$|_(persona|aadhaar_vault)$/.test(raw)) throw new ConfigError(name, 'must not be or end in "persona" or "aadhaar_vault": those name the persona store\'s and the Aadhaar vault\'s schemas');
  return raw;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Development authorities generated for the embedded chain, and how many must approve. */
export const DEV_AUTHORITIES = { count: 3, threshold: 2 };

function consortium(env: Env): AppConfig['consortium'] {
  const raw = env.CONSORTIUM_AUTHORITIES?.trim();
  const authorities = raw ? raw.split(',').map((a) => a.trim()) : undefined;
  if (authorities) {
    const bad = authorities.find((a) => !ADDRESS.test(a));
    if (bad !== undefined) throw new ConfigError('CONSORTIUM_AUTHORITIES', `must be comma-separated 0x addresses, got "${bad}"`);
    if (new Set(authorities.map((a) => a.toLowerCase())).size !== authorities.length) {
      throw new ConfigError('CONSORTIUM_AUTHORITIES', 'lists an address twice');
    }
  } else if (env.CHAIN_RPC_URL) {
    throw new ConfigError('CONSORTIUM_AUTHORITIES', 'is required when CHAIN_RPC_URL is set (the consortium authorities\' addresses)');
  }
  const n = authorities?.length ?? DEV_AUTHORITIES.count;
  const majority = authorities ? Math.floor(n / 2) + 1 : DEV_AUTHORITIES.threshold;
  const emergencyMaxHours = int(env, 'EMERGENCY_MAX_HOURS', 24, 1, 72);
  // EmergencyAccess's bounds (MAX_APPROVAL_WINDOW, maxDuration): an emergency ends at most
  // approval window + maximum access after the doctor asked.
  const approvalMinutes = int(env, 'EMERGENCY_APPROVAL_MINUTES', Math.min(120, emergencyMaxHours * 60), 1, Math.min(24, emergencyMaxHours) * 60);
  return {
    authorities,
    threshold: int(env, 'CONSORTIUM_THRESHOLD', majority, 1, n),
    // ConsortiumRegistry.MAX_PROPOSAL_TTL: 30 days.
    proposalTtlSeconds: int(env, 'PROPOSAL_TTL_HOURS', 168, 1, 24 * 30) * 3600,
    emergencyMaxSeconds: emergencyMaxHours * 3600,
    emergencyApprovalSeconds: approvalMinutes * 60,
    contractsAdmin: addressList(env, 'CONTRACTS_ADMIN')?.[0],
  };
}

/** Comma-separated 0x addresses, none twice; undefined when unset. */
function addressList(env: Env, name: string): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const addresses = raw.split(',').map((a) => a.trim());
  const bad = addresses.find((a) => !ADDRESS.test(a));
  if (bad !== undefined) throw new ConfigError(name, `must be 0x addresses separated by commas, got "${bad}"`);
  if (new Set(addresses.map((a) => a.toLowerCase())).size !== addresses.length) throw new ConfigError(name, 'lists an address twice');
  if (name === 'CONTRACTS_ADMIN' && addresses.length !== 1) throw new ConfigError(name, 'is one address');
  return addresses;
}

function validatorRpcUrls(env: Env): string[] | undefined {
  const urls = urlList(env, 'VALIDATOR_RPC_URLS', ['http:', 'https:']);
  if (urls && !env.CHAIN_RPC_URL) {
    throw new ConfigError('VALIDATOR_RPC_URLS', 'needs CHAIN_RPC_URL: the embedded Anvil chain has no validators to vote at');
  }
  return urls;
}

function workers(env: Env): number {
  const count = int(env, 'GATEWAY_WORKERS', 1, 1, 64);
  if (count > 1 && !env.DATABASE_URL) throw new ConfigError('GATEWAY_WORKERS', 'above 1 needs DATABASE_URL: PGlite is the database of one process');
  return count;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const dataDir = dir(env, 'DATA_DIR', 'data', cwd);
  return {
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 3000, 0, 65535),
    dataDir,
    keysDir: dir(env, 'KEYS_DIR', join(dataDir, 'keys'), cwd),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    researchKAnonymity: int(env, 'RESEARCH_K_ANONYMITY', 5, 2, 1000),
    jwtTtlSeconds: int(env, 'JWT_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    sessionMaxSeconds: int(env, 'SESSION_MAX_SECONDS', 12 * 3600, 300, 30 * 24 * 3600),
    workers: workers(env),
    database: {
      url: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
      schema: identifier(env, 'DATABASE_SCHEMA', 'public'),
      pgliteDir: join(dataDir, 'pglite'),
    },
    chain: {
      rpcUrl: url(env, 'CHAIN_RPC_URL', ['http:', 'https:']),
      chainId: env.CHAIN_RPC_URL ? optionalInt(env, 'CHAIN_ID', 1, 2 ** 31 - 1) : int(env, 'CHAIN_ID', EMBEDDED_CHAIN_ID, 1, 2 ** 31 - 1),
      blockTimeSeconds: int(env, 'CHAIN_BLOCK_TIME', 1, 0, 60),
      anvilPort: int(env, 'ANVIL_PORT', 8545, 0, 65535),
      embeddedRpcUrl: env.CHAIN_RPC_URL ? undefined : url(env, 'CHAIN_EMBEDDED_RPC_URL', ['http:']),
      dir: join(dataDir, 'chain'),
      validatorRpcUrls: validatorRpcUrls(env),
      formerWriters: addressList(env, 'CHAIN_FORMER_WRITERS') ?? [],
    },
    ipfs: {
      apiUrl: url(env, 'IPFS_API_URL', ['http:', 'https:']),
      blocksDir: join(dataDir, 'ipfs'),
    },
    outbox: { intervalMs: int(env, 'OUTBOX_INTERVAL_MS', 1000, 50, 60_000) },
    webhooks: { intervalMs: int(env, 'WEBHOOK_INTERVAL_MS', 1000, 50, 60_000), allowPrivateUrls: bool(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', false) },
    consortium: consortium(env),
    limits: loadLimits(env),
    identity: loadIdentity(env),
  };
}
