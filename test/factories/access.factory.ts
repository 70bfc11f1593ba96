import { randomBytes } from 'node:crypto';
import { Role } from '../../gateway/src/auth/permissions';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { signConsentLink } from '../../gateway/src/chain/consent-link';
import { ConsentTerms, NO_RECORDS_ROOT, signRegistration, signRelationshipGrant, signRevocation } from '../../gateway/src/chain/patient-messages';
import { coarseDeadline, coarseExpiry, deriveRelationship, LedgerScope, Relationship } from '../../gateway/src/chain/relationships';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { Key } from '../contracts/support/accounts';
import { admittedHospital, consortiumOf, PractitionerRole, registeredPractitioner } from '../support/consortium-members';
import { TestApp } from '../support/test-app';
import { PseudonymFactory } from './pseudonym.factory';
import { FilingHospital, RecordFactory } from './record.factory';

let sequence = 0;
const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A hospital admitted on chain, with its account (consortium address, API key) and its key. */
export type AdmittedHospital = FilingHospital & { key: Key };

/** A doctor or pharmacist registered on chain by their hospital, with an account at the gateway, signed in. */
export interface Practitioner {
  id: string;
  username: string;
  password: string;
  key: Key;
  address: string;
  auth: { Authorization: string };
}

/** A patient as their software holds them: the secret every relationship derives from, and the relationship records are filed under (signed in). */
export interface AccessPatient {
  secret: Uint8Array;
  scope: LedgerScope;
  /** The relationship with the filing hospital: its handle is the one records are filed under. */
  relationship: Relationship;
  auth: { Authorization: string };
}

export const AccessFactory = {
  /** The gateway's consortium as its authorities reach it (consortiumOf). */
  consortium: consortiumOf,

  /** A hospital admitted by k of n authorities on chain, then given its account and API key. */
  async hospital(gw: TestApp, adminToken: string): Promise<AdmittedHospital> {
    const key = await admittedHospital(await AccessFactory.consortium(gw));
    return { ...(await RecordFactory.hospital(gw, adminToken, key.address)), key };
  },

  /** A practitioner the hospital registers on chain, with an account naming that address and the hospital, signed in. */
  async practitioner(gw: TestApp, adminToken: string, hospital: AdmittedHospital, role: Role.Doctor | Role.Pharmacist = Role.Doctor): Promise<Practitioner> {
    const key = await registeredPractitioner(await AccessFactory.consortium(gw), hospital.key, role === Role.Doctor ? PractitionerRole.Doctor : PractitionerRole.Pharmacist);
    const username = `${role}.access.${++sequence}.${process.pid}`;
    const password = `pw ${randomBytes(12).toString('base64url')}`;
    const created = await gw.http
      .post('/v1/accounts')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ role, username, password, aadhaar: madeUpAadhaar(), hospitalId: hospital.id, chainAddress: key.address })
      .expect(201);
    const login = await gw.http.post('/v1/auth/login').send({ username, password }).expect(200);
    return { id: created.body.id, username, password, key, address: key.address, auth: { Authorization: `Bearer ${login.body.accessToken}` } };
  },

  scope(gw: TestApp): LedgerScope {
    return { chainId: gw.app.get(ChainRuntime).chainId, consentManager: gw.app.get(ConsentManager).address };
  },

  /**
   * A patient whose software opened a relationship with `hospital` (registered through the
   * gateway's relay) and signed in as it; given `secret`, the same patient at another hospital.
   */
  async patient(gw: TestApp, hospital: { address: string }, secret: Uint8Array = new Uint8Array(randomBytes(32))): Promise<AccessPatient> {
    const scope = AccessFactory.scope(gw);
    const relationship = deriveRelationship(secret, scope, hospital.address);
    await gw.http.post('/v1/relationships?wait=applied').send(AccessFactory.body(signRegistration(relationship, scope, AccessFactory.deadline()))).expect(201);
    const { auth } = await PseudonymFactory.signedIn(gw, { handle: relationship.handle, key: { key: relationship.privateKey, address: relationship.signer } });
    return { secret, scope, relationship, auth };
  },

  /** A message as the SDK's GatewayClient sends it: without its type where the route says what it is. */
  body(message: { type: string }): Record<string, unknown> {
    const { type: _type, ...body } = message;
    return message.type === 'RelationshipGrant' || message.type === 'ConsentGrant' ? { ...message } : body;
  },

  deadline: (): number => coarseDeadline(nowSeconds() + 3600),

  /** Every category, for care management, records of any day, for 30 days (to the end of a UTC day): with `overrides`. */
  terms(overrides: Partial<ConsentTerms> = {}): ConsentTerms {
    return { categories: 0x7f, purposes: 1, fromDate: 0, toDate: 2 ** 40 - 1, expiry: coarseExpiry(nowSeconds() + 30 * DAY), recordsRoot: NO_RECORDS_ROOT, ...overrides };
  },

  /** The patient's relationship with `grantee`, derived as their software derives it. */
  relationshipWith(patient: AccessPatient, grantee: string): Relationship {
    return deriveRelationship(patient.secret, patient.scope, grantee);
  },

  /** The patient opens a relationship with `grantee` and grants `terms`, signed in as their records' pseudonym; the answer. */
  grant(gw: TestApp, patient: AccessPatient, grantee: string, terms: ConsentTerms = AccessFactory.terms(), records?: { recordIds: string[]; recordsSalt: string }) {
    const relationship = AccessFactory.relationshipWith(patient, grantee);
    const message = signRelationshipGrant(relationship, patient.scope, grantee, terms, AccessFactory.deadline());
    return gw.http.post('/v1/consents?wait=applied').set(patient.auth).send({ ...message, link: AccessFactory.link(patient, grantee), ...records });
  },

  /** The link that says a consent to `grantee` covers the records filed under the patient's pseudonym (signed with the grantee relationship's key). */
  link(patient: AccessPatient, grantee: string): string {
    return signConsentLink(AccessFactory.relationshipWith(patient, grantee), patient.scope, patient.relationship.handle, grantee);
  },

  /** The patient revokes `grantee`'s consent at the pair's current nonce; the answer. */
  async revoke(gw: TestApp, patient: AccessPatient, grantee: string) {
    const relationship = AccessFactory.relationshipWith(patient, grantee);
    const { nonce } = await gw.app.get(ConsentManager).consentOf(relationship.handle, grantee);
    const message = signRevocation(relationship, patient.scope, grantee, Number(nonce), AccessFactory.deadline());
    return gw.http.post('/v1/consents/revocations?wait=applied').set(patient.auth).send(AccessFactory.body(message));
  },

  /** A read under consent by `reader`, stating `purpose`. */
  read(gw: TestApp, reader: { auth: Record<string, string> }, recordId: string, purpose = 'CAREMGT') {
    return gw.http.get(`/v1/access/records/${recordId}?purpose=${purpose}`).set(reader.auth);
  },
};
