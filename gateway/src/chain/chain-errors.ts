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
