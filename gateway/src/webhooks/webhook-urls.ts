import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a hospital's webhook may point. Unless WEBHOOK_ALLOW_PRIVATE_URLS is set (development),
 * only https, and never an address inside a private network, the machine itself or a cloud's
 * metadata service: otherwise any hospital could make the gateway call the inside of the
 * network it runs in (server-side request forgery). Checked when the webhook is registered and
 * again, on the resolved addresses, before each delivery (a name can be pointed elsewhere later).
 */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(network, prefix, 'ipv4');
// No ::ffff:0:0/96 here: Node's BlockList matches IPv4 addresses against it (all of them). An
// IPv4-mapped address is checked as the IPv4 address it carries instead.
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(network, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]!);
  const family = isIP(address);
  return family === 0 || PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Why `raw` is no acceptable webhook URL, or null when it is. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.username || url.password) return 'credentials in a URL would be logged and stored; use the signature to authenticate the gateway';
  if (allowPrivate) return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'only http(s)';
  if (url.protocol !== 'https:') return 'only https';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && isPrivateAddress(host))) return 'a private, loopback or link-local address';
  return null;
}

/** Before a delivery: the name resolves to public addresses only (unless private ones are allowed). */
export async function resolvesPublicly(raw: string, allowPrivate: boolean): Promise<boolean> {
  if (allowPrivate) return true;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
  return addresses.length > 0 && addresses.every(({ address }) => !isPrivateAddress(address));
}
