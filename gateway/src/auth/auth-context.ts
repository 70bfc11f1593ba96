import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Role } from './permissions';

/** Who is calling, attached to the request by AuthGuard. */
export interface AuthContext {
  accountId: string;
  role: Role;
  via: 'jwt' | 'api-key';
}

export interface AuthenticatedRequest {
  auth?: AuthContext;
}

/** `@Auth() auth: AuthContext` in a handler: the caller AuthGuard verified. */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = ctx.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (!auth) throw new Error('Auth() used on a route without @Authenticated()');
  return auth;
});
