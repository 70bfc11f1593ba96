import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AccountPrincipal, AuthenticatedRequest, Principal, PrincipalKind, PseudonymPrincipal } from './principal';

/*
 * Why one decorator per kind rather than `@Auth() principal: AccountPrincipal`: TypeScript does
 * not check a parameter's annotation against what its decorator returns, so that annotation would
 * compile on a route that also accepts pseudonyms, and the handler would read `accountId` off a
 * pseudonym. `@AuthAccount()` checks the kind at run time, so the annotation it sits on is true,
 * needs no cast, and the handler stays one line. A route whose rule does not match the
 * decorator fails on its first call (500), never by silently treating one kind as the other.
 */

function principalOf(ctx: ExecutionContext): Principal {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('A principal decorator was used on a route without @Authenticated()');
  return principal;
}

function principalOfKind<K extends PrincipalKind>(ctx: ExecutionContext, kind: K): Extract<Principal, { kind: K }> {
  const principal = principalOf(ctx);
  if (principal.kind !== kind) {
    throw new Error(`A ${kind}-only parameter decorator on a route that accepts ${principal.kind} callers: use @Auth() and narrow on kind`);
  }
  return principal as Extract<Principal, { kind: K }>;
}

/** `@Auth() principal: Principal`: for routes that accept more than one kind; narrow on `principal.kind`. */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => principalOf(ctx));

/** `@AuthAccount() account: AccountPrincipal`: for routes that accept accounts only (the default). */
export const AuthAccount = createParamDecorator((_data: unknown, ctx: ExecutionContext): AccountPrincipal => principalOfKind(ctx, 'account'));

/** `@AuthPseudonym() pseudonym: PseudonymPrincipal`: for routes that accept pseudonyms only. */
export const AuthPseudonym = createParamDecorator((_data: unknown, ctx: ExecutionContext): PseudonymPrincipal => principalOfKind(ctx, 'pseudonym'));
