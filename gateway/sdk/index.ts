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
 * - the gateway: registration, persona sign-in, keys hand-over (`GatewayClient`).
 */
export * from './patient-keys';
export * from './gateway-client';
export { accessLogRecordId, coarseDeadline, coarseExpiry, deriveGuardianKey, deriveRelationship, textCommitment } from '../src/chain/relationships';
export type { LedgerScope, Relationship } from '../src/chain/relationships';
export { patientHandle } from '../src/chain/patient-handle';
