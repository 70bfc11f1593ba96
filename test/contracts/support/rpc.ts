import type { ChainClient, ChainReceipt } from '../../../gateway/src/chain/chain-client';
import type { ChainContract } from '../../../gateway/src/chain/chain-contract';
import { NodeRpc } from '../../../gateway/src/chain/node-rpc';
import type { TestChain } from './chain';

export const HOUR = 3_600;
export const DAY = 86_400;
const RECEIPT_MS = 10_000;

/** A raw JSON-RPC call to the test chain, for what ChainClient does not offer (block times, gasUsed, calls at a block). */
export function rpc<T>(chain: TestChain, method: string, params: unknown[]): Promise<T> {
  return new NodeRpc(chain.anvil.rpcUrl).call<T>(method, params);
}

/** The timestamp of a block (the latest one by default): the clock the contracts compare deadlines with. */
export async function blockTimestamp(chain: TestChain, block: bigint | 'latest' = 'latest'): Promise<bigint> {
  const tag = block === 'latest' ? block : `0x${block.toString(16)}`;
  return BigInt((await rpc<{ timestamp: string }>(chain, 'eth_getBlockByNumber', [tag, false])).timestamp);
}

/** A signature deadline `seconds` after the chain's latest block. */
export const deadlineIn = async (chain: TestChain, seconds = HOUR): Promise<bigint> => (await blockTimestamp(chain)) + BigInt(seconds);

/** The gas a mined transaction used, transaction cost included. */
export async function gasUsed(chain: TestChain, txHash: string): Promise<bigint> {
  return BigInt((await rpc<{ gasUsed: string }>(chain, 'eth_getTransactionReceipt', [txHash])).gasUsed);
}

/** Sends from `from`, requires success, and returns the receipt and its decoded events (name and args only). */
export async function transact(from: ChainClient, contract: ChainContract, method: string, args: unknown[]) {
  const { txHash } = await from.send(contract, method, args);
  const receipt: ChainReceipt = await from.waitForReceipt(txHash, RECEIPT_MS);
  expect(receipt.success).toBe(true);
  return { receipt, events: from.events(contract, receipt).map(({ name, args: decoded }) => ({ name, args: decoded })) };
}
