import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Contract, ContractAbi, HttpProvider, Web3, eth, utils } from 'web3';
import type { AbiErrorFragment, AbiEventFragment, AbiFunctionFragment, AbiParameter } from 'web3';
import { DependencyUnavailableError } from '../common/errors';
import { loadArtifact } from './artifacts';

/** A contract handle: ABI + address. Not bound to a provider: every call goes through ChainClient. */
export type ChainContract = Contract<ContractAbi>;

export interface DeployResult {
  address: string;
  txHash: string;
  blockNumber: bigint;
}

export interface ChainLog {
  address: string;
  topics: string[];
  data: string;
}

export interface ChainReceipt {
  txHash: string;
  blockNumber: bigint;
  /** False when the transaction was mined but reverted. */
  success: boolean;
  /** Set for contract creations. */
  contractAddress?: string;
  logs: ChainLog[];
}

export interface ChainEvent {
  name: string;
  address: string;
  /** Decoded event parameters by name. */
  args: Record<string, unknown>;
}

/** The chain refused the call; `errorName`/`args` are the Solidity custom error decoded from the ABI. */
export class ChainRevertError extends Error {
  readonly code = 'CHAIN_REVERT';
  constructor(
    readonly errorName: string,
    readonly args: readonly unknown[],
    /** The raw revert data, 0x-prefixed. */
    readonly data: string,
    cause?: unknown,
  ) {
    super(`Chain call reverted with ${errorName}(${args.map(String).join(', ')})`, { cause });
    this.name = 'ChainRevertError';
  }
}

/** eth_getTransactionReceipt as the node sends it (quantities hex). */
interface RawReceipt {
  transactionHash: string;
  blockNumber: string;
  status: string;
  contractAddress?: string | null;
  logs: ChainLog[];
}

export class ReceiptTimeoutError extends Error {
  readonly code = 'CHAIN_RECEIPT_TIMEOUT';
  constructor(readonly txHash: string, timeoutMs: number) {
    super(`No receipt for transaction ${txHash} within ${timeoutMs} ms`);
    this.name = 'ReceiptTimeoutError';
  }
}

const RPC_TIMEOUT_MS = 15_000;
const DEPLOY_RECEIPT_TIMEOUT_MS = 120_000;

/**
 * The only class that talks to the chain (web3 v4): a repository with no business logic.
 * Transactions are signed locally with the gateway key and sent raw with gas price 0 (the
 * network is free-gas), so neither Anvil nor Besu ever holds the key.
 */
export class ChainClient {
  readonly address: string;
  private readonly web3: Web3;
  private readonly agent: HttpAgent;
  // An ES private field: util.inspect and JSON.stringify of the client never show it.
  readonly #privateKey: string;
  private chainIdCache: number | undefined;
  // Sends are serialised so each one reads the nonce after the previous one reached the node.
  private sendQueue: Promise<unknown> = Promise.resolve();

