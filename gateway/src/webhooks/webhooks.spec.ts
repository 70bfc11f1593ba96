import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { backoffMs } from './webhook-sender';
import { signatureHeader, verifySignature } from './webhook-signature';
import { isPrivateAddress, webhookUrlProblem } from './webhook-urls';
import { postWebhook } from './webhook-post';

describe('webhook signatures', () => {
  const secret = randomBytes(32);
  const body = JSON.stringify({ id: 'd1', event: 'consent.granted' });

  it('verify for the secret, body and recent time they were made with, and for nothing else', () => {
    const header = signatureHeader(secret, 1_800_000_000, body);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, header, body, 1_800_000_100)).toBe(true);
    expect(verifySignature(randomBytes(32), header, body, 1_800_000_100)).toBe(false);
    expect(verifySignature(secret, header, body.replace('granted', 'revoked'), 1_800_000_100)).toBe(false);
    // A replay ten minutes later, or the same MAC with another time.
    expect(verifySignature(secret, header, body, 1_800_000_600)).toBe(false);
    expect(verifySignature(secret, header.replace('t=1800000000', 't=1800000500'), body, 1_800_000_500)).toBe(false);
    expect(verifySignature(secret, 'v1=abc', body, 1_800_000_000)).toBe(false);
  });
});

describe('webhook URLs (no server-side request forgery)', () => {
  it('refuse plain http, credentials, and private, loopback, link-local and metadata addresses', () => {
    for (const url of ['http://his.example.org/hook', 'https://127.0.0.1/x', 'https://10.1.2.3/x', 'https://192.168.0.9/x', 'https://172.20.0.1/x', 'https://169.254.169.254/latest/meta-data',
      'https://[::1]/x', 'https://[fd00::1]/x', 'https://localhost:8443/x', 'https://api.localhost/x', 'https://user:pw@his.example.org/x', 'not a url', 'ftp://his.example.org/x']) {
      expect({ url, problem: webhookUrlProblem(url, false) }).toEqual({ url, problem: expect.any(String) });
    }
    expect(webhookUrlProblem('https://his.example-hospital.in/ehrchain', false)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', true)).toBeNull();
  });

  it('refuse, at connection time, a name that resolves to a private address (DNS rebinding cannot slip past a check)', async () => {
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    for (const address of ['100.64.1.1', '::ffff:127.0.0.1', '::127.0.0.1', '64:ff9b::a00:1', '2002:a00:1::', 'fec0::1']) expect({ address, private: isPrivateAddress(address) }).toEqual({ address, private: true });
    const server = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://localhost:${(server.address() as AddressInfo).port}/hook`;
    try {
      await expect(postWebhook(url, {}, '{}', { allowPrivate: false, timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
      expect(await postWebhook(url, {}, '{}', { allowPrivate: true, timeoutMs: 2_000 })).toBe(204);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('back off from 10 s, doubling, to at most an hour', () => {
    expect([1, 2, 3, 4, 12].map(backoffMs)).toEqual([10_000, 20_000, 40_000, 80_000, 3_600_000]);
  });
});
