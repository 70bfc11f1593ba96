import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AccountStore } from '../accounts/account.store';
import { ConsentManager } from '../chain/consent-manager';
import { ApiError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { AccountPrincipal, Principal } from './principal';
import { hashPassword, verifyPassword } from '../crypto/password';
import { parseApiKey, sameHex, sha256Hex } from './secrets';
import { TokenService } from './token.service';

export const unauthenticated = (message = 'Authentication required') =>
  new ApiError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', message);

/** Turns credentials (password, bearer token, API key) into a Principal. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly decoyHash = hashPassword(randomBytes(16).toString('hex'));

  constructor(
    private readonly accounts: AccountStore,
    private readonly tokens: TokenService,
    private readonly consentManager: ConsentManager,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async login(username: string, password: string): Promise<{ accessToken: string; expiresIn: number }> {
    const account = await this.accounts.findByUsername(username);
    // Hash even for unknown users, so response time does not tell which usernames exist.
    const ok = (await verifyPassword(password, account?.passwordHash ?? (await this.decoyHash))) && !!account && !account.disabledAt;
    if (!account || !ok) {
      this.logger.warn({ event: 'login_failed' });
      throw unauthenticated('Wrong username or password');
    }
    const accessToken = await this.tokens.signAccount(account.id, account.role, this.config.jwtTtlSeconds);
    return { accessToken, expiresIn: this.config.jwtTtlSeconds };
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
    return { kind: 'account', accountId: row.account.id, role: row.account.role, via: 'api-key' };
  }
}
