import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody, toErrorBody } from './error.filter';

/**
 * The errors Fastify and Node raise before a request reaches Nest, in the one error contract
 * `{ statusCode, code, message, requestId }` (issue 10: they used to answer Fastify's own shape).
 */

/** A URL Fastify's router refuses: a malformed escape (400 BAD_URL) or a path parameter over 100 characters (414 URI_TOO_LONG). */
export function frameworkErrors(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const body = toErrorBody(error, String(request.id));
  void reply.code(body.statusCode).header('x-request-id', request.id).header('cache-control', 'no-store').send(body);
}

/** What Node's HTTP parser refuses, before there is a request: bad framing, headers too large, a request too slow. */
const CLIENT_ERRORS: Record<string, Omit<ErrorBody, 'requestId'>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { statusCode: 408, code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' },
};
const MALFORMED: Omit<ErrorBody, 'requestId'> = { statusCode: 400, code: 'MALFORMED_REQUEST', message: 'The request is not valid HTTP' };

/** Fastify's `clientErrorHandler`: answers in the error contract, then closes the connection, as Node does. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = randomUUID();
  const body = JSON.stringify({ ...(CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED), requestId });
  const { statusCode } = JSON.parse(body) as ErrorBody;
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${statusText(statusCode)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

const statusText = (status: number): string => ({ 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' })[status] ?? 'Error';