  constructor(readonly rpcUrl: string, privateKeyHex: string) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(privateKeyHex)) {
      throw new Error('ChainClient needs a 0x-prefixed 32-byte hex private key'); // the key itself is never echoed
    }
    this.#privateKey = privateKeyHex;
    this.address = eth.accounts.privateKeyToAddress(privateKeyHex);
    // Our own agent, so close() can drop every socket and nothing keeps the process alive.
    this.agent = rpcUrl.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    // `agent` and `timeout` are node-fetch (cross-fetch) options that the DOM RequestInit type lacks.
    const providerOptions = { agent: this.agent, timeout: RPC_TIMEOUT_MS } as unknown as RequestInit;
    this.web3 = new Web3(new HttpProvider(rpcUrl, { providerOptions }));
  }

  async chainId(): Promise<number> {
    const id = Number(await this.rpc(() => this.web3.eth.getChainId()));
    this.chainIdCache = id;
    return id;
  }

  blockNumber(): Promise<bigint> {
    return this.rpc(async () => BigInt(await this.web3.eth.getBlockNumber()));
  }

  /** Runtime code at `address`; '0x' when there is none. */
  getCode(address: string): Promise<string> {
    return this.rpc(async () => String(await this.web3.eth.getCode(address)));
  }

  /** Deploys build/contracts/<artifactName>.json and waits for the receipt. */
  async deploy(artifactName: string, args: unknown[] = []): Promise<DeployResult> {
    const artifact = loadArtifact(artifactName);
    const data = new Contract(artifact.abi).deploy({ data: artifact.bytecode, arguments: args }).encodeABI();
    const { txHash } = await this.sendData(undefined, data, artifact.abi);
    const receipt = await this.waitForReceipt(txHash, DEPLOY_RECEIPT_TIMEOUT_MS);
    if (!receipt.success || !receipt.contractAddress) {
      throw new Error(`Deployment of ${artifactName} failed in transaction ${txHash}`);
    }
    return { address: utils.toChecksumAddress(receipt.contractAddress), txHash, blockNumber: receipt.blockNumber };
  }

  contract(artifactName: string, address: string): ChainContract {
    const { abi } = loadArtifact(artifactName);
    const contract = new Contract(abi, address);
    fullAbis.set(contract, abi);
    return contract;
  }

  /**
   * Signs and sends a transaction calling `method`; returns once the node accepted it.
   * A call that would revert is refused before sending (ChainRevertError from gas estimation).
   */
  send(contract: ChainContract, method: string, args: unknown[]): Promise<{ txHash: string }> {
    const data = eth.abi.encodeFunctionCall(functionFragment(contract, method, args.length), args);
    return this.sendData(contractAddress(contract), data, abiOf(contract));
  }

  /** Read-only call; the outputs in ABI order. */
  async call(contract: ChainContract, method: string, args: unknown[]): Promise<unknown[]> {
    const fragment = functionFragment(contract, method, args.length);
    const data = eth.abi.encodeFunctionCall(fragment, args);
    const result = await this.rpc(
      async () => String(await this.web3.eth.call({ from: this.address, to: contractAddress(contract), data })),
      abiOf(contract),
    );
    const outputs = fragment.outputs ?? [];
    const decoded = eth.abi.decodeParameters(outputs, result);
    return outputs.map((_, index) => decoded[index]);
  }

  /** The receipt, or null when the chain does not know the transaction (e.g. lost before mining). */
  async receipt(txHash: string): Promise<ChainReceipt | null> {
    // Raw JSON-RPC: web3's getTransactionReceipt throws TransactionNotFound instead of returning null.
    const raw = (await this.rpc(() =>
      this.web3.requestManager.send({ method: 'eth_getTransactionReceipt', params: [txHash] }),
    )) as RawReceipt | null;
    if (!raw) return null;
    return {
      txHash: raw.transactionHash,
      blockNumber: BigInt(raw.blockNumber),
      success: BigInt(raw.status) === 1n,
      contractAddress: raw.contractAddress ?? undefined,
      logs: raw.logs.map((log) => ({ address: log.address, topics: log.topics, data: log.data })),
    };
  }

  /** True while the node knows the transaction, mined or still pending in its pool. */
  async isKnownTransaction(txHash: string): Promise<boolean> {
    const tx = await this.rpc(() => this.web3.requestManager.send({ method: 'eth_getTransactionByHash', params: [txHash] }));
    return tx !== null && tx !== undefined;
  }

  /** Polls for the receipt; ReceiptTimeoutError after `timeoutMs`. */
  async waitForReceipt(txHash: string, timeoutMs: number): Promise<ChainReceipt> {
    const deadline = Date.now() + timeoutMs;
    let delay = 50;
    for (;;) {
      const receipt = await this.receipt(txHash);
      if (receipt) return receipt;
      if (Date.now() >= deadline) throw new ReceiptTimeoutError(txHash, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
      delay = Math.min(delay * 2, 1_000);
    }
  }

  /** Decodes the receipt's logs emitted by `contract` against its ABI; unknown logs are skipped. */
  events(contract: ChainContract, receipt: ChainReceipt): ChainEvent[] {
    const address = contractAddress(contract).toLowerCase();
    const bySignature = new Map<string, AbiEventFragment>();
    for (const item of contract.options.jsonInterface) {
      if (item.type === 'event' && !(item as AbiEventFragment).anonymous) {
        bySignature.set(eth.abi.encodeEventSignature(item as AbiEventFragment), item as AbiEventFragment);
      }
    }
    return receipt.logs.flatMap((log) => {
      const fragment = log.address.toLowerCase() === address ? bySignature.get(log.topics[0] ?? '') : undefined;
      if (!fragment?.name) return [];
      const inputs = (fragment.inputs ?? []) as AbiParameter[];
      const decoded = eth.abi.decodeLog(inputs, log.data, log.topics.slice(1));
      const args: Record<string, unknown> = {};
      for (const input of inputs) args[input.name] = decoded[input.name];
      return [{ name: fragment.name, address: log.address, args }];
    });
  }

  /** Drops pooled sockets; web3 itself holds no timers here (no PromiEvent polling is used). */
  close(): void {
    this.agent.destroy();
  }

  private sendData(to: string | undefined, data: string, abi: ContractAbi): Promise<{ txHash: string }> {
    const next = this.sendQueue.then(() => this.signAndSend(to, data, abi));
    this.sendQueue = next.catch(() => undefined);
    return next;
  }

  private async signAndSend(to: string | undefined, data: string, abi: ContractAbi): Promise<{ txHash: string }> {
    const chainId = this.chainIdCache ?? (await this.chainId());
    const request = { from: this.address, data, ...(to ? { to } : {}) };
    const [nonce, estimate] = await Promise.all([
      this.rpc(async () => BigInt(await this.web3.eth.getTransactionCount(this.address, 'pending'))),
      this.rpc(async () => BigInt(await this.web3.eth.estimateGas(request)), abi),
    ]);
    // Legacy (type 0) transaction with EIP-155 replay protection: accepted by Anvil and by a
    // free-gas Besu (min-gas-price 0, zero base fee). The hardfork here only selects the
    // transaction format; 'london' avoids web3's client-side Shanghai initcode size check,
    // since the chains raise the contract size limit.
    const common = eth.accounts.Common.custom({ chainId, networkId: chainId }, { hardfork: 'london' });
    const tx = eth.accounts.Transaction.fromTxData(
      { nonce, gasPrice: 0n, gasLimit: (estimate * 13n) / 10n, to, data, value: 0n },
      { common },
    );
    const signed = await eth.accounts.signTransaction(tx, this.#privateKey);
    const txHash = await this.rpc(
      () => this.web3.requestManager.send({ method: 'eth_sendRawTransaction', params: [signed.rawTransaction] }),
      abi,
    );
    return { txHash: String(txHash) };
  }

  /** Maps transport failures to DependencyUnavailableError('chain') and reverts to ChainRevertError. */
  private async rpc<T>(operation: () => Promise<T>, abi?: ContractAbi): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isNetworkError(error)) throw new DependencyUnavailableError('chain', error);
      const revertData = findRevertData(error);
      if (revertData !== undefined) throw decodeRevert(revertData, abi ?? [], error);
      throw error;
    }
  }
}

