import type { Principal } from './principal';

/** Who can call the gateway with an account. Object-level checks (whose record, which hospital) sit in services. */
export enum Role {
  Admin = 'admin',
  Hospital = 'hospital',
  Doctor = 'doctor',
  Pharmacist = 'pharmacist',
  Researcher = 'researcher',
  Patient = 'patient',
  /** A consortium authority: reviews break-glass requests (it approves them on chain, with its own key). */
  Authority = 'authority',
}

/** What a route needs. Dotted `<area>.<action>`; one route, one permission. */
export enum Permission {
  AccountCreate = 'account.create',
  AccountRead = 'account.read',
  AccountDisable = 'account.disable',
  AccountPasswordReset = 'account.password_reset',
  ApiKeyCreate = 'apikey.create',
  ApiKeyRevoke = 'apikey.revoke',
  /** File a medical record for a patient who gave a filing token (hospital systems and their doctors). */
  RecordWrite = 'record.write',
  /** A patient's own records, as their pseudonym; a filer, the metadata of what its hospital filed. */
  RecordRead = 'record.read',
  /** A patient's erasure of their own record (DPDP Act 2023), as their pseudonym. */
  RecordErase = 'record.erase',
  /** A patient's consents, as their pseudonym: relay grants and revocations they signed, list them. */
  ConsentWrite = 'consent.write',
  ConsentRead = 'consent.read',
  /** A doctor asks a patient for consent (signed with their practitioner key). */
  ConsentRequest = 'consent_request.create',
  /** Consent requests: a doctor's own; a patient's relationship's. */
  ConsentRequestRead = 'consent_request.read',
  /** Reading a patient's records under their consent (hospitals, doctors; pharmacists prescriptions only), every read logged on chain. */
  RecordReadConsented = 'record.read_consented',
  /** Who read a patient's records: the patient, as their pseudonym. */
  AccessLogRead = 'access_log.read',
  /** Every release, pseudonymous (what the chain holds, and what is still on its way): the authorities' audit. */
  AccessLogAudit = 'access_log.audit',
  /** A doctor's break-glass request for a patient's records (approved k-of-n on chain). */
  EmergencyRequest = 'emergency.request',
  /** Emergencies: a doctor's own, those concerning a patient's records (as their pseudonym). */
  EmergencyRead = 'emergency.read',
  /** Every emergency request with its reason, for the authorities who approve or deny them on chain. */
  EmergencyReview = 'emergency.review',
  /** Consortium decisions an authority signs with its own key (proposals, emergency requests), relayed to the chain. */
  ConsortiumDecide = 'consortium.decide',
  /** A hospital system's webhooks. */
  WebhookManage = 'webhook.manage',
  /** A de-identified dataset of the patients who consented to research, k-anonymous. */
  ResearchExport = 'research.export',
  SessionRead = 'session.read',
  NetworkRead = 'network.read',
  NetworkVote = 'network.vote',
  SecurityEventRead = 'security_event.read',
  /** Reading an Aadhaar number back out of the vault in full (UIDAI Aadhaar Data Vault): audited every time. */
  AadhaarResolve = 'aadhaar.resolve',
  /** A patient's own persona (identity matters): read it, erase it. */
  PersonaRead = 'persona.read',
  PersonaErase = 'persona.erase',
  /** The patient hands the gateway their persona's public key and their pseudonym encrypted to it. */
  PersonaKeysSet = 'persona.keys_set',
}

const EVERYONE: Permission[] = [Permission.SessionRead];

/** The one role→permission map. A permission missing here is granted to nobody. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  [Role.Admin]: [
    ...EVERYONE,
    Permission.AccountCreate,
    Permission.AccountRead,
    Permission.AccountDisable,
    Permission.AccountPasswordReset,
    Permission.ApiKeyCreate,
    Permission.ApiKeyRevoke,
    Permission.NetworkRead,
    Permission.NetworkVote,
    Permission.SecurityEventRead,
    Permission.AadhaarResolve,
  ],
  [Role.Hospital]: [...EVERYONE, Permission.RecordWrite, Permission.RecordRead, Permission.RecordReadConsented, Permission.WebhookManage],
  [Role.Doctor]: [...EVERYONE, Permission.RecordWrite, Permission.RecordRead, Permission.RecordReadConsented, Permission.EmergencyRequest, Permission.EmergencyRead,
    Permission.ConsentRequest, Permission.ConsentRequestRead],
  [Role.Pharmacist]: [...EVERYONE, Permission.RecordReadConsented],
  [Role.Researcher]: [...EVERYONE, Permission.ResearchExport],
  [Role.Patient]: [...EVERYONE, Permission.PersonaRead, Permission.PersonaErase, Permission.PersonaKeysSet],
  [Role.Authority]: [...EVERYONE, Permission.EmergencyReview, Permission.ConsortiumDecide, Permission.AccessLogAudit],
};

/**
 * What a patient's pseudonym may do. Not the patient role's list: that role is the persona face
 * (identity matters); records, consents and audit are granted here, to the pseudonym face.
 */
export const PSEUDONYM_PERMISSIONS: readonly Permission[] = [
  Permission.SessionRead, Permission.RecordRead, Permission.RecordErase, Permission.ConsentWrite, Permission.ConsentRead, Permission.AccessLogRead, Permission.EmergencyRead,
  Permission.ConsentRequestRead,
];

/** Whether `principal` holds `permission`: accounts by their role, pseudonyms by their own list. */
export function principalHas(principal: Principal, permission: Permission): boolean {
  const granted = principal.kind === 'account' ? ROLE_PERMISSIONS[principal.role] : PSEUDONYM_PERMISSIONS;
  return granted.includes(permission);
}
