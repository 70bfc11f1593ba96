import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { buildTypedData, signTypedData, TypedData } from './eip712';
import { recordIdOnChain } from './record-id';
import type { LedgerScope, Relationship } from './relationships';
import { CONSENT_MANAGER_DOMAIN, CONSENT_MANAGER_TYPES, ConsentManagerMessage } from './typed-messages';

/**
 * The messages a patient's software signs for ConsentManager and hands the gateway to relay
 * (DESIGN trust model 5): opening a relationship (its handle's registration, alone or with a
 * first consent), granting, revoking, answering a doctor's request, naming guardians and vetoing
 * a recovery the patient did not ask for. Each is exactly the typed data the contract verifies,
 * plus the fields the call needs; the gateway checks it by simulating the call, relays it through
 * the outbox, and can neither make nor alter one. No server dependency: the SDK signs them in a
 * browser too.
 */

/** What a consent covers (ConsentGrants.ConsentTerms): numbers are unix seconds and bitmasks. */
export interface ConsentTerms {
  /** Bitmask of ABDM HI types (`Category`). */
  categories: number;
  /** Bitmask of purposes of use (`Purpose`). */
  purposes: number;
  /** Records dated from this day (unix seconds)… */
  fromDate: number;
  /** …to this one, inclusive. */
  toDate: number;
  /** The consent ends at this second. */
  expiry: number;
  /** 0x00…00 for every record in scope, or `recordsRoot(ids, salt)` to name records one by one. */
  recordsRoot: string;
}

export type RegistrationMessage = { type: 'Registration'; handle: string; signer: string; salt: string; deadline: number; signature: string };
export type RelationshipGrantMessage = {
  type: 'RelationshipGrant'; patient: string; signer: string; grantee: string; terms: ConsentTerms; salt: string; deadline: number; signature: string;
};
export type ConsentGrantMessage = { type: 'ConsentGrant'; patient: string; grantee: string; terms: ConsentTerms; nonce: number; deadline: number; signature: string };
export type ConsentRevocationMessage = { type: 'ConsentRevocation'; patient: string; grantee: string; nonce: number; deadline: number; signature: string };
/** The patient's answer to doctor's request `requestId`: it names the request's patient and doctor, and what is granted (maybe less than asked). */
export type ConsentApprovalMessage = {
  type: 'ConsentApproval'; requestId: number; patient: string; doctor: string; terms: ConsentTerms; nonce: number; deadline: number; signature: string;
};
export type ConsentDenialMessage = { type: 'ConsentDenial'; requestId: number; patient: string; doctor: string; nonce: number; deadline: number; signature: string };

/** The guardians who may, k of them, restore the handle's key if the patient loses it: proposed now, in force after GUARDIAN_CHANGE_DELAY. */
export type GuardianSetMessage = { type: 'GuardianSet'; handle: string; guardians: string[]; threshold: number; nonce: number; deadline: number; signature: string };
/** The patient's veto of the recovery waiting on the handle, named by its new signer and number: the key stays the patient's. */
export type RecoveryVetoMessage = { type: 'RecoveryVeto'; handle: string; newSigner: string; recovery: number; nonce: number; deadline: number; signature: string };

/**
 * Recovery number `nonce` (the handle's `recoveryNonces`) of `handle` to `newSigner`, started by
 * the guardians' signatures (`signRecovery`), at least the threshold of them. Whoever holds them
 * sends it: the patient who lost their keys cannot sign in.
 */
export type RecoveryStartMessage = { type: 'RecoveryStart'; handle: string; newSigner: string; nonce: number; deadline: number; signatures: string[] };
/** Recovery number `recovery` of `handle` to `newSigner`, completed once its delay is over: no signature, anyone may send it. */
export type RecoveryCompletionMessage = { type: 'RecoveryCompletion'; handle: string; newSigner: string; recovery: number };

/** A signed message, as the patient's software hands it to the gateway. */
export type PatientMessage =
  | RegistrationMessage | RelationshipGrantMessage | ConsentGrantMessage | ConsentRevocationMessage | ConsentApprovalMessage | ConsentDenialMessage
  | GuardianSetMessage | RecoveryVetoMessage | RecoveryStartMessage | RecoveryCompletionMessage;
