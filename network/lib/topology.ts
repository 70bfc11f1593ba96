import { Consensus } from './extra-data';
import { enodeUrl, NodeKey } from './keys';
import { addressAt, RPC_NODE_OFFSET, Subnet, VALIDATOR_OFFSET } from './subnet';

/** IBFT 2.0 and QBFT need 3f + 1 validators to survive f faulty ones; 4 is the least that survives one. */
export const MIN_BFT_VALIDATORS = 4;
export const MAX_VALIDATORS = 64;
export const MAX_RPC_NODES = 16;

/** Faulty (stopped or malicious) validators the network survives: f = floor((N - 1) / 3). */
export function faultTolerance(validators: number): number {
  return Math.floor((validators - 1) / 3);
}

/** Commit seals a block needs: ceil(2N / 3), as Besu's BftHelpers.calculateRequiredValidatorQuorum. */
export function quorum(validators: number): number {
  return Math.ceil((2 * validators) / 3);
}

export type NodeRole = 'validator' | 'rpc';

/** Where a node sits in the deployment; everything but its key. */
export interface NodePlace {
  /** Directory under the output dir: validator<i>, rpcnode<j>. */
  name: string;
  /** Compose service (and host) name clients reach its JSON-RPC by: validator<i>, rpcnode (rpcnode<j> if several). */
  host: string;
  role: NodeRole;
  /** Fixed IPv4 address on the compose network: its enode, p2p-host and the peers' view of it. */
  ip: string;
  /** The node the gateway's CHAIN_RPC_URL names: the first RPC node, or validator1 when there is none. */
  servesGateway: boolean;
}

export interface NodeSpec extends NodePlace {
  key: NodeKey;
  /** enode://<public key>@<ip>:30303: an address, so Besu needs no DNS (see subnet.ts). */
  enode: string;
}

/**
 * validator1..N, then rpcnode1..M, with their fixed addresses. Hosts equal directory names,
 * except that a single RPC node is the compose service `rpcnode`.
 */
export function planNodes(validators: number, rpcNodes: number, subnet: Subnet): NodePlace[] {
  const nodes: NodePlace[] = [];
  for (let i = 1; i <= validators; i++) {
    const ip = addressAt(subnet, VALIDATOR_OFFSET + i);
    nodes.push({ name: `validator${i}`, host: `validator${i}`, role: 'validator', ip, servesGateway: rpcNodes === 0 && i === 1 });
  }
  for (let j = 1; j <= rpcNodes; j++) {
    const ip = addressAt(subnet, RPC_NODE_OFFSET + j);
    nodes.push({ name: `rpcnode${j}`, host: rpcNodes === 1 ? 'rpcnode' : `rpcnode${j}`, role: 'rpc', ip, servesGateway: j === 1 });
  }
  return nodes;
}

export function nodeSpec(node: NodePlace, key: NodeKey): NodeSpec {
  return { ...node, key, enode: enodeUrl(key.publicKey, node.ip) };
}

/** Besu's JSON-RPC namespace for the consensus protocol's methods (ibft_* or qbft_*). */
export function consensusApi(consensus: Consensus): 'IBFT' | 'QBFT' {
  return consensus === 'ibft2' ? 'IBFT' : 'QBFT';
}
