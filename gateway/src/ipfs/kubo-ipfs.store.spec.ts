import { createHash, randomBytes } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApiError, DependencyUnavailableError } from '../common/errors';
import { describeIpfsStore } from '../../../test/support/ipfs-store-suite';
import { DEFAULT_KUBO_TIMEOUTS, KuboIpfsStore } from './kubo-ipfs.store';

// No Kubo daemon runs on a developer's machine. These specs cover what the gateway must do when
// Kubo is not there or does not answer: fail fast with a 503 the client can retry, never hang a
// request. `npm run test:compose` publishes the stack's Kubo on loopback and runs this file with
// KUBO_TEST_API_URL: then the shared store suite runs against Kubo too, as it runs against the
// embedded store in every `npm test`.
const kubo = process.env.KUBO_TEST_API_URL;
if (kubo) {
  describeIpfsStore(`Kubo at ${kubo}`, async () => {
    // Kubo's own deadline answers "not found" for a CID nobody has: short, so the suite is quick.
    const store = new KuboIpfsStore(kubo, { ...DEFAULT_KUBO_TIMEOUTS, fetchMs: 3_000 });
    return { store, close: () => store.close() };
  });
}

/** A well-formed CIDv0 (sha2-256 multihash in base58btc), so requests get past CID parsing. */
function someCidV0(): string {
  const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  const bytes = Buffer.concat([Buffer.from([0x12, 0x20]), createHash('sha256').update(randomBytes(16)).digest()]);
  let n = BigInt('0x' + bytes.toString('hex'));
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  return out;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function unavailable(promise: Promise<unknown>, withinMs: number): Promise<void> {
  const started = Date.now();
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(withinMs);
  expect(err).toBeInstanceOf(DependencyUnavailableError);
  expect((err as ApiError).getStatus()).toBe(503);
  expect((err as ApiError).code).toBe('IPFS_UNAVAILABLE');
}

describe(KuboIpfsStore.name, () => {
  it('rejects add, get and check with IPFS_UNAVAILABLE (503) when nothing listens', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await stop(probe);
    const sut = new KuboIpfsStore(`http://127.0.0.1:${port}`);

    // Below the shortest timeout (the 5 s check): a refused connection answers at once, it is not
    // waited out. The margin is for a loaded machine (the browser suites run beside this one).
    try {
      await unavailable(sut.add(randomBytes(100)), 4_000);
      await unavailable(sut.get(someCidV0()), 4_000);
      await unavailable(sut.check(), 4_000);
      await unavailable(sut.remove(someCidV0()), 4_000);
    } finally {
      await sut.close();
    }
  });

  it('gives up on a node that accepts connections but never answers', async () => {
    // Not Kubo: an HTTP server that holds every request open, as a wedged daemon would.
    const hung = createServer(() => undefined);
    const port = await listen(hung);
    const sut = new KuboIpfsStore(`http://127.0.0.1:${port}`, { checkMs: 200, fetchMs: 200, addMs: 200, graceMs: 100 });

    try {
      await unavailable(sut.check(), 2_000);
      await unavailable(sut.add(randomBytes(100)), 2_000);
      await unavailable(sut.get(someCidV0()), 2_000);
    } finally {
      await sut.close();
      await stop(hung);
    }
  });

  it('refuses an unparsable CID with INVALID_CID (400) before calling the node', async () => {
    const sut = new KuboIpfsStore('http://127.0.0.1:1');

    const err = await sut.get('Qm-not-a-cid').then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).getStatus()).toBe(400);
    expect((err as ApiError).code).toBe('INVALID_CID');
  });
});
