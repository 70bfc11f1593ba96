import { randomBytes } from 'node:crypto';
import { Role } from '../../gateway/src/auth/permissions';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { makeFilingToken } from '../../gateway/src/chain/filing-token';
import { patientHandle } from '../../gateway/src/chain/patient-handle';
import { Relationship } from '../../gateway/src/chain/relationships';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { Key, newKey } from '../contracts/support/accounts';
import { randomBytes32 } from '../contracts/support/chain';
import { admittedHospital, consortiumOf } from '../support/consortium-members';
import { eventually } from '../support/eventually';
import { TestApp } from '../support/test-app';
import { PseudonymFactory } from './pseudonym.factory';

let sequence = 0;

/** A hospital system that can file records: its API key and its consortium address. */
export interface FilingHospital {
  id: string;
  address: string;
  auth: { 'X-API-Key': string };
}

/** A patient's relationship with one hospital, as their software holds it, and its signed-in pseudonym. */
export interface FilingPatient {
  relationship: Relationship;
  key: Key;
  auth: { Authorization: string };
}

export const RecordFactory = {
  /**
   * A hospital system account with a consortium address and an API key. Without `address`, a
   * fresh one the authorities admit on chain first (only an admitted hospital files).
   */
  async hospital(gw: TestApp, adminToken: string, address?: string): Promise<FilingHospital> {
    address ??= (await admittedHospital(await consortiumOf(gw))).address;
    const created = await gw.http
      .post('/v1/accounts')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ role: Role.Hospital, username: `hospital.records.${++sequence}.${process.pid}`, aadhaar: madeUpAadhaar(), chainAddress: address })
      .expect(201);
    const key = await gw.http.post(`/v1/accounts/${created.body.id}/api-keys`).set('Authorization', `Bearer ${adminToken}`).send({ label: 'HIS' }).expect(201);
    return { id: created.body.id, address, auth: { 'X-API-Key': key.body.key } };
  },

  /** A doctor who works at `hospital`, signed in. */
  async doctor(gw: TestApp, adminToken: string, hospital: FilingHospital): Promise<{ id: string; auth: { Authorization: string } }> {
    const username = `doctor.records.${++sequence}.${process.pid}`;
    const password = `pw ${randomBytes(12).toString('base64url')}`;
    const created = await gw.http
      .post('/v1/accounts')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ role: Role.Doctor, username, password, aadhaar: madeUpAadhaar(), hospitalId: hospital.id })
      .expect(201);
    const login = await gw.http.post('/v1/auth/login').send({ username, password }).expect(200);
    return { id: created.body.id, auth: { Authorization: `Bearer ${login.body.accessToken}` } };
  },

  /** A relationship registered on chain (as patient software registers it), signed in as its pseudonym. */
  async patient(gw: TestApp): Promise<FilingPatient> {
    const key = newKey();
    const salt = randomBytes32();
    await PseudonymFactory.registeredAs(gw, key, salt);
    const relationship = { handle: patientHandle(key.address, salt), signer: key.address, privateKey: key.key, salt };
    const { auth } = await PseudonymFactory.signedIn(gw, { handle: relationship.handle, key });
    return { relationship, key, auth };
  },

  /** The filing token the patient's software gives `hospital`, valid for `seconds`. */
  filingToken(gw: TestApp, patient: { relationship: Relationship }, hospital: string, seconds = 3600): string {
    const scope = { chainId: gw.app.get(ChainRuntime).chainId, consentManager: gw.app.get(ConsentManager).address };
    return makeFilingToken(patient.relationship, scope, hospital, Math.floor(Date.now() / 1000) + seconds);
  },

  /** A small FHIR Observation whose note says `text` (plain words, which de-identification keeps), as hospitals file them. */
  observation(text: string): Record<string, unknown> {
    return { resourceType: 'Observation', status: 'final', code: { text: 'Clinical note' }, effectiveDateTime: '2026-11-30', valueString: 'see note', note: [{ text }] };
  },

  /** Files `observation(text)` for `patient` at `hospital` (waiting for the anchor unless `wait` is false); the answer's body. */
  async file(gw: TestApp, hospital: FilingHospital, patient: { relationship: Relationship }, text: string, { wait = true } = {}): Promise<Record<string, any>> {
    const res = await gw.http
      .post(`/v1/records?category=OPConsultation${wait ? '&wait=anchored' : ''}`)
      .set(hospital.auth)
      .set('X-Filing-Token', RecordFactory.filingToken(gw, patient, hospital.address))
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(RecordFactory.observation(text)))
      .expect(201);
    return res.body;
  },

  /** The note of a record's content as the patient reads it, proven (status 200), or the error answer. */
  async note(gw: TestApp, patient: Pick<FilingPatient, 'auth'>, recordId: string): Promise<{ status: number; note?: string; code?: string }> {
    const res = await gw.http.get(`/v1/records/${recordId}/content`).set(patient.auth);
    return res.status === 200 ? { status: 200, note: res.body.resource.note[0].text } : { status: res.status, code: res.body.code };
  },

  /** The record's metadata once its version is anchored, as `auth` sees it. */
  async anchored(gw: TestApp, auth: Record<string, string>, recordId: string): Promise<Record<string, any>> {
    return eventually(async () => {
      const res = await gw.http.get(`/v1/records/${recordId}`).set(auth).expect(200);
      if (res.body.anchor.status !== 'anchored') throw new Error(`Record ${recordId} is ${res.body.anchor.status}`);
      return res.body;
    }, { timeoutMs: 20_000 });
  },
};