/** The messages about a handle's own keys (guardians, recovery) signed by its key, at the handle's nonce. */
export type HandleMessage = GuardianSetMessage | RecoveryVetoMessage;
export const isHandleMessage = (message: PatientMessage): message is HandleMessage => message.type === 'GuardianSet' || message.type === 'RecoveryVeto';
/** The messages that move a handle to another key, on its guardians' word: not signed by the handle's key. */
export type RecoveryMessage = RecoveryStartMessage | RecoveryCompletionMessage;
export const isRecoveryMessage = (message: PatientMessage): message is RecoveryMessage => message.type === 'RecoveryStart' || message.type === 'RecoveryCompletion';
/** The messages that grant a consent. */
export type GrantMessage = RelationshipGrantMessage | ConsentGrantMessage | ConsentApprovalMessage;

export const NO_RECORDS_ROOT = `0x${'0'.repeat(64)}`;

function typedData(scope: LedgerScope, type: ConsentManagerMessage, message: Record<string, unknown>): TypedData {
  const domain = { ...CONSENT_MANAGER_DOMAIN, chainId: Number(scope.chainId), verifyingContract: scope.consentManager };
  return buildTypedData(domain, type, { [type]: CONSENT_MANAGER_TYPES[type] }, message);
}

/** The typed data a message's signature covers (what the contract hashes). */
export function patientMessageTypedData(scope: LedgerScope, message: PatientMessage): TypedData {
  switch (message.type) {
    case 'Registration':
      return typedData(scope, message.type, { handle: message.handle, signer: message.signer, nonce: 0, deadline: message.deadline });
    case 'RelationshipGrant':
      return typedData(scope, message.type, { patient: message.patient, signer: message.signer, grantee: message.grantee, ...message.terms, deadline: message.deadline });
    case 'ConsentGrant':
      return typedData(scope, message.type, { patient: message.patient, grantee: message.grantee, ...message.terms, nonce: message.nonce, deadline: message.deadline });
    case 'ConsentRevocation':
      return typedData(scope, message.type, { patient: message.patient, grantee: message.grantee, nonce: message.nonce, deadline: message.deadline });
    case 'ConsentApproval':
      return typedData(scope, message.type, {
        requestId: message.requestId, patient: message.patient, doctor: message.doctor, ...message.terms, nonce: message.nonce, deadline: message.deadline,
      });
    case 'ConsentDenial':
      return typedData(scope, message.type, { requestId: message.requestId, patient: message.patient, doctor: message.doctor, nonce: message.nonce, deadline: message.deadline });
    case 'GuardianSet':
      return typedData(scope, message.type, { handle: message.handle, guardians: message.guardians, threshold: message.threshold, nonce: message.nonce, deadline: message.deadline });
    case 'RecoveryVeto':
      return typedData(scope, message.type, { handle: message.handle, newSigner: message.newSigner, recovery: message.recovery, nonce: message.nonce, deadline: message.deadline });
    case 'RecoveryStart':
      return recoveryTypedData(scope, message);
    case 'RecoveryCompletion':
      throw new Error('A recovery completes without a signature');
  }
}

/** What each guardian signs to start a recovery (`Recovery` of ConsentManager's domain). */
export const recoveryTypedData = (scope: LedgerScope, recovery: { handle: string; newSigner: string; nonce: number; deadline: number }): TypedData =>
  typedData(scope, 'Recovery', { handle: recovery.handle, newSigner: recovery.newSigner, nonce: recovery.nonce, deadline: recovery.deadline });

/** Registers the relationship's handle on chain, so that the patient can sign in as it. */
export function signRegistration(relationship: Relationship, scope: LedgerScope, deadline: number): RegistrationMessage {
  const unsigned = { type: 'Registration' as const, handle: relationship.handle, signer: relationship.signer, salt: relationship.salt, deadline, signature: '' };
  return { ...unsigned, signature: signTypedData(relationship.privateKey, patientMessageTypedData(scope, unsigned)) };
}

