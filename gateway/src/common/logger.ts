import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { scrubAadhaar } from '../identity/aadhaar';

/**
 * Paths pino blanks before a line is written. Credentials, keys and identity numbers must never
 * reach a log (trust model 3 and 4); the list names every field that may carry them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.accessToken',
  '*.apiKey',
  '*.key',
  '*.secret',
  '*.privateKey',
  '*.aadhaar',
  '*.otp',
];

/**
 * A URL as it may be logged: the path, and the query's parameter names with their values
 * blanked. A token sent as `?access_token=` is a credential like any header (issue 10 found one
 * in the log); the names still say what was asked.
 */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = url.slice(at + 1).split('&').filter(Boolean).map((pair) => pair.split('=')[0]);
  return `${url.slice(0, at)}?${names.map((name) => `${name}=[redacted]`).join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  id?: unknown;
}

/**
 * The request as every log line shows it (Fastify's fields), its query values blanked, and no
 * client address: a patient's persona and pseudonym sign-ins from one address, a few seconds
 * apart, would join the two faces through the log (trust model 1). The audit trail keeps the
 * address of accounts' events and of refusals; a reverse proxy's own log is the operator's to keep short.
 */
function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return { method: req.method, url: typeof req.url === 'string' ? redactQuery(req.url) : req.url };
}

/**
 * Every line on its way out, with any Aadhaar number or VID masked to its last four digits:
 * the redacted paths cover fields that are meant to carry one, this covers the rest (a URL, an
 * error message, a value a caller put where a number was expected).
 */
export function withoutAadhaar(destination: pino.DestinationStream): pino.DestinationStream {
  return { write: (line: string) => destination.write(scrubAadhaar(line)) };
}

export function createLogger(level: AppConfig['logLevel'], destination: pino.DestinationStream = pino.destination(1)): Logger {
  return pino(
    {
      level,
      base: { service: 'ehrchain-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest },
    },
    withoutAadhaar(destination),
  );
}

/** Nest's own messages (module init, route map, errors) go to the same pino JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string) {
    this.write('error', message, context, trace);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string) {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string, trace?: string) {
    const fields: Record<string, unknown> = { context };
    if (trace) fields.stack = trace;
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      this.logger[level]({ ...fields, ...message });
    } else if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
