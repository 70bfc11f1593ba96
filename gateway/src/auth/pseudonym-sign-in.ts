import { buildTypedData, Eip712Field, TypedData } from '../chain/eip712';

/**
 * The EIP-712 message a patient signs with the consent key of their handle to sign in as that
 * pseudonym. It names everything it authorises: the handle, the gateway's single-use challenge,
 * the audience (the domain: this consortium's chain id and ConsentManager address) and a short
 * expiry. The domain name differs from ConsentManager's, so a sign-in signature can never be
 * replayed as a consent message, nor a consent signature as a sign-in.
 * No server dependencies: the patient SDK builds the same message.
 */
export const PSEUDONYM_SIGN_IN_DOMAIN = { name: 'EHRChain Gateway Sign-In', version: '1' } as const;

export const PSEUDONYM_SIGN_IN_TYPES = {
  PseudonymSignIn: [
    { name: 'handle', type: 'bytes32' },
    { name: 'challenge', type: 'bytes32' },
    { name: 'expiresAt', type: 'uint256' },
  ],
} satisfies Record<string, readonly Eip712Field[]>;

export interface PseudonymSignInAudience {
  chainId: number;
  /** ConsentManager, the registry that knows the handle's signer. */
  consentManager: string;
}

export interface PseudonymSignIn {
  handle: string;
  challenge: string;
  /** Unix seconds. */
  expiresAt: number;
}

export function pseudonymSignInTypedData(audience: PseudonymSignInAudience, message: PseudonymSignIn): TypedData {
  return buildTypedData(
    { ...PSEUDONYM_SIGN_IN_DOMAIN, chainId: audience.chainId, verifyingContract: audience.consentManager },
    'PseudonymSignIn',
    PSEUDONYM_SIGN_IN_TYPES,
    { handle: message.handle, challenge: message.challenge, expiresAt: message.expiresAt },
  );
}
