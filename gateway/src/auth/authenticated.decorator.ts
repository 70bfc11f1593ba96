import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Permission } from './permissions';

export const PERMISSION_KEY = 'ehrchain:permission';
export const PUBLIC_KEY = 'ehrchain:public';

export const API_KEY_HEADER = 'x-api-key';
export const API_KEY_SCHEME = 'api-key';

/**
 * The route needs a signed-in caller whose role grants `permission`. Also documents the
 * security schemes and the 401/403 answers in OpenAPI, so the docs cannot drift from the guard.
 */
export function Authenticated(options: { permission: Permission }) {
  return applyDecorators(
    SetMetadata(PERMISSION_KEY, options.permission),
    ApiBearerAuth(),
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No valid token or API key (code UNAUTHENTICATED)' }),
    ApiForbiddenResponse({ type: ErrorResponseDto, description: `Role lacks \`${options.permission}\` (code FORBIDDEN)` }),
  );
}

/** The route is open to anyone (health, metrics, login). A deliberate decision, like a permission. */
export function Public(reason: string) {
  return SetMetadata(PUBLIC_KEY, reason);
}
