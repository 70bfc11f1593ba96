import { Contract, ContractAbi, eth, utils } from 'web3';
import { loadArtifact } from './artifacts';
import { ChainContract, ChainEvent, ChainLog } from './chain-contract';
import { decodeRevert, ReceiptTimeoutError } from './chain-errors';
import { signLegacyTransaction } from './legacy-transaction';
import { JsonRpcError, NodeRpc } from './node-rpc';


export interface DeployResult {
  address: string;
  txHash: string;
  blockNumber: bigint;
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

/** What eth_getLogs filters on: one address, topics by position (null = any). */
export interface LogFilter {
  address: string;
  topics: (string | null)[];
  fromBlock: bigint;
}

export interface SendOptions {
  /**
   * Runs after the transaction is signed and before the node sees it, with its hash: the
   * outbox records the hash here, so a crash at any point leaves a hash it can look up.
   */
  beforeBroadcast?: (txHash: string) => Promise<void>;
}

/** eth_getTransactionReceipt / eth_getLogs as the node sends them (quantities hex). */
interface RawLog extends Omit<ChainLog, 'blockNumber'> {
  blockNumber?: string;
}
interface RawReceipt {
  transactionHash: string;
  blockNumber: string;
  status: string;
  contractAddress?: string | null;
  logs: RawLog[];
}

const DEPLOY_RECEIPT_TIMEOUT_MS = 120_000;

const quantity = (value: unknown): bigint => BigInt(String(value));

/**
 * The gateway's chain access: web3 (v4) encodes calls, signs transactions and decodes results;
 * NodeRpc carries every request, so a node that is down is DependencyUnavailableError('chain')
 * and a revert is a ChainRevertError decoded from the contract's ABI. A repository with no
 * business logic. Transactions are signed locally with the gateway key and sent raw with gas
 * price 0 (the network is free-gas), so neither Anvil nor Besu ever holds the key.
 */
export class ChainClient {
  readonly address: string;
  private readonly node: NodeRpc;
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
    this.node = new NodeRpc(rpcUrl);
  }

  async chainId(): Promise<number> {
    const id = await this.node.chainId();
    this.chainIdCache = id;
    return id;
  }

  /** The hash of block 0: which chain this is, whatever its id says (two chains may share an id). */
  async genesisHash(): Promise<string> {
    const genesis = await this.node.block(0);
    if (!genesis) throw new Error(`The chain at ${this.rpcUrl} has no block 0`);
    return genesis.hash;
  }

  async blockNumber(): Promise<bigint> {
    return quantity(await this.node.call('eth_blockNumber'));
  }

  /** Runtime code at `address`; '0x' when there is none. */
  async getCode(address: string): Promise<string> {
    return String(await this.node.call('eth_getCode', [address, 'latest']));
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
    return new ChainContract(artifactName, utils.toChecksumAddress(address), loadArtifact(artifactName).abi);
  }

  /**
   * Signs and sends a transaction calling `method`; returns once the node accepted it.
   * A call that would revert is refused before sending (ChainRevertError from gas estimation).
   */
  send(contract: ChainContract, method: string, args: unknown[], options: SendOptions = {}): Promise<{ txHash: string }> {
    return this.sendData(contract.address, contract.encodeCall(method, args), contract.abi, options);
  }

  /** Read-only call; the outputs in ABI order. */
  async call(contract: ChainContract, method: string, args: unknown[]): Promise<unknown[]> {
    const result = await this.callAs(this.address, contract, contract.encodeCall(method, args));
    return contract.decodeOutputs(method, args.length, result);
  }

  /**
   * Runs calldata `data` on `contract` as if `from` sent it (eth_call, latest block): what a
   * transaction someone else signed would do. A refusal is a ChainRevertError, decoded against
   * the contract's ABI.
   */
  callAs(from: string, contract: ChainContract, data: string): Promise<string> {
    return this.reverting(contract.abi, () => this.node.call<string>('eth_call', [{ from, to: contract.address, data }, 'latest']));
  }

  /** Logs matching `filter` from `fromBlock` to the latest block, oldest first. */
  async logs(filter: LogFilter): Promise<ChainLog[]> {
    const params = { address: filter.address, topics: filter.topics, fromBlock: `0x${filter.fromBlock.toString(16)}`, toBlock: 'latest' };
    return (await this.node.call<RawLog[]>('eth_getLogs', [params])).map(toLog);
  }

  /** The receipt, or null when the chain does not know the transaction (e.g. lost before mining). */
  async receipt(txHash: string): Promise<ChainReceipt | null> {
    const raw = await this.node.call<RawReceipt | null>('eth_getTransactionReceipt', [txHash]);
    if (!raw) return null;
    return {
      txHash: raw.transactionHash,
      blockNumber: BigInt(raw.blockNumber),
      success: BigInt(raw.status) === 1n,
      contractAddress: raw.contractAddress ?? undefined,
      logs: raw.logs.map(toLog),
    };
  }

  /** The calldata of a transaction the node knows, or null (e.g. to tell which signed message a mined transaction carried). */
  async transactionInput(txHash: string): Promise<string | null> {
    const tx = await this.node.call<{ input?: string } | null>('eth_getTransactionByHash', [txHash]);
    return tx?.input ?? null;
  }

  /** True while the node knows the transaction, mined or still pending in its pool. */
  async isKnownTransaction(txHash: string): Promise<boolean> {
    const tx = await this.node.call<unknown>('eth_getTransactionByHash', [txHash]);
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
    return contract.events(receipt.logs);
  }

  /** Nothing to release: NodeRpc holds no connection of its own (fetch pools them, unreferenced). */
  close(): void {}

  private sendData(to: string | undefined, data: string, abi: ContractAbi, options: SendOptions = {}): Promise<{ txHash: string }> {
    const next = this.sendQueue.then(() => this.signAndSend(to, data, abi, options));
    this.sendQueue = next.catch(() => undefined);
    return next;
  }

  private async signAndSend(to: string | undefined, data: string, abi: ContractAbi, options: SendOptions): Promise<{ txHash: string }> {
    const chainId = this.chainIdCache ?? (await this.chainId());
    const request = { from: this.address, data, ...(to ? { to } : {}) };
    const [nonce, estimate] = await Promise.all([
      this.node.call('eth_getTransactionCount', [this.address, 'pending']).then(quantity),
      this.reverting(abi, () => this.node.call('eth_estimateGas', [request])).then(quantity),
    ]);
    const signed = await signLegacyTransaction({ chainId, nonce: Number(nonce), gasLimit: Number((estimate * 13n) / 10n), to, data }, this.#privateKey);
    await options.beforeBroadcast?.(signed.transactionHash);
    try {
      await this.reverting(abi, () => this.node.call('eth_sendRawTransaction', [signed.rawTransaction]));
    } catch (error) {
      if (!(error instanceof JsonRpcError && error.alreadyKnown)) throw error;
    }
    return { txHash: signed.transactionHash };
  }

  /** Runs a request whose refusal may be a revert, decoded against `abi` into a ChainRevertError. */
  private async reverting<T>(abi: ContractAbi, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const data = error instanceof JsonRpcError ? error.revertData : undefined;
      if (data !== undefined) throw decodeRevert(data, abi, error);
      throw error;
    }
  }
}

function toLog(raw: RawLog): ChainLog {
  return {
    address: raw.address,
    topics: raw.topics,
    data: raw.data,
    ...(raw.blockNumber ? { blockNumber: BigInt(raw.blockNumber) } : {}),
    ...(raw.transactionHash ? { transactionHash: raw.transactionHash } : {}),
  };
}
