import { HttpStatus, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AccountStore } from '../accounts/account.store';
import { AccountEntity } from '../accounts/account.entity';
import { CachedAccount, CachedApiKey, CredentialsCache } from '../accounts/credentials-cache';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
import { ConsentManager } from '../chain/consent-manager';
import { ApiError, RetryLaterError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { API_KEY_HEADER } from './authenticated.decorator';
import { Role } from './permissions';
import { AccountPrincipal, Principal } from './principal';
import { hashPassword } from '../crypto/password';
import { PasswordHasher } from '../crypto/password-hasher';
import { LoginBackoff } from './attempt-limits';
import { passwordProblems } from './password-policy';
import { parseApiKey, sameHex, sha256Hex } from './secrets';
import { TokenRevocations } from './token-revocations';
import { TokenService } from './token.service';

/** The version account tokens must carry: when the password last changed, in ms (0: never). */
const credentialsVersion = (account: { credentialsChangedAt: Date | null }): number => account.credentialsChangedAt?.getTime() ?? 0;

const cachedAccount = (row: AccountEntity): CachedAccount => ({ id: row.id, role: row.role, disabled: row.disabledAt !== null, credentialsVersion: credentialsVersion(row) });

export const unauthenticated = (message = 'Authentication required') =>
  new ApiError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', message);

/** Turns credentials (password, bearer token, API key) into a Principal. */
@Injectable()
export class AuthService {
  private readonly decoyHash = hashPassword(randomBytes(16).toString('hex'));
  private readonly backoff: LoginBackoff;
  /** When this process last noted each API key's use (keys of active hospital systems: a few hundred at most). */
  private readonly keysTouchedAt = new Map<string, number>();

  constructor(
    private readonly accounts: AccountStore,
    private readonly tokens: TokenService,
    private readonly revocations: TokenRevocations,
    private readonly consentManager: ConsentManager,
    private readonly passwords: PasswordHasher,
    private readonly audit: SecurityAudit,
    private readonly credentials: CredentialsCache,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.backoff = new LoginBackoff(config.limits.loginFailuresBeforeBackoff, config.limits.loginMaxBackoffSeconds);
  }

  async login(username: string, password: string, context: AuditContext = {}): Promise<{ accessToken: string; expiresIn: number }> {
    // Before any hashing: a username under back-off costs the gateway nothing, right or wrong.
    const wait = this.backoff.waitSeconds(username);
    if (wait > 0) {
      throw new RetryLaterError(HttpStatus.TOO_MANY_REQUESTS, 'LOGIN_BACKOFF', `Too many failed sign-ins for this username; try again in ${wait} s`, wait);
    }
    const account = await this.accounts.findByUsername(username);
    // Hash even for unknown users, so response time does not tell which usernames exist.
    // Hospital systems sign in with API keys only, never with a password.
    const ok = (await this.passwords.verify(password, account?.passwordHash ?? (await this.decoyHash))) && !!account && !account.disabledAt && account.role !== Role.Hospital;
    if (!account || !ok) {
      this.backoff.failed(username);
      await this.audit.recordRefusal(context, { event: 'login.failed', username });
      throw unauthenticated('Wrong username or password');
    }
    this.backoff.succeeded(username);
    await this.audit.record({ ...context, actor: { kind: 'account', accountId: account.id, role: account.role, via: 'jwt' } }, { event: 'login.succeeded', username });
    const accessToken = await this.tokens.signAccount(account.id, account.role, this.config.jwtTtlSeconds, credentialsVersion(account));
    return { accessToken, expiresIn: this.config.jwtTtlSeconds };
  }

  /**
   * The signed-in person changes their own password: the current one again (a stolen token alone
   * cannot), a new one the policy accepts. Every other session of the account ends; the answer
   * is a fresh token for this one. Wrong current passwords count towards the username's back-off.
   */
  async changePassword(accountId: string, currentPassword: string, newPassword: string, context: AuditContext): Promise<{ accessToken: string; expiresIn: number }> {
    const account = await this.accounts.findEnabledById(accountId);
    if (!account) throw unauthenticated('Invalid or expired token');
    if (!account.passwordHash) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'NO_PASSWORD', 'This account signs in with API keys only');
    const wait = this.backoff.waitSeconds(account.username);
    if (wait > 0) throw new RetryLaterError(HttpStatus.TOO_MANY_REQUESTS, 'LOGIN_BACKOFF', `Too many failed password checks for this account; try again in ${wait} s`, wait);
    if (!(await this.passwords.verify(currentPassword, account.passwordHash))) {
      this.backoff.failed(account.username);
      await this.audit.recordRefusal(context, { event: 'permission.denied', details: { action: 'change password', code: 'WRONG_PASSWORD' } });
      throw new ApiError(HttpStatus.FORBIDDEN, 'WRONG_PASSWORD', 'The current password is not right');
    }
    const problems = passwordProblems(newPassword, account.username);
    if (problems.length > 0) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'Request validation failed', { errors: [{ field: 'newPassword', problems: problems.map((p) => `newPassword ${p}`) }] });
    }
    this.backoff.succeeded(account.username);
    const passwordHash = await this.passwords.hash(newPassword);
    const changedAt = new Date();
    await this.credentials.changing(account.id, async (manager) => {
      await this.accounts.setPassword(account.id, passwordHash, changedAt, manager);
      await this.audit.record(context, { event: 'password.changed', target: { type: 'account', id: account.id } }, manager);
    });
    const accessToken = await this.tokens.signAccount(account.id, account.role, this.config.jwtTtlSeconds, changedAt.getTime());
    return { accessToken, expiresIn: this.config.jwtTtlSeconds };
  }

  /** The caller a request's credentials name: a bearer token, else an X-API-Key; 401 without valid ones. */
  authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal> {
    const authorization = headers.authorization;
    const apiKey = headers[API_KEY_HEADER];
    if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) return this.fromBearer(authorization.slice('Bearer '.length).trim());
    if (typeof apiKey === 'string') return this.fromApiKey(apiKey);
    return Promise.reject(unauthenticated());
  }

  async fromBearer(token: string): Promise<Principal> {
    const verified = await this.tokens.verify(token);
    if (!verified || (await this.revocations.isRevoked(verified.tokenId))) throw unauthenticated('Invalid or expired token');
    if (verified.kind === 'account') {
      // A disabled account loses access at once, not when its token expires; a changed or reset
      // password ends the sessions opened before it.
      const account = await this.account(verified.accountId);
      if (!account || account.disabled || verified.credentialsVersion !== account.credentialsVersion) throw unauthenticated('Invalid or expired token');
      return { kind: 'account', accountId: account.id, role: account.role, via: 'jwt' };
    }
    // Likewise a rotated or recovered consent key ends the sessions it opened: the chain, not
    // the token, says who signs for the handle.
    if ((await this.consentManager.signerOf(verified.handle)) !== verified.signer) throw unauthenticated('Invalid or expired token');
    return { kind: 'pseudonym', handle: verified.handle };
  }

  async fromApiKey(key: string): Promise<AccountPrincipal> {
    const parts = parseApiKey(key);
    if (!parts) throw unauthenticated('Invalid API key');
    const found = await this.apiKey(key, parts);
    if (!found || found.account.disabled) throw unauthenticated('Invalid API key');
    // At most one write a minute per key and process; the store's own condition covers other replicas.
    const now = Date.now();
    if (now - (this.keysTouchedAt.get(found.keyId) ?? 0) >= 60_000) {
      this.keysTouchedAt.set(found.keyId, now);
      await this.accounts.touchApiKey(found.keyId);
    }
    return { kind: 'account', accountId: found.account.id, role: found.account.role, via: 'api-key' };
  }

  /** The active key `key` names, from the cache or the database (then cached); null when none. */
  private async apiKey(key: string, parts: { prefix: string; secret: string }): Promise<CachedApiKey | null> {
    const keyHash = sha256Hex(key);
    const cached = this.credentials.apiKey(keyHash);
    if (cached) return cached;
    const epoch = this.credentials.begin();
    const row = await this.accounts.findActiveApiKey(parts.prefix);
    if (!row?.account || !sameHex(row.secretSha256, sha256Hex(parts.secret))) return null;
    const found = { keyId: row.id, account: cachedAccount(row.account), expiresAt: row.expiresAt?.getTime() ?? null };
    this.credentials.rememberApiKey(epoch, keyHash, found);
    return found;
  }

  /** The account a token names, from the cache or the database (then cached); null when there is none. */
  private async account(accountId: string): Promise<CachedAccount | null> {
    const cached = this.credentials.account(accountId);
    if (cached) return cached;
    const epoch = this.credentials.begin();
    const row = await this.accounts.findById(accountId);
    if (!row) return null;
    const account = cachedAccount(row);
    this.credentials.rememberAccount(epoch, account);
    return account;
  }
}
