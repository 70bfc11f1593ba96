import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 15: the gateway serves the portal, under the same security headers as the API: the page
 * is never cached, its assets are revalidated, scripts come from the gateway's own origin only,
 * and nothing outside dist/portal is reachable through it.
 */
/** GET `path` over plain node:http, which decodes nothing: the bytes and headers as they came. */
function rawGet(port: number, path: string, encoding: string): Promise<{ encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('the portal as the gateway serves it (e2e)', () => {
  let gw: TestApp;

  beforeAll(async () => {
    gw = await createTestApp();
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('serves the page at /, not cached, with a CSP that allows no inline or foreign script', async () => {
    const res = await gw.http.get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<script type="module" src="/portal/app.js"></script>');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-eval'/);
  });

  it('serves the script and style sheet, revalidated on each load', async () => {
    const script = await gw.http.get('/portal/app.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['cache-control']).toBe('no-cache');
    await gw.http.get('/portal/app.js').set('If-None-Match', script.headers.etag as string).expect(304);
    expect((await gw.http.get('/portal/app.css').expect(200)).headers['content-type']).toMatch(/^text\/css/);
  });

  it('sends the script compressed to a browser that accepts brotli or gzip, the same script once decoded', async () => {
    await gw.app.listen(0, '127.0.0.1');
    const port = (gw.app.getHttpServer().address() as AddressInfo).port;
    const plain = await rawGet(port, '/portal/app.js', 'identity');
    expect(plain.encoding).toBeUndefined();
    for (const [encoding, decode] of [['br', brotliDecompressSync], ['gzip', gunzipSync]] as const) {
      const sent = await rawGet(port, '/portal/app.js', encoding);
      expect(sent.encoding).toBe(encoding);
      expect(sent.body.length).toBeLessThan(plain.body.length / 2);
      expect(decode(sent.body).equals(plain.body)).toBe(true);
    }
  });

  it('reaches nothing outside the portal directory', async () => {
    for (const path of ['/portal/../package.json', '/portal/..%2fpackage.json', '/portal/%2e%2e/%2e%2e/package.json', '/portal/missing.js', '/portal/']) {
      const res = await gw.http.get(path);
      expect({ path, status: res.status, leaked: res.text.includes('"name": "ehrchain"') }).toEqual({ path, status: 404, leaked: false });
    }
  });
});