/** Opens a relationship with `grantee`: registers its handle and grants the first consent, in one message. */
export function signRelationshipGrant(relationship: Relationship, scope: LedgerScope, grantee: string, terms: ConsentTerms, deadline: number): RelationshipGrantMessage {
  const unsigned = { type: 'RelationshipGrant' as const, patient: relationship.handle, signer: relationship.signer, grantee, terms, salt: relationship.salt, deadline, signature: '' };
  return { ...unsigned, signature: signTypedData(relationship.privateKey, patientMessageTypedData(scope, unsigned)) };
}

/** Grants (or replaces) `grantee`'s consent on a registered relationship, at the pair's nonce (`consentNonces`). */
export function signConsentGrant(relationship: Relationship, scope: LedgerScope, grantee: string, terms: ConsentTerms, nonce: number, deadline: number): ConsentGrantMessage {
  const unsigned = { type: 'ConsentGrant' as const, patient: relationship.handle, grantee, terms, nonce, deadline, signature: '' };
  return { ...unsigned, signature: signTypedData(relationship.privateKey, patientMessageTypedData(scope, unsigned)) };
}

/** Revokes `grantee`'s consent; also cancels anything signed at `nonce` and not applied yet. */
export function signRevocation(relationship: Relationship, scope: LedgerScope, grantee: string, nonce: number, deadline: number): ConsentRevocationMessage {
  const unsigned = { type: 'ConsentRevocation' as const, patient: relationship.handle, grantee, nonce, deadline, signature: '' };
  return { ...unsigned, signature: signTypedData(relationship.privateKey, patientMessageTypedData(scope, unsigned)) };
}

/** Approves doctor's request `requestId` (on the relationship with that doctor), granting `terms`, at the pair's nonce. */
export function signConsentApproval(
  relationship: Relationship, scope: LedgerScope, request: { requestId: number; doctor: string }, terms: ConsentTerms, nonce: number, deadline: number,
): ConsentApprovalMessage {
  const unsigned = { type: 'ConsentApproval' as const, requestId: request.requestId, patient: relationship.handle, doctor: request.doctor, terms, nonce, deadline, signature: '' };
  return { ...unsigned, signature: signTypedData(relationship.privateKey, patientMessageTypedData(scope, unsigned)) };
}

/** Denies doctor's request `requestId`, at the pair's nonce. */
export function signConsentDenial(relationship: Relationship, scope: LedgerScope, request: { requestId: number; doctor: string }, nonce: number, deadline: number): ConsentDenialMessage {
  const unsigned = { type: 'ConsentDenial' as const, requestId: request.requestId, patient: relationship.handle, doctor: request.doctor, nonce, deadline, signature: '' };
  return { ...unsigned, signature: signTypedData(relationship.privateKey, patientMessageTypedData(scope, unsigned)) };
}

/**
 * Names the relationship's guardians (their addresses for this handle, `deriveGuardianKey`) and
 * how many must sign a recovery, at the handle's registry nonce (`patientNonces`).
 */
export function signGuardianSet(relationship: Relationship, scope: LedgerScope, guardians: string[], threshold: number, nonce: number, deadline: number): GuardianSetMessage {
  const unsigned = { type: 'GuardianSet' as const, handle: relationship.handle, guardians, threshold, nonce, deadline, signature: '' };
  return { ...unsigned, signature: signTypedData(relationship.privateKey, patientMessageTypedData(scope, unsigned)) };
}

/**
 * Vetoes the recovery waiting on the relationship's handle (`pendingRecoveryOf`: its new signer
 * and number), at the handle's registry nonce. Only the key in force can; guardians who all
 * signed cannot be vetoed.
 */
export function signRecoveryVeto(relationship: Relationship, scope: LedgerScope, recovery: { newSigner: string; recovery: number }, nonce: number, deadline: number): RecoveryVetoMessage {
  const unsigned = { type: 'RecoveryVeto' as const, handle: relationship.handle, newSigner: recovery.newSigner, recovery: recovery.recovery, nonce, deadline, signature: '' };
  return { ...unsigned, signature: signTypedData(relationship.privateKey, patientMessageTypedData(scope, unsigned)) };
}

