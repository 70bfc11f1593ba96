import { stringify } from 'yaml';
import { RPC_HTTP_PORT } from '../../network/lib/node-config';

/**
 * Test-only override, never used in production: publishes the gateway's chain node on
 * 127.0.0.1 (a free port) and puts it on `edge`, since a port cannot be published from an
 * internal network alone. `networks` is a mapping so compose merges it by key with the
 * generated `chain: { ipv4_address }`: the node keeps its fixed address.
 */
export function testOverride(node: { host: string }): string {
  return stringify({ services: { [node.host]: { ports: [`127.0.0.1::${RPC_HTTP_PORT}`], networks: { edge: {} } } } });
}
