/**
 * The patient SDK (issue 12, point 5): what a patient's own software needs, in Node and in a
 * browser, with no server dependency. The gateway only ever receives public keys, the pseudonym
 * encrypted to the patient, and what the chain needs.
 *
 * - keys: `newPatientSecret`, `newPseudonym`, `generatePersonaKey`, export/import as encrypted
 *   PKCS#8, RSA-OAEP to and from the persona key;
 * - the ledger: a handle and consent key per relationship (`deriveRelationship`), a guardian's
 *   key, blinded access-log ids, salted commitments, coarse expiries (docs/decisions.md,
 *   "Unlinkable on the ledger");
 * - the filing token a patient shows a hospital (`makeFilingToken`), the pseudonym sign-in and
 *   consent messages to sign (`signTypedData`, `pseudonymSignInTypedData`, the ConsentManager
 *   types);
 * - consents: the messages the gateway relays (`signRegistration`, `signRelationshipGrant`,
 *   `signConsentGrant`, `signRevocation`, and `signConsentLink`, which says which of the
 *   patient's pseudonyms' records a grant covers), records roots for consents naming records;
 * - the consent flows themselves (`openRelationship`, `grantConsent`, `revokeConsent`,
 *   `requestsFrom`, `answerRequest`), shared by the CLI and the portal;
 * - the gateway: registration, persona sign-in, keys hand-over, the ledger scope, relaying
 *   consents and reading who read what (`GatewayClient`).
 */
export * from './patient-keys';
export * from './gateway-client';
export * from './consents';
export * from './wallet-format';
export { accessLogRecordId, coarseDeadline, coarseExpiry, deriveGuardianKey, deriveRelationship, textCommitment } from '../src/chain/relationships';
export type { LedgerScope, Relationship } from '../src/chain/relationships';
export { patientHandle } from '../src/chain/patient-handle';
export { checkFilingToken, filingTokenHandle, filingTypedData, makeFilingToken, FILING_TOKEN_MAX_SECONDS } from '../src/chain/filing-token';
export type { FilingPermit } from '../src/chain/filing-token';
export { buildTypedData, recoverTypedDataSigner, signTypedData, typedDataDigest } from '../src/chain/eip712';
export { pseudonymSignInTypedData } from '../src/auth/pseudonym-sign-in';
export { Category, CONSENT_MANAGER_DOMAIN, CONSENT_MANAGER_TYPES, Purpose } from '../src/chain/typed-messages';
export {
  NO_RECORDS_ROOT, patientMessageTypedData, recordsRoot, signConsentApproval, signConsentDenial, signConsentGrant, signGuardianSet, signRecovery, signRecoveryVeto, signRegistration,
  signRelationshipGrant, signRevocation,
} from '../src/chain/patient-messages';
export type { ConsentTerms, GrantMessage, GuardianSetMessage, PatientMessage, RecoveryVetoMessage } from '../src/chain/patient-messages';
export { consentId } from '../src/chain/relationships';
export { consentLinkTypedData, signConsentLink } from '../src/chain/consent-link';
