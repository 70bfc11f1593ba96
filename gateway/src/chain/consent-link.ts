import { buildTypedData, Eip712Field, recoverTypedDataSigner, signTypedData, TypedData } from './eip712';
import type { LedgerScope, Relationship } from './relationships';

/**
 * The patient's statement that a consent covers the records filed under another of their
 * relationships: "the consent I grant `grantee` under relationship `relationship` covers the
 * records filed under `records`". Signed, off chain, with the key of `relationship` (the one the
 * grant is signed with); sent with the grant while signed in as `records`' pseudonym. So both
 * ends of the link are proven by their own keys, and a grant message seen on its way to the chain
 * cannot be replayed by someone else to attach their records to it. Never on the ledger: a
 * domain of its own (this chain, this ConsentManager), like the filing token. No server
 * dependency: the SDK signs it in a browser too.
 */
export const CONSENT_LINK_DOMAIN = { name: 'EHRChain Consent Link', version: '1' } as const;

export const CONSENT_LINK_TYPES = {
  ConsentLink: [
    { name: 'relationship', type: 'bytes32' },
    { name: 'records', type: 'bytes32' },
    { name: 'grantee', type: 'address' },
  ],
} satisfies Record<string, readonly Eip712Field[]>;

export interface ConsentLink {
  relationship: string;
  records: string;
  grantee: string;
}

export function consentLinkTypedData(scope: LedgerScope, link: ConsentLink): TypedData {
  return buildTypedData({ ...CONSENT_LINK_DOMAIN, chainId: Number(scope.chainId), verifyingContract: scope.consentManager }, 'ConsentLink', CONSENT_LINK_TYPES, { ...link });
}

/** Signed with the key of the relationship the consent is granted under. */
export function signConsentLink(relationship: Relationship, scope: LedgerScope, records: string, grantee: string): string {
  return signTypedData(relationship.privateKey, consentLinkTypedData(scope, { relationship: relationship.handle, records, grantee }));
}

/** Who signed the link (checksummed), or null for a signature that recovers nothing. */
export function consentLinkSigner(scope: LedgerScope, link: ConsentLink, signature: string): string | null {
  try {
    return recoverTypedDataSigner(consentLinkTypedData(scope, link), signature);
  } catch {
    return null;
  }
}
