import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { findRepoRoot } from './chain/artifacts';

/** Where `npm run build:portal` (scripts/build-portal.js) puts the portal: dist/portal under the repository root. */
export const portalDir = (): string => join(findRepoRoot(), 'dist', 'portal');

/**
 * The patient, doctor and authority portal (issue 15): one page at `/`, its script and style
 * sheet under `/portal/`. Same origin as the API, so the CSP keeps scripts to 'self' and the
 * browser sends nothing cross-origin. The page is `no-store` like every answer; its assets are
 * revalidated on every load (`no-cache` with an ETag: app.factory's cache-control hook). The
 * build's brotli and gzip copies are served to browsers that accept them.
 */
export async function servePortal(app: NestFastifyApplication, logger: Logger): Promise<void> {
  const root = portalDir();
  if (!existsSync(join(root, 'index.html'))) {
    logger.warn({ event: 'portal_not_built', dir: root }, 'The portal is not built (npm run build:portal); / answers 404');
    return;
  }
  await app.register(fastifyStatic, { root, prefix: '/portal/', cacheControl: false, index: false, wildcard: false, preCompressed: true });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/', (_request, reply) => reply.sendFile('index.html'));
}
