import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { isPrivateKey } from '../crypto/secp256k1';

interface KeySpec {
  file: string;
  generate(): string;
}

function chainKey(): string {
  for (;;) {
    const candidate = randomBytes(32);
    if (isPrivateKey(candidate)) return `0x${candidate.toString('hex')}`;
  }
}

const KEYS = {
  /** The gateway's chain account: signs anchors, relayed consents and access-log entries. */
  chain: { file: 'chain-account.key', generate: chainKey },
  /** HMAC key for the people's access tokens (JWT HS256). */
  jwt: { file: 'jwt.secret', generate: () => randomBytes(48).toString('base64') },
  /**
   * HMAC key that authenticates queued chain writes: kept out of the database, so whoever can
   * edit the outbox table still cannot make the gateway write something it never queued.
   */
  outboxMac: { file: 'outbox-mac.secret', generate: () => randomBytes(32).toString('base64') },
  /**
   * The bearer token Prometheus scrapes /metrics with (`authorization.credentials_file`):
   * metrics are not public, and a scraper needs no account or expiring token.
   */
  /**
   * HMAC key of the Aadhaar vault's lookup column (duplicate detection): kept out of the
   * database, so a dump cannot be searched by trying the ~10^11 valid numbers.
   */
  aadhaarLookup: { file: 'aadhaar-lookup.secret', generate: () => randomBytes(32).toString('base64') },
  metricsToken: { file: 'metrics.token', generate: () => randomBytes(32).toString('base64url') },
  /**
   * RSA-2048 key that patients' software encrypts an Aadhaar number to before sending it
   * (GET /v1/identity/aadhaar-key), as UIDAI's and ABDM's APIs have clients do: the number is
   * never in a request body in clear, whatever terminates TLS in front of the gateway.
   */
  aadhaarTransport: {
    file: 'aadhaar-transport.pem',
    generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  },
} satisfies Record<string, KeySpec>;

type KeyName = keyof typeof KEYS;

/**
 * The gateway's own key material, created on first start as files readable by the owner only
 * (0600 in a 0700 directory). In production the directory is a mounted secret and nothing is
 * generated. Values are held in memory and never logged; `toJSON`/inspection hide them.
 */
export class KeyStore {
  private constructor(
    private readonly dir: string,
    private readonly values: Record<KeyName, string>,
    readonly created: KeyName[],
  ) {}

  static async open(dir: string): Promise<KeyStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const values = {} as Record<KeyName, string>;
    const created: KeyName[] = [];
    for (const [name, spec] of Object.entries(KEYS) as [KeyName, KeySpec][]) {
      const path = join(dir, spec.file);
      try {
        values[name] = (await readFile(path, 'utf8')).trim();
        await KeyStore.tighten(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        values[name] = spec.generate();
        // 'wx': never overwrite a key another process created in the meantime.
        await writeFile(path, `${values[name]}\n`, { mode: 0o600, flag: 'wx' });
        created.push(name);
      }
    }
    return new KeyStore(dir, values, created);
  }

  /**
   * Keys of the development consortium authorities, for the embedded chain only (created on
   * first use). A real consortium's authorities keep their own keys; the gateway never has them.
   */
  async devAuthorityKeys(count: number): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 1; i <= count; i++) {
      const path = join(this.dir, `dev-authority-${i}.key`);
      try {
        keys.push((await readFile(path, 'utf8')).trim());
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        const key = chainKey();
        await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
        keys.push(key);
      }
    }
    return keys;
  }

  /** A key file readable by group or others is narrowed to the owner, as ssh would insist. */
  private static async tighten(path: string): Promise<void> {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) await chmod(path, 0o600);
  }

  chainPrivateKey(): string {
    return this.values.chain;
  }

  jwtSecret(): string {
    return this.values.jwt;
  }

  metricsToken(): string {
    return this.values.metricsToken;
  }

  aadhaarLookupKey(): Buffer {
    return Buffer.from(this.values.aadhaarLookup, 'base64');
  }

  aadhaarTransportKey(): string {
    return this.values.aadhaarTransport;
  }

  outboxMacKey(): Buffer {
    return Buffer.from(this.values.outboxMac, 'base64');
  }

  toJSON(): string {
    return '[KeyStore]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[KeyStore]';
  }
}
