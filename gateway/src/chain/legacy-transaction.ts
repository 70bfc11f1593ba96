import * as accounts from 'web3-eth-accounts';

/** The fields of a contract call to sign: everything a signer needs, nothing it must look up. */
export interface UnsignedCall {
  chainId: number;
  nonce: number;
  gasLimit: number;
  to: string;
  data: string;
}

/**
 * Signs a legacy (type 0) transaction with EIP-155 replay protection, gas price 0: accepted by
 * Anvil and by a free-gas Besu (min-gas-price 0, zero base fee). The hardfork only selects the
 * transaction format; 'london' avoids web3's client-side Shanghai initcode size check, since the
 * chains raise the contract size limit. Used by the gateway's own account and, in the portal, by
 * an authority's key (which never leaves the authority's browser).
 */
export async function signLegacyTransaction(call: Omit<UnsignedCall, 'to'> & { to?: string }, privateKey: string): Promise<{ rawTransaction: string; transactionHash: string }> {
  const common = accounts.Common.custom({ chainId: call.chainId, networkId: call.chainId }, { hardfork: 'london' });
  const tx = accounts.Transaction.fromTxData(
    { nonce: BigInt(call.nonce), gasPrice: 0n, gasLimit: BigInt(call.gasLimit), to: call.to, data: call.data, value: 0n },
    { common },
  );
  const signed = await accounts.signTransaction(tx, privateKey);
  return { rawTransaction: signed.rawTransaction, transactionHash: signed.transactionHash };
}
