import { getEncodedEip712Data } from 'web3-eth-abi';
import { recover, signMessageWithPrivateKey } from 'web3-eth-accounts';
import type { Eip712TypedData } from 'web3-types';

/**
 * EIP-712 typed-data hashing and signing on web3 v4's own primitives
 * (web3-eth-abi `getEncodedEip712Data`, web3-eth-accounts `signMessageWithPrivateKey`), so the
 * gateway, the patient SDK and the contract tests hash exactly as the contracts verify.
 * https://eips.ethereum.org/EIPS/eip-712
 */
export type TypedData = Eip712TypedData;

export interface Eip712Field {
  name: string;
  type: string;
}

/** The domain every EHRChain contract uses (OpenZeppelin EIP712: name, version, chainId, verifyingContract). */
export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: string;
}

export const EIP712_DOMAIN_FIELDS: readonly Eip712Field[] = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
];

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

/**
 * Assembles the typed data for `primaryType` in `domain`. `types` holds the primary type and any
 * struct types it references; the EIP712Domain type is added here. Integer fields may be bigint.
 */
export function buildTypedData(
  domain: Eip712Domain,
  primaryType: string,
  types: Record<string, readonly Eip712Field[]>,
  message: Record<string, unknown>,
): TypedData {
  return {
    types: { EIP712Domain: [...EIP712_DOMAIN_FIELDS], ...Object.fromEntries(Object.entries(types).map(([name, fields]) => [name, [...fields]])) },
    primaryType,
    domain: { ...domain },
    message,
  };
}

/** keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(message)): the digest a contract recovers the signer from. */
export function typedDataDigest(typedData: TypedData): string {
  return getEncodedEip712Data(typedData, true);
}

/**
 * Signs the typed data's digest with `privateKeyHex` (no EIP-191 personal-message prefix) and
 * returns the 65-byte signature r ‖ s ‖ v (v 27 or 28, low s), the form OpenZeppelin's ECDSA takes.
 */
export function signTypedData(privateKeyHex: string, typedData: TypedData): string {
  // Checked here so that web3's error for a malformed key, which could echo it, is never reached.
  if (!PRIVATE_KEY.test(privateKeyHex)) throw new Error('signTypedData needs a 0x-prefixed 32-byte hex private key');
  return signMessageWithPrivateKey(typedDataDigest(typedData), privateKeyHex).signature;
}

/** The checksummed address that produced `signature` over the typed data. */
export function recoverTypedDataSigner(typedData: TypedData, signature: string): string {
  if (!SIGNATURE.test(signature)) throw new Error('A signature is 65 bytes (0x-prefixed r, s, v)');
  // prefixed = true: the digest is used as it is, not wrapped as an EIP-191 personal message.
  return recover(typedDataDigest(typedData), signature, true);
}
