import helmet from '@fastify/helmet';
import { HttpStatus, Type, ValidationError, ValidationPipe, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { FastifyRequest } from 'fastify';
import { AppModule, FEATURE_MODULES } from './app.module';
import { ApiError } from './common/errors';
import { ATTACHMENT_MEDIA_TYPES } from './records/attachment';
import { clientErrorHandler, frameworkErrors } from './common/http-errors';
import { hasNulCharacter, jsonNestsDeeperThan, MAX_JSON_DEPTH } from './common/json-guards';
import { createLogger, PinoNestLogger } from './common/logger';
import { newId } from './identity/aadhaar';
import { installEarlyAuthentication } from './auth/early-authentication';
import { registerAddressLimits } from './common/rate-limits';
import { AppConfig } from './config/app-config';
import { setupOpenApi } from './openapi';
import { servePortal } from './portal';
import { MetricsService } from './metrics/metrics.service';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function flatten(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Builds the gateway exactly as `npm start` runs it; end-to-end tests use the same function,
 * so what they check is what ships.
 */
export async function createApp(
  config: AppConfig,
  logger: Logger = createLogger(config.logLevel),
  features: readonly Type[] = FEATURE_MODULES,
): Promise<NestFastifyApplication> {
  // Fastify, not Express: about twice the requests per second in NestJS's own benchmark, schema-based
  // body limits, and pino built in (one JSON log stream for Fastify and Nest). README explains.
  const { limits } = config;
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    // A whole request (headers and body) must arrive within REQUEST_TIMEOUT_MS, its headers within
    // HEADERS_TIMEOUT_MS, and an idle connection is closed after as long: a body trickled a byte
    // at a time cannot hold a connection for minutes. Node checks every second (Node answers 408).
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    trustProxy: limits.trustProxyHops,
    // Errors raised before Nest sees the request, in the same error contract.
    frameworkErrors,
    clientErrorHandler,
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      // An id with twelve digits or more in a row, whatever separates them, could carry an
      // Aadhaar number or VID into the logs: it is not echoed, like a malformed one.
      return typeof given === 'string' && REQUEST_ID.test(given) && !/\d{12}/.test(given.replace(/[-_. ]/g, '')) ? given : newId();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, features), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    bodyParser: false, // we register the JSON parser below, with our error code
  });

  try {
    await configure(app, config, logger);
  } catch (error) {
    await app.close(); // stops the embedded chain it may have started
    throw error;
  }
  return app;
}

async function configure(app: NestFastifyApplication, config: AppConfig, logger: Logger): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's own JSON parser (prototype-poisoning safe), with a stable code for bad JSON. Other
  // Fastify errors (size, media type) reach ErrorFilter through Nest with their status intact.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  // JSON bodies are small (JSON_BODY_LIMIT_BYTES); only uploads may be as large as BODY_LIMIT_BYTES.
  const jsonBodyLimit = Math.min(config.limits.jsonBodyLimitBytes, config.bodyLimitBytes);
  const jsonParser = (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => {
    if (jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) {
      return done(new ApiError(HttpStatus.BAD_REQUEST, 'JSON_TOO_DEEP', `Request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    }
    parseJson(request, body, (error, value) => {
      if (error) return done(new ApiError(HttpStatus.BAD_REQUEST, 'MALFORMED_JSON', 'Request body is not valid JSON'), undefined);
      if (hasNulCharacter(value)) return done(new ApiError(HttpStatus.BAD_REQUEST, 'NUL_CHARACTER', 'Request body contains a NUL character, which no field accepts'), undefined);
      done(null, value);
    });
  };
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: jsonBodyLimit }, (request, body, done) => jsonParser(request, body as string, done));
  // FHIR records (POST /v1/records) are JSON too, larger: their own media type and limit.
  const fhirBodyLimit = Math.min(config.limits.fhirBodyLimitBytes, config.bodyLimitBytes);
  fastify.addContentTypeParser('application/fhir+json', { parseAs: 'string', bodyLimit: fhirBodyLimit }, (request, body, done) => jsonParser(request, body as string, done));
  // Files (records' documents and images): bytes, up to BODY_LIMIT_BYTES, refused with 413 as soon as they pass it.
  fastify.addContentTypeParser(ATTACHMENT_MEDIA_TYPES as string[], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Tokens, records, accounts: nothing the API answers may be kept by a browser or proxy cache.
    // The Swagger UI's static files are the exception; the portal's script and styles are kept
    // but revalidated on every load (ETag), so a new version is never mixed with an old page.
    if (request.url.startsWith('/portal/')) reply.header('cache-control', 'no-cache');
    else if (!request.url.startsWith('/docs')) reply.header('cache-control', 'no-store');
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeHttp(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });

  await registerAddressLimits(fastify, config.limits);
  installEarlyAuthentication(app, config.limits);

  await app.register(helmet, {
    contentSecurityPolicy: {
      // Swagger UI needs inline styles; scripts stay same-origin.
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        // TLS ends at the hospital's proxy; upgrading would break the UI on plain-HTTP intranet names.
        upgradeInsecureRequests: null,
      },
    },
  });
  app.enableVersioning({ type: VersioningType.URI });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        new ApiError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'Request validation failed', { errors: flatten(errors) }),
    }),
  );
  setupOpenApi(app);
  await servePortal(app, logger);
  await app.init();
  await fastify.ready();
}
