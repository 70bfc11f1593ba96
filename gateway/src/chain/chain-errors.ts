import { eth } from 'web3';
import type { AbiErrorFragment, AbiParameter, ContractAbi } from 'web3';

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

export class ReceiptTimeoutError extends Error {
  readonly code = 'CHAIN_RECEIPT_TIMEOUT';
  constructor(readonly txHash: string, timeoutMs: number) {
    super(`No receipt for transaction ${txHash} within ${timeoutMs} ms`);
    this.name = 'ReceiptTimeoutError';
  }
}

// Solidity's built-in revert reasons, present in no ABI.
const BUILTIN_ERRORS: Record<string, { name: string; inputs: AbiParameter[] }> = {
  '0x08c379a0': { name: 'Error', inputs: [{ name: 'message', type: 'string' }] },
  '0x4e487b71': { name: 'Panic', inputs: [{ name: 'code', type: 'uint256' }] },
};

/** Decodes revert data against the contract's custom errors (or Solidity's built-in ones). */
export function decodeRevert(data: string, abi: ContractAbi, cause?: unknown): ChainRevertError {
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

/** The node could not be reached (refused, reset, timed out, a proxy's error page). */
export function isNetworkError(error: unknown): boolean {
  return errorChain(error).some(
    (node) =>
      node.name === 'FetchError' || // node-fetch: connection failures, timeouts, non-JSON answers
      (typeof node.code === 'string' && NETWORK_CODES.has(node.code)) ||
      (typeof node.statusCode === 'number' && node.statusCode >= 502 && node.statusCode <= 504),
  );
}

/** The revert data of a failed call or estimate, '0x' for a bare revert, undefined for other errors. */
export function findRevertData(error: unknown): string | undefined {
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

/** The node already holds this exact transaction (a resend of what it has): not a failure. */
export function isAlreadyKnown(error: unknown): boolean {
  return errorChain(error).some((node) => typeof node.message === 'string' && /already known|known transaction/i.test(node.message));
}
