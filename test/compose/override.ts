import { stringify } from 'yaml';
import { RPC_HTTP_PORT } from '../../network/lib/node-config';

/** Kubo's RPC API port. */
export const KUBO_API_PORT = 5001;

/**
 * Test-only override, never used in production: publishes the gateway's chain node and Kubo's
 * RPC API on 127.0.0.1 (free ports) and puts them on `edge`, since a port cannot be published
 * from an internal network alone. `networks` is a mapping so compose merges it by key with the
 * generated `chain: { ipv4_address }`: the node keeps its fixed address.
 */
export function testOverride(node: { host: string }): string {
  const published = (port: number) => ({ ports: [`127.0.0.1::${port}`], networks: { edge: {} } });
  return stringify({ services: { [node.host]: published(RPC_HTTP_PORT), kubo: published(KUBO_API_PORT) } });
}
