/**
 * The compose network's fixed IPv4 plan. Every Besu node has an address of its own that never
 * changes, so enode URLs, static nodes and the nodes allowlist can name addresses instead of
 * host names (as Besu's own quickstart does: a bridge network with a fixed subnet and one
 * `ipv4_address` per node). Besu then needs no DNS at all, and nothing depends on start order.
 *
 * Layout of a subnet (at least a /24, so each half holds every node the generator allows):
 *   .1              the bridge's gateway (Docker's default, written out explicitly)
 *   .11 … .74       validator1 … validator64  (VALIDATOR_OFFSET + i)
 *   .101 … .116     rpcnode1 … rpcnode16      (RPC_NODE_OFFSET + j)
 *   upper half      `ip_range`: addresses Docker hands to every other container (Postgres, Kubo,
 *                   deployer, gateway), so a dynamic address can never take a node's fixed one.
 * Adding a validator never moves the RPC nodes, and the other way round.
 */

/**
 * Outside Docker's default address pools (172.17–172.31/16 and 192.168/16, /20 each), so an
 * automatically allocated network never takes it, and not the subnets of Docker's docs example
 * (172.16.238.0/24) or Besu's quickstart (172.16.239.0/24), which may run on the same host.
 */
export const DEFAULT_SUBNET = '172.16.231.0/24';
export const VALIDATOR_OFFSET = 10;
export const RPC_NODE_OFFSET = 100;
export const MIN_PREFIX = 16;
export const MAX_PREFIX = 24;

export interface Subnet {
  /** Normalised CIDR, e.g. `172.16.231.0/24`. */
  cidr: string;
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

/** RFC 1918 private ranges: a consortium's compose network must not shadow a routable address. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** docker0, the default bridge that exists on every Docker host. */
const DOCKER_DEFAULT_BRIDGE = '172.17.0.0/16';

function toNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function toAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

type Range = { base: number; prefix: number };

const size = (prefix: number): number => 2 ** (32 - prefix);

function parseCidr(cidr: string): Range | undefined {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr);
  const base = match ? toNumber(match[1]) : undefined;
  if (!match || base === undefined || Number(match[2]) > 32) return undefined;
  return { base, prefix: Number(match[2]) };
}

const overlaps = (a: Range, b: Range): boolean => a.base < b.base + size(b.prefix) && b.base < a.base + size(a.prefix);
const contains = (outer: Range, inner: Range): boolean =>
  inner.base >= outer.base && inner.base + size(inner.prefix) <= outer.base + size(outer.prefix);

/** Parses and checks a subnet for the compose network; the error says what to change. */
export function parseSubnet(cidr: string): Subnet {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`--subnet must be an IPv4 network in CIDR form such as ${DEFAULT_SUBNET}, got "${cidr}"`);
  const { base, prefix } = parsed;
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    throw new Error(`--subnet must be a /${MIN_PREFIX} to /${MAX_PREFIX} network (room for every node and every other container), got /${prefix}`);
  }
  if (base % size(prefix) !== 0) {
    throw new Error(`--subnet ${cidr} has host bits set: the network address of a /${prefix} containing it is ${toAddress(base - (base % size(prefix)))}`);
  }
  if (!PRIVATE_RANGES.some((range) => contains(parseCidr(range)!, parsed))) {
    throw new Error(`--subnet must lie in a private range (${PRIVATE_RANGES.join(', ')}), got ${cidr}`);
  }
  if (overlaps(parsed, parseCidr(DOCKER_DEFAULT_BRIDGE)!)) {
    throw new Error(`--subnet ${cidr} overlaps ${DOCKER_DEFAULT_BRIDGE}, Docker's default bridge (docker0) on every host`);
  }
  return { cidr: `${toAddress(base)}/${prefix}`, base, prefix };
}

/** The address `offset` hosts into the subnet. */
export function addressAt(subnet: Subnet, offset: number): string {
  if (offset < 1 || offset >= size(subnet.prefix) / 2) throw new Error(`offset ${offset} is outside the fixed half of ${subnet.cidr}`);
  return toAddress(subnet.base + offset);
}

/** How far into the subnet an address lies, or undefined when it is not in it. */
export function offsetOf(subnet: Subnet, address: string): number | undefined {
  const n = toNumber(address);
  return n === undefined || n < subnet.base || n >= subnet.base + size(subnet.prefix) ? undefined : n - subnet.base;
}

export const gatewayAddress = (subnet: Subnet): string => addressAt(subnet, 1);

/** The upper half of the subnet: where Docker allocates addresses to containers without a fixed one. */
export function dynamicRange(subnet: Subnet): string {
  return `${toAddress(subnet.base + size(subnet.prefix) / 2)}/${subnet.prefix + 1}`;
}
