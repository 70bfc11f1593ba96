import { signTypedData, TypedData } from '../src/chain/eip712';
import type { ConsentApprovalMessage, ConsentDenialMessage, ConsentRevocationMessage, ConsentTerms, GrantMessage, GuardianSetMessage, RecoveryStartMessage, RecoveryVetoMessage, RegistrationMessage } from '../src/chain/patient-messages';
import type { Relationship } from '../src/chain/relationships';
import { AadhaarKey, encryptAadhaar } from './patient-keys';

/**
 * The few gateway calls a patient's software makes, over `fetch` (browsers and Node 18+): no
 * server code, no Nest, so the patient portal can use it as it is.
 */

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'GatewayError';
  }
}

export interface CodeSent {
  id: string;
  expiresAt: string;
  sentTo?: string;
}

export interface PersonaToken {
  personaId: string;
  accessToken: string;
  expiresIn: number;
}

export interface RegistrationDetails {
  aadhaar: string;
  name: string;
  yearOfBirth: number;
  gender: 'F' | 'M' | 'T';
  birthDate?: string;
  email?: string;
  address?: string;
}

/** A consent as the gateway reads it from the chain. */
export interface ConsentView {
  relationship: string;
  grantee: string;
  status: 'active' | 'expired' | 'revoked' | 'none';
  terms: { categories: number; purposes: number; fromDate: number; toDate: number; expiry: number; recordsRoot: string };
  nonce: number;
  consentId: string | null;
}

/** A record as filed (RecordResponseDto): its id, version, and where its anchor stands. */
export interface FiledRecord {
  recordId: string;
  version: number;
  category: string;
  clinicalDate: string;
  contentType: string;
  anchor: { status: string };
}

/** A message the gateway relays, and where it stands. */
export interface RelayedMessage {
  id: string;
  type: string;
  status: 'pending' | 'applied' | 'failed';
  txHash: string | null;
  block: number | null;
  error: string | null;
}

/** A doctor's request for consent, as the patient (signed in as their relationship with the doctor) sees it. */
export interface ConsentRequestView {
  id: string;
  doctor: string;
  doctorName: string;
  requestId: number | null;
  patient: string;
  terms: Omit<ConsentTerms, 'recordsRoot'>;
  status: string;
  state: string;
  createdAt: string;
}

/** A handle's guardians as the chain holds them (GET /v1/guardians). */
export interface GuardiansView {
  handle: string;
  nonce: number;
  inForce: { guardians: string[]; threshold: number };
  proposed: { guardians: string[]; threshold: number; effectiveAt: string } | null;
  /** A recovery the guardians started, waiting for its delay: the patient who did not ask for it vetoes it (`vetoRecovery`). */
  recovery: WaitingRecovery | null;
}

/** A recovery the guardians started, waiting for its delay. */
export interface WaitingRecovery { newSigner: string; recovery: number; startedAt: string; executableAt: string; vetoable: boolean }

/** What a handle's guardians need to sign a recovery, and the one waiting (GET /v1/recoveries/{handle}). */
export interface RecoveryState {
  handle: string;
  /** The nonce the next recovery is signed at. */
  nonce: number;
  guardians: string[];
  threshold: number;
  recovery: WaitingRecovery | null;
}

