import { HttpStatus } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { auditContextOf } from '../audit/audit-context';
import { SecurityAudit } from '../audit/security-audit';
import { RetryLaterError } from '../common/errors';
import { accountWriteLimit } from '../common/rate-limits';
import type { LimitsConfig } from '../config/limits-config';
import { WindowCounter } from './attempt-limits';
import { AuthService } from './auth.service';
import { AuthenticatedRequest, Principal } from './principal';
import { controllersOf, listRoutes } from './route-access';

const MINUTE_MS = 60_000;

/** Which kind of credential a request presented (never the credential itself). */
function credentialKind(headers: FastifyRequest['headers']): string {
  if (typeof headers.authorization === 'string' && headers.authorization.startsWith('Bearer ')) return 'bearer token';
  if (typeof headers['x-api-key'] === 'string') return 'API key';
  return 'none';
}

/**
 * Checks the caller's credentials as soon as a request for a protected route arrives, in
 * Fastify's onRequest hook, before its body is read: a caller without valid credentials cannot
 * make the gateway receive an upload, or hold a connection open with a slow body (issue 10).
 * Then, per client address, refuses a source of repeated failed token or API-key checks
 * (RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS, 429) and, per caller, too many writes
 * (RATE_LIMIT_WRITES_PER_ACCOUNT). Public routes, /metrics (its own token) and unknown paths pass through; AuthGuard
 * still decides, per route, whether the caller is accepted and may act.
 * Install before `app.init()`, so the hook applies to every route.
 */
export function installEarlyAuthentication(app: NestFastifyApplication, limits: LimitsConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const auth = app.get(AuthService);
  const audit = app.get(SecurityAudit);
  const rules = new Map(listRoutes(controllersOf(app.get(ModulesContainer))).map(({ route, rule }) => [route, rule]));
  const failures = new WindowCounter(limits.authFailuresPerAddressPerMinute, MINUTE_MS);
  const limitWrites = accountWriteLimit(fastify, limits);

  fastify.addHook('onRequest', async (request: FastifyRequest & AuthenticatedRequest) => {
    const rule = rules.get(`${request.method} ${request.routeOptions.url}`);
    if (rule?.kind !== 'authenticated') return;
    const wait = failures.retryAfterSeconds(request.ip);
    if (wait > 0) {
      throw new RetryLaterError(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', `Too many failed credential checks from this address; try again in ${wait} s`, wait);
    }
    let principal: Principal;
    try {
      principal = await auth.authenticate(request.headers);
    } catch (error) {
      if ((error as { getStatus?: () => number }).getStatus?.() === HttpStatus.UNAUTHORIZED) {
        failures.add(request.ip);
        await audit.recordRefusal(auditContextOf(request), { event: 'credential.rejected', details: { route: `${request.method} ${request.routeOptions.url}`, credential: credentialKind(request.headers) } });
      }
      throw error;
    }
    request.credentialsOf = principal;
    await limitWrites(request, principal.kind === 'account' ? `account:${principal.accountId}` : `pseudonym:${principal.handle}`);
  });
}
