import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { auditContextOf } from '../audit/audit-context';
import { SecurityAudit } from '../audit/security-audit';
import { ApiError } from '../common/errors';
import { constantTimeEqual } from '../crypto/hmac';
import { KeyStore } from '../keys/key-store';
import { AuthService, unauthenticated } from './auth.service';
import { readAccessRule } from './authenticated.decorator';
import { Permission, principalHas } from './permissions';
import { AuthenticatedRequest, Principal } from './principal';

type GuardedRequest = FastifyRequest & AuthenticatedRequest;

/**
 * Global guard. Fails closed: a route with neither @Authenticated nor @Public is refused (and
 * an e2e test lists such routes so they never ship). Then: who is calling (401), is that kind of
 * caller accepted here (403 PRINCIPAL_NOT_ACCEPTED), may it do this (403 FORBIDDEN).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly keys: KeyStore,
    private readonly audit: SecurityAudit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = readAccessRule(context.getHandler(), context.getClass());
    if (rule?.kind === 'public') return true;
    if (!rule) throw new ApiError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'Route has no access rule');

    const request = context.switchToHttp().getRequest<GuardedRequest>();
    if (rule.kind === 'scrape-token') {
      if (!this.isScrapeToken(request.headers.authorization)) throw unauthenticated('Send the metrics token ($KEYS_DIR/metrics.token) as a bearer token');
      return true;
    }
    // Usually checked already when the request arrived (early-authentication.ts).
    const principal = request.credentialsOf ?? (await this.auth.authenticate(request.headers));
    const refusal = !rule.principals.includes(principal.kind)
      ? new ApiError(HttpStatus.FORBIDDEN, 'PRINCIPAL_NOT_ACCEPTED', `This route does not accept ${principal.kind} callers`, { accepted: [...rule.principals] })
      : !principalHas(principal, rule.permission) ? forbidden(principal, rule.permission) : undefined;
    if (refusal) {
      await this.audit.recordRefusal(auditContextOf(request), {
        event: 'permission.denied',
        details: { route: `${request.method} ${request.routeOptions.url}`, permission: rule.permission, code: refusal.code },
      });
      throw refusal;
    }
    request.principal = principal;
    return true;
  }

  private isScrapeToken(authorization: string | string[] | undefined): boolean {
    if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return false;
    return constantTimeEqual(Buffer.from(authorization.slice('Bearer '.length).trim()), Buffer.from(this.keys.metricsToken()));
  }
}

function forbidden(principal: Principal, permission: Permission): ApiError {
  const who = principal.kind === 'account' ? `Role ${principal.role}` : 'A pseudonym';
  return new ApiError(HttpStatus.FORBIDDEN, 'FORBIDDEN', `${who} may not ${permission}`);
}
