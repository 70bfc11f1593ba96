import type { Eip712Field } from './eip712';

/**
 * The EIP-712 messages the EHRChain contracts verify: the one definition the patient SDK, the
 * gateway, the contract tests and the gas bench sign and verify with. Each type's field list must
 * encode to the TYPEHASH string in the contract (typed-messages.spec.ts checks it against the sources).
 */

/** ConsentManager's EIP-712 domain name and version (OpenZeppelin EIP712 constructor arguments). */
export const CONSENT_MANAGER_DOMAIN = { name: 'EHRChain ConsentManager', version: '1' } as const;
/** EmergencyAccess's EIP-712 domain name and version. */
export const EMERGENCY_ACCESS_DOMAIN = { name: 'EHRChain EmergencyAccess', version: '1' } as const;

/**
 * ABDM health-information (HI) types, the bit index of each in a consent's `categories` mask
 * (ABDM consent artefact `hiTypes`; the FHIR document profiles of NRCeS).
 */
export const Category = { OPConsultation: 0, Prescription: 1, DischargeSummary: 2, DiagnosticReport: 3, ImmunizationRecord: 4, HealthDocumentRecord: 5, WellnessRecord: 6 } as const;
/**
 * HL7 v3 PurposeOfUse codes as ABDM's consent artefact uses them, the bit index of each in a
 * consent's `purposes` mask: care management, break-the-glass, public health, payment, research, patient request.
 */
export const Purpose = { CAREMGT: 0, BTG: 1, PUBHLTH: 2, HPAYMT: 3, DSRCH: 4, PATRQT: 5 } as const;

/** The tail of every patient- or doctor-signed message: replay protection and a deadline. */
const NONCE_DEADLINE: readonly Eip712Field[] = [
  { name: 'nonce', type: 'uint256' },
  { name: 'deadline', type: 'uint256' },
];
/** A consent's terms: which records (categories, dates), for which purposes, until when. */
const TERMS: readonly Eip712Field[] = [
  { name: 'categories', type: 'uint8' },
  { name: 'purposes', type: 'uint8' },
  { name: 'fromDate', type: 'uint40' },
  { name: 'toDate', type: 'uint40' },
  { name: 'expiry', type: 'uint40' },
];
const handleAnd = (signer: string): readonly Eip712Field[] => [{ name: 'handle', type: 'bytes32' }, { name: signer, type: 'address' }, ...NONCE_DEADLINE];

/** The messages ConsentManager verifies, its own and those of ConsentGrants, PatientGuardians and PatientRegistry, its abstract bases. */
export const CONSENT_MANAGER_TYPES = {
  ConsentGrant: [{ name: 'patient', type: 'bytes32' }, { name: 'grantee', type: 'address' }, ...TERMS, { name: 'recordsRoot', type: 'bytes32' }, ...NONCE_DEADLINE],
  ConsentRevocation: [{ name: 'patient', type: 'bytes32' }, { name: 'grantee', type: 'address' }, ...NONCE_DEADLINE],
  /** Opens a relationship: registers its handle with `signer` and grants `grantee`; signed by the new key, no nonce (it applies once). */
  RelationshipGrant: [
    { name: 'patient', type: 'bytes32' }, { name: 'signer', type: 'address' }, { name: 'grantee', type: 'address' },
    ...TERMS, { name: 'recordsRoot', type: 'bytes32' }, { name: 'deadline', type: 'uint256' },
  ],
  ConsentRequest: [{ name: 'patient', type: 'bytes32' }, { name: 'doctor', type: 'address' }, ...TERMS, ...NONCE_DEADLINE],
  ConsentApproval: [
    { name: 'requestId', type: 'uint256' }, { name: 'patient', type: 'bytes32' }, { name: 'doctor', type: 'address' },
    ...TERMS, { name: 'recordsRoot', type: 'bytes32' }, ...NONCE_DEADLINE,
  ],
  ConsentDenial: [{ name: 'requestId', type: 'uint256' }, { name: 'patient', type: 'bytes32' }, { name: 'doctor', type: 'address' }, ...NONCE_DEADLINE],
  Registration: handleAnd('signer'),
  Rotation: handleAnd('newSigner'),
  GuardianSet: [{ name: 'handle', type: 'bytes32' }, { name: 'guardians', type: 'address[]' }, { name: 'threshold', type: 'uint8' }, ...NONCE_DEADLINE],
  /** Signed by guardians; its nonce is the handle's `recoveryNonces`, which the key cannot spend. */
  Recovery: handleAnd('newSigner'),
  /** The patient's veto of a waiting recovery, named by its new signer and number (the nonce its guardians signed). */
  RecoveryVeto: [
    { name: 'handle', type: 'bytes32' }, { name: 'newSigner', type: 'address' }, { name: 'recovery', type: 'uint256' }, ...NONCE_DEADLINE,
  ],
} satisfies Record<string, readonly Eip712Field[]>;
export type ConsentManagerMessage = keyof typeof CONSENT_MANAGER_TYPES;

/**
 * The doctor-signed messages EmergencyAccess verifies: the break-glass request, and the end of a
 * granted access before its time box is over (no nonce: it applies once, the access being over).
 */
export const EMERGENCY_ACCESS_TYPES = {
  EmergencyRequest: [{ name: 'patient', type: 'bytes32' }, { name: 'reasonHash', type: 'bytes32' }, { name: 'duration', type: 'uint64' }, ...NONCE_DEADLINE],
  EmergencyEnd: [{ name: 'requestId', type: 'uint256' }, { name: 'deadline', type: 'uint256' }],
} satisfies Record<string, readonly Eip712Field[]>;
export type EmergencyAccessMessage = keyof typeof EMERGENCY_ACCESS_TYPES;
