import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, RetryLaterError } from './errors';
import { scrubAadhaar } from '../identity/aadhaar';

/** Codes for errors raised by Nest or Fastify themselves rather than by our services. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own request errors (body parsing) with codes clients can act on. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId: string;
  details?: Record<string, unknown>;
}

const logger = new Logger('Errors');

/**
 * The single place an exception becomes a response body. Unknown errors never show their stack,
 * and no body shows an Aadhaar number or VID (a message may echo a path or a value a caller
 * sent: Fastify's "Route GET:/v1/… not found" does): masked to its last four digits.
 */
export function toErrorBody(error: unknown, requestId: string): ErrorBody {
  return JSON.parse(scrubAadhaar(JSON.stringify(errorBody(error, requestId)))) as ErrorBody;
}

function errorBody(error: unknown, requestId: string): ErrorBody {
  if (error instanceof ApiError) {
    return { statusCode: error.getStatus(), code: error.code, message: error.message, requestId, ...(error.details ? { details: error.details } : {}) };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'object' && response !== null && 'message' in response ? String((response as { message: unknown }).message) : error.message;
    return { statusCode: status, code: CODE_BY_STATUS[status] ?? 'HTTP_ERROR', message: sentence(message), requestId };
  }
  const fastify = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code = (fastify.code && FASTIFY_CODES[fastify.code]) ?? ((error as Error).name === 'SyntaxError' ? 'MALFORMED_JSON' : CODE_BY_STATUS[fastify.statusCode] ?? 'BAD_REQUEST');
    return { statusCode: fastify.statusCode, code, message: sentence(fastify.message ?? 'Bad request'), requestId };
  }
  logger.error({ event: 'unhandled_error', requestId, err: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'Internal server error', requestId };
}

function sentence(message: string): string {
  return message.length > 0 ? message[0].toUpperCase() + message.slice(1) : message;
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = toErrorBody(error, String(request.id));
    if (error instanceof RetryLaterError) void reply.header('retry-after', String(error.retryAfterSeconds));
    void reply.status(body.statusCode).send(body);
  }
}
