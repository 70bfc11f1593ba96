import rateLimit from '@fastify/rate-limit';
import { HttpStatus } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { LimitsConfig } from '../config/limits-config';
import { RetryLaterError } from './errors';

const MINUTE_MS = 60_000;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A sign-in route: its own, smaller per-address limit (RATE_LIMIT_LOGINS_PER_ADDRESS) instead of
 * the general one, since every attempt costs a password hash or a signature check.
 */
export const SignInRateLimit = (): MethodDecorator => RouteConfig({ signIn: true });

const tooMany = (what: string, retryAfterSeconds: number): RetryLaterError =>
  new RetryLaterError(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', `Too many ${what}; try again in ${retryAfterSeconds} s`, retryAfterSeconds);

/**
 * Per-address request limits with @fastify/rate-limit, checked when a request arrives (before its
 * body is read): RATE_LIMIT_PER_ADDRESS on every route, RATE_LIMIT_LOGINS_PER_ADDRESS on sign-in
 * routes. Must be registered before the routes are (before `app.init()`). Limits live in this
 * process's memory (README "Rate limits").
 */
export async function registerAddressLimits(fastify: FastifyInstance, limits: LimitsConfig): Promise<void> {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config as { signIn?: boolean; rateLimit?: unknown } | undefined;
    if (config?.signIn) config.rateLimit = { max: limits.loginsPerAddressPerMinute, timeWindow: MINUTE_MS };
  });
  await fastify.register(rateLimit, {
    global: true,
    max: limits.requestsPerAddressPerMinute,
    timeWindow: MINUTE_MS,
    // Thrown, so the one error filter answers in the error contract; the plugin has set Retry-After.
    errorResponseBuilder: (request, context) =>
      tooMany((request.routeOptions.config as { signIn?: boolean }).signIn ? 'sign-in attempts from this address' : 'requests from this address', Math.ceil(context.ttl / 1000)),
  });
}

/**
 * RATE_LIMIT_WRITES_PER_ACCOUNT: writes per minute by one authenticated caller (account or
 * pseudonym), keyed by who it is, not where it calls from. Returns a check for a request whose
 * caller is known; it throws RATE_LIMITED beyond the limit.
 */
export function accountWriteLimit(fastify: FastifyInstance, limits: LimitsConfig): (request: FastifyRequest, caller: string) => Promise<void> {
  const check = fastify.createRateLimit({ max: limits.writesPerAccountPerMinute, timeWindow: MINUTE_MS, keyGenerator: (request) => callerOf(request) });
  const callers = new WeakMap<FastifyRequest, string>();
  const callerOf = (request: FastifyRequest): string => callers.get(request)!;
  return async (request, caller) => {
    if (!WRITE_METHODS.has(request.method)) return;
    callers.set(request, caller);
    const result = await check(request);
    if (!result.isAllowed && result.isExceeded) throw tooMany('writes by this caller', result.ttlInSeconds);
  };
}
