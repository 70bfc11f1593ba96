import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../common/errors';
import { AuthenticatedRequest } from './auth-context';
import { AuthService, unauthenticated } from './auth.service';
import { API_KEY_HEADER, PERMISSION_KEY, PUBLIC_KEY } from './authenticated.decorator';
import { Permission, roleHas } from './permissions';

interface HeaderRequest extends AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Global guard. Fails closed: a route with neither @Authenticated nor @Public is refused
 * (and a unit test lists such routes so they never ship).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<string>(PUBLIC_KEY, targets)) return true;
    const permission = this.reflector.getAllAndOverride<Permission>(PERMISSION_KEY, targets);
    if (!permission) throw new ApiError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'Route has no access rule');

    const request = context.switchToHttp().getRequest<HeaderRequest>();
    const authorization = request.headers.authorization;
    const apiKey = request.headers[API_KEY_HEADER];
    if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
      request.auth = await this.auth.fromBearer(authorization.slice('Bearer '.length).trim());
    } else if (typeof apiKey === 'string') {
      request.auth = await this.auth.fromApiKey(apiKey);
    } else {
      throw unauthenticated();
    }
    if (!roleHas(request.auth.role, permission)) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'FORBIDDEN', `Role ${request.auth.role} may not ${permission}`);
    }
    return true;
  }
}
