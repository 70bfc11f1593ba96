// The bench's HTTP floor: the Fastify the gateway runs on, with nothing of the gateway. One route
// takes an octet-stream body as an upload does and answers 201 with a small JSON, so a gateway
// figure divided by this one says what the gateway's own work costs. Run as a child process
// (its CPU is its own); it prints its port.
import { randomUUID } from 'node:crypto';
// The gateway's own Fastify (through @nestjs/platform-fastify), not a copy of another version.
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/v1/records', async (request, reply) => reply.code(201).send({ id: randomUUID(), sizeBytes: (request.body as Buffer).length }));
  app.get('/v1/records/:id/content', async (_request, reply) => reply.type('application/octet-stream').send(PAYLOAD));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.stdout.write(`port ${typeof address === 'object' && address ? address.port : 0}\n`);
}

/** What the read floor answers: as many bytes as the proven read scenario reads. */
const PAYLOAD = Buffer.alloc(Number(process.env.BARE_READ_BYTES ?? 100 * 1024), 7);

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
