import { signConsentLink } from '../src/chain/consent-link';
import { ConsentTerms, NO_RECORDS_ROOT, signConsentApproval, signConsentDenial, signConsentGrant, signGuardianSet, signRecoveryVeto, signRegistration, signRelationshipGrant, signRevocation } from '../src/chain/patient-messages';
import { coarseDeadline, coarseExpiry, LedgerScope, Relationship } from '../src/chain/relationships';
import { ConsentRequestView, ConsentView, GatewayClient, GatewayError, GuardiansView, RelayedMessage } from './gateway-client';

/**
 * What a patient's software does with consents, for the CLI and the portal alike: every message
 * is signed here, with keys derived from the patient secret, and the gateway relays it. Records
 * are shared from the pseudonym of the relationship with the hospital that filed them.
 */
export interface LedgerKeys {
  client: GatewayClient;
  scope: LedgerScope;
  relationshipWith(counterpart: string): Relationship;
}

const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** An hour from now, rounded as every patient message's deadline is (unlinkable). */
export const messageDeadline = (): number => coarseDeadline(nowSeconds() + 3600);

/** Terms for records of any day: `categories` and `purposes` as bitmasks, for `days` (to the end of a UTC day). */
export function consentTerms(categories: number, purposes: number, days: number): ConsentTerms {
  return { categories, purposes, fromDate: 0, toDate: 2 ** 40 - 1, expiry: coarseExpiry(nowSeconds() + days * DAY), recordsRoot: NO_RECORDS_ROOT };
}

/** Registers the relationship with `counterpart` on chain (a no-op if it is); its handle. */
export async function openRelationship(keys: LedgerKeys, counterpart: string): Promise<string> {
  const relationship = keys.relationshipWith(counterpart);
  try {
    await keys.client.registerRelationship(signRegistration(relationship, keys.scope, messageDeadline()), true);
  } catch (error) {
    if (!(error instanceof GatewayError && /AlreadyRegistered/.test(error.message))) throw error;
  }
  return relationship.handle;
}

/** The consent `grantee` holds from the relationship, as the gateway reads it (signed in as it), or null before it is registered. */
export async function consentOf(keys: LedgerKeys, asRecords: GatewayClient, relationship: Relationship, grantee: string): Promise<ConsentView | null> {
  const listed = (await asRecords.consents()).find((consent) => consent.relationship === relationship.handle);
  if (listed) return listed;
  try {
    return (await (await keys.client.asPseudonym(relationship)).consents()).find((consent) => consent.grantee.toLowerCase() === grantee.toLowerCase()) ?? null;
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'PSEUDONYM_UNKNOWN') return null;
    throw error;
  }
}

/** Grants `grantee` the records `hospital` filed, on `terms`; answers once the chain applied it. */
export async function grantConsent(keys: LedgerKeys, hospital: string, grantee: string, terms: ConsentTerms): Promise<RelayedMessage> {
  const records = keys.relationshipWith(hospital);
  const asRecords = await keys.client.asPseudonym(records);
  const relationship = keys.relationshipWith(grantee);
  const known = await consentOf(keys, asRecords, relationship, grantee);
  const message = known
    ? signConsentGrant(relationship, keys.scope, grantee, terms, known.nonce, messageDeadline())
    : signRelationshipGrant(relationship, keys.scope, grantee, terms, messageDeadline());
  return asRecords.grant(message, signConsentLink(relationship, keys.scope, records.handle, grantee), { wait: true });
}

/** Ends `grantee`'s consent to the records `hospital` filed (refused from the block that includes it); null if there was none. */
export async function revokeConsent(keys: LedgerKeys, hospital: string, grantee: string): Promise<RelayedMessage | null> {
  const asRecords = await keys.client.asPseudonym(keys.relationshipWith(hospital));
  const relationship = keys.relationshipWith(grantee);
  const known = await consentOf(keys, asRecords, relationship, grantee);
  if (!known) return null;
  return asRecords.revoke(signRevocation(relationship, keys.scope, grantee, known.nonce, messageDeadline()), true);
}

/** The requests a doctor sent to the patient's relationship with them (which the patient gave the doctor). */
export async function requestsFrom(keys: LedgerKeys, doctor: string): Promise<ConsentRequestView[]> {
  try {
    return await (await keys.client.asPseudonym(keys.relationshipWith(doctor))).consentRequests();
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'PSEUDONYM_UNKNOWN') return [];
    throw error;
  }
}

/**
 * Answers a doctor's request: approves it with `terms` (what was asked, or less) for the records
 * `hospital` filed, or, with `terms` null, denies it. Answers once the chain applied it.
 */
export async function answerRequest(keys: LedgerKeys, hospital: string, request: ConsentRequestView, terms: ConsentTerms | null): Promise<RelayedMessage> {
  if (request.requestId === null) throw new Error('The request is not on chain yet');
  const records = keys.relationshipWith(hospital);
  const asRecords = await keys.client.asPseudonym(records);
  const relationship = keys.relationshipWith(request.doctor);
  const nonce = (await consentOf(keys, asRecords, relationship, request.doctor))?.nonce ?? 0;
  const onChain = { requestId: request.requestId, doctor: request.doctor };
  if (terms === null) return asRecords.denyRequest(request.id, signConsentDenial(relationship, keys.scope, onChain, nonce, messageDeadline()));
  const approval = signConsentApproval(relationship, keys.scope, onChain, terms, nonce, messageDeadline());
  return asRecords.approveRequest(request.id, approval, signConsentLink(relationship, keys.scope, records.handle, request.doctor));
}

/** The guardians of the patient's records at `hospital` (their handle there), as the chain holds them. */
export async function guardiansOf(keys: LedgerKeys, hospital: string): Promise<GuardiansView> {
  return (await keys.client.asPseudonym(keys.relationshipWith(hospital))).guardians();
}

/**
 * Names `guardians` (each one's address for this handle, which they derive from their own secret:
 * `deriveGuardianKey`) for the records at `hospital`, `threshold` of whom can start a recovery.
 * In force after the contract's delay (3 days).
 */
export async function nameGuardians(keys: LedgerKeys, hospital: string, guardians: string[], threshold: number): Promise<RelayedMessage> {
  const relationship = keys.relationshipWith(hospital);
  const asRecords = await keys.client.asPseudonym(relationship);
  const { nonce } = await asRecords.guardians();
  return asRecords.setGuardians(signGuardianSet(relationship, keys.scope, guardians, threshold, nonce, messageDeadline()));
}

/**
 * Vetoes the recovery waiting on the records at `hospital` (their handle there), which the
 * patient did not ask for: the key on this device stays the one that signs for them. Refused by
 * the chain once the recovery is due, or when every guardian signed it.
 */
export async function vetoRecovery(keys: LedgerKeys, hospital: string): Promise<RelayedMessage> {
  const relationship = keys.relationshipWith(hospital);
  const asRecords = await keys.client.asPseudonym(relationship);
  const { nonce, recovery } = await asRecords.guardians();
  if (!recovery) throw new Error('No recovery of these records is waiting');
  if (!recovery.vetoable) throw new Error('Every guardian signed this recovery: the key cannot veto it');
  return asRecords.vetoRecovery(signRecoveryVeto(relationship, keys.scope, recovery, nonce, messageDeadline()));
}
