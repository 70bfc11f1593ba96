import { Consensus } from './extra-data';
import { enodeUrl, NodeKey } from './keys';

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

export interface NodeSpec {
  /** Directory under the output dir: validator<i>, rpcnode<j>. */
  name: string;
  /** Host (compose service) name peers and clients reach it by: validator<i>, rpcnode (rpcnode<j> if several). */
  host: string;
  role: NodeRole;
  key: NodeKey;
  enode: string;
}

export type NodeName = Pick<NodeSpec, 'name' | 'host' | 'role'>;

/**
 * validator1..N, then rpcnode1..M. Hosts equal directory names, except that a single RPC node
 * is the compose service `rpcnode` (the name the gateway's CHAIN_RPC_URL uses).
 */
export function nodeNames(validators: number, rpcNodes: number): NodeName[] {
  const names: NodeName[] = [];
  for (let i = 1; i <= validators; i++) names.push({ name: `validator${i}`, host: `validator${i}`, role: 'validator' });
  for (let j = 1; j <= rpcNodes; j++) names.push({ name: `rpcnode${j}`, host: rpcNodes === 1 ? 'rpcnode' : `rpcnode${j}`, role: 'rpc' });
  return names;
}

export function nodeSpec(node: NodeName, key: NodeKey): NodeSpec {
  return { ...node, key, enode: enodeUrl(key.publicKey, node.host) };
}

/** Besu's JSON-RPC namespace for the consensus protocol's methods (ibft_* or qbft_*). */
export function consensusApi(consensus: Consensus): 'IBFT' | 'QBFT' {
  return consensus === 'ibft2' ? 'IBFT' : 'QBFT';
}