// web3's Contract drops `error` entries from options.jsonInterface; keep the artifact's ABI so
// reverts can be decoded to the contract's custom errors.
const fullAbis = new WeakMap<ChainContract, ContractAbi>();

function abiOf(contract: ChainContract): ContractAbi {
  return fullAbis.get(contract) ?? contract.options.jsonInterface;
}

function contractAddress(contract: ChainContract): string {
  const address = contract.options.address;
  if (!address) throw new Error('Contract handle has no address');
  return address;
}

function functionFragment(contract: ChainContract, method: string, argCount: number): AbiFunctionFragment {
  const fragment = (contract.options.jsonInterface as readonly AbiFunctionFragment[]).find(
    (item) => item.type === 'function' && item.name === method && (item.inputs ?? []).length === argCount,
  );
  if (!fragment) throw new Error(`ABI has no function ${method} taking ${argCount} argument(s)`);
  return fragment;
}

// Solidity's built-in revert reasons, present in no ABI.
const BUILTIN_ERRORS: Record<string, { name: string; inputs: AbiParameter[] }> = {
  '0x08c379a0': { name: 'Error', inputs: [{ name: 'message', type: 'string' }] },
  '0x4e487b71': { name: 'Panic', inputs: [{ name: 'code', type: 'uint256' }] },
};

function decodeRevert(data: string, abi: ContractAbi, cause: unknown): ChainRevertError {
  const selector = data.slice(0, 10).toLowerCase();
  const custom = abi.find(
    (item): item is AbiErrorFragment => item.type === 'error' && eth.abi.encodeErrorSignature(item as AbiErrorFragment).slice(0, 10) === selector,
  );
  const known = custom?.name ? { name: custom.name, inputs: (custom.inputs ?? []) as AbiParameter[] } : BUILTIN_ERRORS[selector];
  if (!known) return new ChainRevertError('unknown', [], data, cause);
  const decoded = eth.abi.decodeParameters(known.inputs, `0x${data.slice(10)}`);
  return new ChainRevertError(known.name, known.inputs.map((_, index) => decoded[index]), data, cause);
}

// web3 wraps errors in layers (ContractExecutionError -> Eip838ExecutionError -> JSON-RPC error).
function errorChain(error: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 10) {
    const next = pending.shift();
    if (typeof next !== 'object' || next === null || chain.includes(next as Record<string, unknown>)) continue;
    const node = next as Record<string, unknown>;
    chain.push(node);
    pending.push(node.cause, node.innerError, node.error);
  }
  return chain;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);

function isNetworkError(error: unknown): boolean {
  return errorChain(error).some(
    (node) =>
      node.name === 'FetchError' || // node-fetch: connection failures, timeouts, non-JSON answers
      (typeof node.code === 'string' && NETWORK_CODES.has(node.code)) ||
      (typeof node.statusCode === 'number' && node.statusCode >= 502 && node.statusCode <= 504),
  );
}

/** The revert data of a failed call or estimate, '0x' for a bare revert, undefined for other errors. */
function findRevertData(error: unknown): string | undefined {
  let reverted = false;
  let revertData: string | undefined;
  for (const node of errorChain(error)) {
    const data = typeof node.data === 'object' && node.data !== null ? (node.data as Record<string, unknown>).data : node.data;
    if (revertData === undefined && typeof data === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(data) && data.length >= 10) revertData = data;
    if (
      node.name === 'ContractExecutionError' ||
      node.name === 'Eip838ExecutionError' ||
      (typeof node.message === 'string' && /revert/i.test(node.message))
    ) {
      reverted = true;
    }
  }
  return reverted ? (revertData ?? '0x') : undefined;
}
