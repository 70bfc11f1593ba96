import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * The one error shape clients see: `{ statusCode, code, message, requestId }`.
 * `code` is stable and machine-readable (SCREAMING_SNAKE); `message` is a short sentence for people.
 */
export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super({ code, message, ...(details ? { details } : {}) }, status);
  }
}

/**
 * A dependency (database, chain, IPFS) did not answer. Mapped to 503 so that clients retry;
 * the request changed nothing it could not finish.
 */
export class DependencyUnavailableError extends ApiError {
  constructor(readonly dependency: 'database' | 'chain' | 'ipfs' | 'ekyc', cause?: unknown) {
    super(HttpStatus.SERVICE_UNAVAILABLE, `${dependency.toUpperCase()}_UNAVAILABLE`, `The ${dependency} is unavailable; try again later`);
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * Refused for now, not for good: a rate limit (429) or a gateway at capacity (503). The response
 * carries `Retry-After` (seconds), and `details.retryAfterSeconds` for clients that read bodies.
 */
export class RetryLaterError extends ApiError {
  constructor(status: HttpStatus.TOO_MANY_REQUESTS | HttpStatus.SERVICE_UNAVAILABLE, code: string, message: string, readonly retryAfterSeconds: number) {
    super(status, code, message, { retryAfterSeconds });
  }
}

export class NotFoundError extends ApiError {
  constructor(code: string, message: string) {
    super(HttpStatus.NOT_FOUND, code, message);
  }
}
