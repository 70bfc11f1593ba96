import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ApiError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { AccountStore } from '../accounts/account.store';
import { AuthContext } from './auth-context';
import { Role } from './permissions';
import { hashPassword, parseApiKey, sameHex, sha256Hex, verifyPassword } from './secrets';

interface TokenClaims {
  sub: string;
  role: Role;
}

export const unauthenticated = (message = 'Authentication required') =>
  new ApiError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', message);

/** Turns credentials (password, JWT, API key) into an AuthContext. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly decoyHash = hashPassword(randomBytes(16).toString('hex'));

  constructor(
    private readonly accounts: AccountStore,
    private readonly jwt: JwtService,
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
    const claims: TokenClaims = { sub: account.id, role: account.role };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.jwtTtlSeconds });
    return { accessToken, expiresIn: this.config.jwtTtlSeconds };
  }

  async fromBearer(token: string): Promise<AuthContext> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw unauthenticated('Invalid or expired token');
    }
    // A disabled account loses access at once, not when its token expires.
    const account = await this.accounts.findEnabledById(claims.sub);
    if (!account) throw unauthenticated('Invalid or expired token');
    return { accountId: account.id, role: account.role, via: 'jwt' };
  }

  async fromApiKey(key: string): Promise<AuthContext> {
    const parts = parseApiKey(key);
    if (!parts) throw unauthenticated('Invalid API key');
    const row = await this.accounts.findActiveApiKey(parts.prefix);
    if (!row?.account || row.account.disabledAt || !sameHex(row.secretSha256, sha256Hex(parts.secret))) {
      throw unauthenticated('Invalid API key');
    }
    return { accountId: row.account.id, role: row.account.role, via: 'api-key' };
  }
}
