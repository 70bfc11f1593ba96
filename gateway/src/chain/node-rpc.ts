import { HttpStatus } from '@nestjs/common';
import { ApiError, DependencyUnavailableError } from '../common/errors';

/** The consensus JSON-RPC namespaces Besu offers: `ibft_*` on IBFT 2.0 networks, `qbft_*` on QBFT. */
export type BftNamespace = 'ibft' | 'qbft';

/** A block tag or number; numbers go over the wire as hex quantities (Besu deprecates decimals). */
export type BlockRef = 'latest' | number;

export interface BlockHeader {
  number: number;
  hash: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/**
 * The node answered with a JSON-RPC error object. Unless a caller handles it, clients see
 * 502 CHAIN_RPC_ERROR: the request was fine, the node refused it.
 */
export class JsonRpcError extends ApiError {
  constructor(
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    /** The error object's `data`: for a revert, the revert data (0x-hex) the contract returned. */
    readonly rpcData?: unknown,
  ) {
    super(HttpStatus.BAD_GATEWAY, 'CHAIN_RPC_ERROR', `The chain node refused ${method}: ${rpcMessage}`, { rpcCode });
    this.name = 'JsonRpcError';
  }

  /**
   * The node does not offer the method: -32601 "Method not found" (Anvil, or a namespace the
   * node's consensus lacks) or Besu's -32604 "Method not enabled" (namespace left out of
   * rpc-http-api; some Besu versions send it as -32601 with that message).
   */
  get unsupported(): boolean {
    return this.rpcCode === -32601 || this.rpcCode === -32604 || /method not (found|enabled|supported)/i.test(this.rpcMessage);
  }

  /**
   * The revert data when the node refused because the EVM reverted ('0x' for a bare revert),
   * else undefined. Geth and Anvil answer code 3 with `data`; Besu -32000 "Execution reverted"
   * with `data`; either way the message says it reverted.
   */
  get revertData(): string | undefined {
    const data = typeof this.rpcData === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(this.rpcData) ? this.rpcData : undefined;
    if (this.rpcCode === 3 || /revert/i.test(this.rpcMessage)) return data ?? '0x';
    return undefined;
  }

  /** The node already holds this very transaction (a resend of what it has): no failure. */
  get alreadyKnown(): boolean {
    return /already known|known transaction|already imported/i.test(this.rpcMessage);
  }
}

const TIMEOUT_MS = 10_000;

const hex = (n: number): string => `0x${n.toString(16)}`;
const quantity = (value: unknown, method: string): number => {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) throw new Error(`${method} returned ${JSON.stringify(value)}, not a hex quantity`);
  return Number(BigInt(value));
};
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The one JSON-RPC transport to a chain node: ChainClient's calls and transactions, BFT
 * consensus (validators, votes), peers and block headers, and the tests' and bench's raw calls.
 * A repository with no business logic: transport failures become
 * DependencyUnavailableError('chain'), JSON-RPC error objects JsonRpcError (with their code,
 * message and data); callers decide what they mean. Plain fetch, one request per call.
 */
export class NodeRpc {
  private readonly url: string;
  private readonly headers: Record<string, string> = { 'content-type': 'application/json' };
  private nextId = 1;

  constructor(rpcUrl: string) {
    // fetch refuses URLs with credentials; a node behind basic auth gets them as a header instead.
    const url = new URL(rpcUrl);
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    this.url = url.toString();
  }

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      body = await response.json();
    } catch (error) {
      // Refused, reset, timed out, or an answer that is not JSON (a proxy's error page).
      throw new DependencyUnavailableError('chain', error);
    }
    // Checked before the HTTP status: Besu answers some JSON-RPC errors with 400.
    if (isObject(body) && isObject(body.error)) {
      throw new JsonRpcError(method, Number(body.error.code), String(body.error.message ?? ''), body.error.data);
    }
    if (!response.ok || !isObject(body) || !('result' in body)) {
      throw new DependencyUnavailableError('chain', new Error(`${method}: HTTP ${response.status} without a JSON-RPC result`));
    }
    return body.result as T;
  }

  async chainId(): Promise<number> {
    return quantity(await this.call('eth_chainId'), 'eth_chainId');
  }

  async blockNumber(): Promise<number> {
    return quantity(await this.call('eth_blockNumber'), 'eth_blockNumber');
  }

  /** The header of block `n`, or null when the node has no such block. */
  async block(n: number): Promise<BlockHeader | null> {
    const block = await this.call<Record<string, unknown> | null>('eth_getBlockByNumber', [hex(n), false]);
    if (!block) return null;
    return { number: quantity(block.number, 'eth_getBlockByNumber'), hash: String(block.hash), timestamp: quantity(block.timestamp, 'eth_getBlockByNumber') };
  }

  async peerCount(): Promise<number> {
    return quantity(await this.call('net_peerCount'), 'net_peerCount');
  }

  /** The node's own account; on a Besu BFT node, the address it signs blocks and votes with. */
  async coinbase(): Promise<string> {
    return String(await this.call('eth_coinbase')).toLowerCase();
  }

  /** Validator addresses (lower case) at `block`, or null when the node has no such block. */
  async validatorsAt(namespace: BftNamespace, block: BlockRef): Promise<string[] | null> {
    const result = await this.call<string[] | null>(`${namespace}_getValidatorsByBlockNumber`, [block === 'latest' ? block : hex(block)]);
    return result ? result.map((address) => address.toLowerCase()) : null;
  }

  /** Votes this node will put in the blocks it proposes: address → true to add, false to remove. */
  async pendingVotes(namespace: BftNamespace): Promise<Record<string, boolean>> {
    const votes = (await this.call<Record<string, boolean> | null>(`${namespace}_getPendingVotes`)) ?? {};
    return Object.fromEntries(Object.entries(votes).map(([address, add]) => [address.toLowerCase(), add]));
  }

  proposeVote(namespace: BftNamespace, address: string, add: boolean): Promise<boolean> {
    return this.call<boolean>(`${namespace}_proposeValidatorVote`, [address, add]);
  }

  discardVote(namespace: BftNamespace, address: string): Promise<boolean> {
    return this.call<boolean>(`${namespace}_discardValidatorVote`, [address]);
  }
}
