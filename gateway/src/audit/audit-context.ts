import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../auth/principal';
import type { AuditContext } from './security-audit';

/** Who is calling (as far as checked), from which address, in which request. */
export function auditContextOf(request: FastifyRequest & AuthenticatedRequest): AuditContext {
  return { actor: request.principal ?? request.credentialsOf, clientAddress: request.ip, requestId: String(request.id) };
}

/** `@AuditedBy() context: AuditContext`: the request's audit context, for a service that records what it does. */
export const AuditedBy = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuditContext => auditContextOf(ctx.switchToHttp().getRequest()));