export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** The same client, calling as the persona `token` names. */
  as(token: string): GatewayClient {
    return new GatewayClient(this.baseUrl, token);
  }

  /** Starts registering; the Aadhaar number leaves encrypted to the gateway (`encryptAadhaar`). */
  async startRegistration(details: RegistrationDetails): Promise<CodeSent> {
    return this.call('POST', '/v1/patients/registrations', { ...details, aadhaar: encryptAadhaar(await this.aadhaarKey(), details.aadhaar) });
  }

  confirmRegistration(id: string, code: string): Promise<PersonaToken> {
    return this.call('POST', `/v1/patients/registrations/${encodeURIComponent(id)}/confirm`, { code });
  }

  async sendSignInCode(aadhaar: string): Promise<CodeSent> {
    return this.call('POST', '/v1/auth/persona/codes', { aadhaar: encryptAadhaar(await this.aadhaarKey(), aadhaar) });
  }

  /** The key Aadhaar numbers are encrypted to on their way to the gateway. */
  aadhaarKey(): Promise<AadhaarKey> {
    return this.call('GET', '/v1/identity/aadhaar-key');
  }

  signIn(id: string, code: string): Promise<PersonaToken> {
    return this.call('POST', '/v1/auth/persona/token', { id, code });
  }

  /** Hands the gateway the persona's public key and the pseudonym encrypted to it (nothing else). */
  setPersonaKeys(publicKey: string, encryptedPseudonym: string): Promise<void> {
    return this.call('PUT', '/v1/persona/keys', { publicKey, encryptedPseudonym });
  }

  /** The pseudonym as the gateway keeps it: encrypted to the persona key. */
  encryptedPseudonym(): Promise<{ encryptedPseudonym: string }> {
    return this.call('GET', '/v1/persona/pseudonym');
  }

  /** Signs in as the relationship's pseudonym (a challenge signed with its consent key, here); the client calling as it. */
  async asPseudonym(relationship: Relationship): Promise<GatewayClient> {
    const challenge = await this.call<{ challenge: string; expiresAt: number; typedData: TypedData }>('POST', '/v1/auth/pseudonym/challenge', { handle: relationship.handle });
    const signature = signTypedData(relationship.privateKey, challenge.typedData);
    const { accessToken } = await this.call<{ accessToken: string }>('POST', '/v1/auth/pseudonym/token', { handle: relationship.handle, challenge: challenge.challenge, expiresAt: challenge.expiresAt, signature });
    return this.as(accessToken);
  }

  /** Relays a relationship's registration (no sign-in: the signature is the authority); `wait` until mined. */
  registerRelationship(message: RegistrationMessage, wait = false): Promise<RelayedMessage> {
    const { type: _type, ...body } = message;
    return this.call('POST', `/v1/relationships${wait ? '?wait=applied' : ''}`, body);
  }

  /**
   * As the pseudonym whose records it shares: relays a grant with its link (`signConsentLink` for
   * this pseudonym's handle) and, for a records root, the record ids and salt it was built from.
   */
  grant(message: GrantMessage, link: string, options: { records?: { recordIds: string[]; recordsSalt: string }; wait?: boolean } = {}): Promise<RelayedMessage> {
    return this.call('POST', `/v1/consents${options.wait ? '?wait=applied' : ''}`, { ...message, link, ...options.records });
  }

  revoke(message: ConsentRevocationMessage, wait = false): Promise<RelayedMessage> {
    const { type: _type, ...body } = message;
    return this.call('POST', `/v1/consents/revocations${wait ? '?wait=applied' : ''}`, body);
  }

  /** As the relationship with a doctor: the requests that doctor signed. */
  consentRequests(): Promise<ConsentRequestView[]> {
    return this.call('GET', '/v1/consent-requests');
  }

  /** As the pseudonym whose records it shares: approves request `id` (the approval names its number, patient and doctor); waits until applied. */
  approveRequest(id: string, approval: ConsentApprovalMessage, link: string): Promise<RelayedMessage> {
    const { type: _type, requestId: _number, patient: _patient, doctor: _doctor, ...body } = approval;
    return this.call('POST', `/v1/consent-requests/${encodeURIComponent(id)}/approval?wait=applied`, { ...body, link });
  }

  denyRequest(id: string, denial: ConsentDenialMessage): Promise<RelayedMessage> {
    const { nonce, deadline, signature } = denial;
    return this.call('POST', `/v1/consent-requests/${encodeURIComponent(id)}/denial?wait=applied`, { nonce, deadline, signature });
  }

  /** As a pseudonym: its guardians, and the nonce to sign a new set at. */
  guardians(): Promise<GuardiansView> {
    return this.call('GET', '/v1/guardians');
  }

  /** As the pseudonym the set guards: relays it and waits until applied. */
  setGuardians(message: GuardianSetMessage): Promise<RelayedMessage> {
    const { type: _type, ...body } = message;
    return this.call('POST', '/v1/guardians?wait=applied', body);
  }

  /** As the pseudonym whose recovery it vetoes: relays the veto and waits until applied. */
  vetoRecovery(message: RecoveryVetoMessage): Promise<RelayedMessage> {
    const { type: _type, ...body } = message;
    return this.call('POST', '/v1/guardians/recovery/veto?wait=applied', body);
  }

  /** Anyone: a handle's guardians, the nonce to sign a recovery at, and the recovery waiting. */
  recoveryOf(handle: string): Promise<RecoveryState> {
    return this.call('GET', `/v1/recoveries/${encodeURIComponent(handle)}`);
  }

  /** Anyone holding the guardians' signatures (the patient's new device): starts the recovery and waits until applied. */
  startRecovery(message: RecoveryStartMessage): Promise<RelayedMessage> {
    const { type: _type, ...body } = message;
    return this.call('POST', '/v1/recoveries?wait=applied', body);
  }

  /** Anyone, once the delay is over: completes the recovery waiting on `handle` and waits until applied. */
  completeRecovery(handle: string): Promise<RelayedMessage> {
    return this.call('POST', '/v1/recoveries/completion?wait=applied', { handle });
  }

  relayed(id: string): Promise<RelayedMessage> {
    return this.call('GET', `/v1/consents/messages/${encodeURIComponent(id)}`);
  }

  /** As a pseudonym: the consents covering its records, as the chain says them now. */
  consents(): Promise<ConsentView[]> {
    return this.call('GET', '/v1/consents');
  }

  /** As a pseudonym: who read its records, newest first. */
  accessLog(): Promise<Array<{ recordId: string; reader: string; readerName: string; purpose: string; accessedAt: string; status: string; txHash: string | null }>> {
    return this.call('GET', '/v1/access-log');
  }

  /** The chain id and ConsentManager every handle, key and filing token is bound to. */
  ledger(): Promise<{ chainId: number; consentManager: string }> {
    return this.call('GET', '/v1/ledger');
  }

  /**
   * As a doctor or a hospital's staff, signed in: files a record for the patient whose filing
   * token this is (POST /v1/records). `content` is a FHIR resource or Bundle (JSON text), or a
   * file's bytes (PDF, image, DICOM: the gateway types it by its bytes). The same
   * `idempotencyKey` on a retry files nothing twice.
   */
  fileRecord(filing: { filingToken: string; category: string; clinicalDate?: string; content: string | Blob; fhir: boolean; idempotencyKey: string }): Promise<FiledRecord> {
    const query = new URLSearchParams({ category: filing.category, ...(filing.clinicalDate ? { clinicalDate: filing.clinicalDate } : {}) });
    return this.request('POST', `/v1/records?${query}`, filing.content, {
      'content-type': filing.fhir ? 'application/fhir+json' : 'application/octet-stream', 'x-filing-token': filing.filingToken, 'idempotency-key': filing.idempotencyKey,
    });
  }

  /** Any other route, as this client's token: the answer's JSON, or a GatewayError. */
  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return body === undefined ? this.request(method, path) : this.request(method, path, JSON.stringify(body), { 'content-type': 'application/json' });
  }

  private async request<T>(method: string, path: string, body?: string | Blob, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) throw new GatewayError(response.status, String(parsed.code ?? 'HTTP_ERROR'), String(parsed.message ?? response.statusText));
    return parsed as T;
  }
}
