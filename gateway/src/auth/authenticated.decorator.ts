import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Permission } from './permissions';
import { PrincipalKind } from './principal';

export const PERMISSION_KEY = 'ehrchain:permission';
export const PRINCIPALS_KEY = 'ehrchain:principals';
export const PUBLIC_KEY = 'ehrchain:public';
export const SCRAPE_TOKEN_KEY = 'ehrchain:scrape-token';

export const API_KEY_HEADER = 'x-api-key';
export const API_KEY_SCHEME = 'api-key';

/** Unless a route says otherwise, only accounts: a route must opt in to receive pseudonyms. */
export const DEFAULT_PRINCIPALS: readonly PrincipalKind[] = ['account'];

const WHO: Record<PrincipalKind, string> = {
  account: 'accounts (a token from POST /v1/auth/login, or X-API-Key)',
  pseudonym: "patients' pseudonyms (a token from POST /v1/auth/pseudonym/token)",
};

export interface AccessOptions {
  permission: Permission;
  /** The kinds of caller the route accepts; `['account']` when omitted. */
  principals?: readonly PrincipalKind[];
}

/** What a route requires, as the guard and the route checks read it. */
export type AccessRule =
  | { kind: 'public'; reason: string }
  | { kind: 'scrape-token' }
  | { kind: 'authenticated'; permission: Permission; principals: readonly PrincipalKind[] };

/**
 * The route needs an authenticated caller of an accepted kind that holds `permission`. Also
 * documents the accepted kinds, the security schemes and the 401/403 answers in OpenAPI, so the
 * docs cannot drift from the guard.
 */
export function Authenticated({ permission, principals = DEFAULT_PRINCIPALS }: AccessOptions) {
  if (principals.length === 0) throw new Error(`@Authenticated(${permission}) accepts no principal kind`);
  const accepted = principals.map((kind) => WHO[kind]).join(' and ');
  return applyDecorators(
    SetMetadata(PERMISSION_KEY, permission),
    SetMetadata(PRINCIPALS_KEY, [...principals]),
    ApiBearerAuth(),
    // API keys always authenticate an account (a hospital system).
    ...(principals.includes('account') ? [ApiSecurity(API_KEY_SCHEME)] : []),
    ApiExtension('x-principals', [...principals]),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No valid token or API key (code UNAUTHENTICATED)' }),
    ApiForbiddenResponse({
      type: ErrorResponseDto,
      description: `Accepts ${accepted}; any other caller gets PRINCIPAL_NOT_ACCEPTED. A caller without \`${permission}\` gets FORBIDDEN.`,
    }),
  );
}

/** The route is open to anyone (health, metrics, login). A deliberate decision, like a permission. */
export function Public(reason: string) {
  return SetMetadata(PUBLIC_KEY, reason);
}

/**
 * The route takes one credential only: the metrics scrape token (`$KEYS_DIR/metrics.token`) as a
 * bearer token, which is what Prometheus sends (`authorization.credentials_file`). No account,
 * no pseudonym: a scraper is not a person, and an account token expires within the hour.
 */
export function ScrapeToken() {
  return SetMetadata(SCRAPE_TOKEN_KEY, true);
}

/** The access rule of a handler, looked up on the handler first, then its controller; undefined when none was decided. */
export function readAccessRule(handler: object, controller: object): AccessRule | undefined {
  const read = <T>(key: string): T | undefined => [handler, controller].map((target) => Reflect.getMetadata(key, target) as T | undefined).find((value) => value !== undefined);
  const reason = read<string>(PUBLIC_KEY);
  if (reason) return { kind: 'public', reason };
  if (read<boolean>(SCRAPE_TOKEN_KEY)) return { kind: 'scrape-token' };
  const permission = read<Permission>(PERMISSION_KEY);
  return permission ? { kind: 'authenticated', permission, principals: read<PrincipalKind[]>(PRINCIPALS_KEY) ?? DEFAULT_PRINCIPALS } : undefined;
}
