import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AccountStore } from '../accounts/account.store';
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
import { parseApiKey, sameHex, sha256Hex } from './secrets';
import { TokenService } from './token.service';

export const unauthenticated = (message = 'Authentication required') =>
  new ApiError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', message);

/** Turns credentials (password, bearer token, API key) into a Principal. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly decoyHash = hashPassword(randomBytes(16).toString('hex'));
  private readonly backoff: LoginBackoff;

  constructor(
    private readonly accounts: AccountStore,
    private readonly tokens: TokenService,
    private readonly consentManager: ConsentManager,
    private readonly passwords: PasswordHasher,
    private readonly audit: SecurityAudit,
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
    const accessToken = await this.tokens.signAccount(account.id, account.role, this.config.jwtTtlSeconds);
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
    if (!verified) throw unauthenticated('Invalid or expired token');
    if (verified.kind === 'account') {
      // A disabled account loses access at once, not when its token expires.
      const account = await this.accounts.findEnabledById(verified.accountId);
      if (!account) throw unauthenticated('Invalid or expired token');
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
    const row = await this.accounts.findActiveApiKey(parts.prefix);
    if (!row?.account || row.account.disabledAt || !sameHex(row.secretSha256, sha256Hex(parts.secret))) {
      throw unauthenticated('Invalid API key');
    }
    await this.accounts.touchApiKey(row.id);
    return { kind: 'account', accountId: row.account.id, role: row.account.role, via: 'api-key' };
  }
}