/**
 * A guardian's signature starting recovery number `nonce` (the handle's `recoveryNonces`) of
 * `handle` to `newSigner`, with the key the guardian derived for that handle (`deriveGuardianKey`).
 * `threshold` of them start it (startRecovery, which anyone may send); the patient's key can veto
 * it for three days unless every guardian signed.
 */
export function signRecovery(guardianPrivateKey: string, scope: LedgerScope, recovery: { handle: string; newSigner: string; nonce: number; deadline: number }): string {
  return signTypedData(guardianPrivateKey, recoveryTypedData(scope, recovery));
}

const termsTuple = (terms: ConsentTerms) => [terms.categories, terms.purposes, terms.fromDate, terms.toDate, terms.expiry, terms.recordsRoot];

/** The ConsentManager call that applies the message. */
export function patientMessageCall(message: PatientMessage): { method: string; args: unknown[] } {
  switch (message.type) {
    case 'Registration':
      return { method: 'register', args: [message.handle, message.signer, message.salt, message.deadline, message.signature] };
    case 'RelationshipGrant':
      return { method: 'registerAndGrant', args: [message.patient, message.signer, message.grantee, termsTuple(message.terms), message.salt, message.deadline, message.signature] };
    case 'ConsentGrant':
      return { method: 'grant', args: [message.patient, message.grantee, termsTuple(message.terms), message.deadline, message.signature] };
    case 'ConsentRevocation':
      return { method: 'revoke', args: [message.patient, message.grantee, message.deadline, message.signature] };
    case 'ConsentApproval':
      return { method: 'grantRequest', args: [message.requestId, termsTuple(message.terms), message.deadline, message.signature] };
    case 'ConsentDenial':
      return { method: 'denyRequest', args: [message.requestId, message.deadline, message.signature] };
    case 'GuardianSet':
      return { method: 'setGuardians', args: [message.handle, message.guardians, message.threshold, message.deadline, message.signature] };
    case 'RecoveryVeto':
      return { method: 'vetoRecovery', args: [message.handle, message.deadline, message.signature] };
    case 'RecoveryStart':
      return { method: 'startRecovery', args: [message.handle, message.newSigner, message.deadline, message.signatures] };
    case 'RecoveryCompletion':
      return { method: 'completeRecovery', args: [message.handle] };
  }
}

/** The relationship handle a message is about. */
export const messageHandle = (message: PatientMessage): string => ('handle' in message ? message.handle : message.patient);

/** Who a message grants, revokes or answers; null for a registration and the messages about a handle's keys. */
export function messageGrantee(message: PatientMessage): string | null {
  if (message.type === 'Registration' || isHandleMessage(message) || isRecoveryMessage(message)) return null;
  return message.type === 'ConsentApproval' || message.type === 'ConsentDenial' ? message.doctor : message.grantee;
}

/**
 * A consent limited to named records: the root of OpenZeppelin's StandardMerkleTree over their
 * on-chain ids (bytes32) and one more leaf, `salt` (32 random bytes the patient's software picks
 * per consent), which ConsentGrants.mayRead proves each read against. The ids stay off the
 * ledger, and the salt keeps the root from being computed from ids someone knows (the filing
 * hospital) or from matching another consent's over the same records (trust model 10).
 */
export function recordsTree(recordIds: readonly string[], salt: string): StandardMerkleTree<[string]> {
  if (recordIds.length === 0) throw new Error('A records root names at least one record');
  if (!/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new Error('A records root salt is 32 bytes (0x + 64 hex digits)');
  return StandardMerkleTree.of([...recordIds.map((id) => [recordIdOnChain(id)] as [string]), [salt.toLowerCase()]], ['bytes32']);
}

export const recordsRoot = (recordIds: readonly string[], salt: string): string => recordsTree(recordIds, salt).root;
