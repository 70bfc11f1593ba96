import { HttpStatus, Injectable } from '@nestjs/common';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
import { ApiError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { unauthenticated } from './auth.service';
import { Principal } from './principal';
import { PSEUDONYM_TOKEN_TTL_SECONDS } from './pseudonym-auth.service';
import { TokenRevocations } from './token-revocations';
import { TokenService, VerifiedToken } from './token.service';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * The lifetime of a signed-in session, for both faces of a patient and for every person
 * (issue 12, point 6): a token expires (1 h for accounts, 15 min for pseudonyms); a refresh
 * gives a new one and ends the old, up to SESSION_MAX_SECONDS after the sign-in; logout ends
 * the token at once, in every gateway process. API keys are no session: they are rotated and
 * revoked by an administrator.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly tokens: TokenService,
    private readonly revocations: TokenRevocations,
    private readonly audit: SecurityAudit,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async refresh(principal: Principal, authorization: string | undefined, context: AuditContext): Promise<{ accessToken: string; expiresIn: number }> {
    const token = await this.bearer(authorization);
    if (nowSeconds() - token.sessionStartedAt > this.config.sessionMaxSeconds) {
      throw new ApiError(HttpStatus.UNAUTHORIZED, 'SESSION_EXPIRED', 'This session is older than a refresh may extend it; sign in again');
    }
    // Ended first: of two refreshes racing with one token, the second finds it ended.
    if (!(await this.revocations.revoke(token))) throw unauthenticated('Invalid or expired token');
    const next =
      token.kind === 'account' && principal.kind === 'account'
        ? { accessToken: await this.tokens.signAccount(token.accountId, principal.role, this.config.jwtTtlSeconds, token.credentialsVersion, token.sessionStartedAt), expiresIn: this.config.jwtTtlSeconds }
        : token.kind === 'pseudonym'
          ? { accessToken: await this.tokens.signPseudonym(token.handle, token.signer, PSEUDONYM_TOKEN_TTL_SECONDS, token.sessionStartedAt), expiresIn: PSEUDONYM_TOKEN_TTL_SECONDS }
          : undefined;
    if (!next) throw unauthenticated('Invalid or expired token');
    await this.audit.record(context, { event: 'session.refreshed' });
    return next;
  }

  async logout(authorization: string | undefined, context: AuditContext): Promise<void> {
    const token = await this.bearer(authorization);
    await this.revocations.revoke(token);
    await this.audit.record(context, { event: 'session.ended' });
  }

  /** The request's bearer token (the guard accepted it already); 400 for an API key, which is no session. */
  private async bearer(authorization: string | undefined): Promise<VerifiedToken> {
    if (!authorization?.startsWith('Bearer ')) throw new ApiError(HttpStatus.BAD_REQUEST, 'BEARER_TOKEN_REQUIRED', 'Only a bearer token is a session: API keys are rotated and revoked by an administrator');
    const token = await this.tokens.verify(authorization.slice('Bearer '.length).trim());
    if (!token) throw unauthenticated('Invalid or expired token');
    return token;
  }
}
