// What the bench does to the gateway as patients grant and revoke consents and doctors read
// under them (issue 14): every grant and revocation a message the patient's software signed,
// relayed (simulated, then the outbox, one transaction each); every read checked by the chain's
// mayRead, proven, and logged on chain through the outbox before it is answered.
import { randomBytes } from 'node:crypto';
import { signConsentLink } from '../../gateway/src/chain/consent-link';
import { makeFilingToken } from '../../gateway/src/chain/filing-token';
import { ConsentTerms, NO_RECORDS_ROOT, signRegistration, signRelationshipGrant, signRevocation } from '../../gateway/src/chain/patient-messages';
import { coarseDeadline, coarseExpiry, deriveRelationship, LedgerScope, Relationship } from '../../gateway/src/chain/relationships';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { admittedHospital, devConsortium, registeredPractitioner } from '../../test/support/consortium-members';
import { pseudonymSignIn } from '../../test/support/patient-registry';
import type { Scenario } from './scenarios';
import type { Target } from './target';

const now = () => Math.floor(Date.now() / 1000);
const TERMS = (): ConsentTerms => ({ categories: 0x7f, purposes: 1, fromDate: 0, toDate: 2 ** 40 - 1, expiry: coarseExpiry(now() + 30 * 86_400), recordsRoot: NO_RECORDS_ROOT });
/** A registration or revocation as the SDK sends it: the route says what it is. */
const body = <T extends { type: string }>(message: T): Omit<T, 'type'> => {
  const { type: _type, ...rest } = message;
  return rest;
};

/** A grant opening a relationship with `grantee`, and its link to the records filed under `records`, as the SDK sends them. */
function grantWithLink(relationship: Relationship, scope: LedgerScope, grantee: string, records: string) {
  return { ...signRelationshipGrant(relationship, scope, grantee, TERMS(), coarseDeadline(now() + 3600)), link: signConsentLink(relationship, scope, records, grantee) };
}

async function post(target: Target, path: string, payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${target.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
}

async function required(res: Response, what: string): Promise<any> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A doctor admitted on chain (their hospital k-of-n by the embedded gateway's development authorities), with an account, signed in. */
async function doctorOf(target: Target): Promise<{ address: string; auth: Record<string, string> }> {
  if (!target.dataDir || !target.rpcUrl || !target.admin) throw new Error('consent scenarios need the embedded gateway (its authorities, chain and administrator)');
  const consortium = devConsortium(target.dataDir, target.rpcUrl);
  const key = await registeredPractitioner(consortium, await admittedHospital(consortium));
  const admin = { authorization: `Bearer ${(await required(await post(target, '/v1/auth/login', target.admin), 'admin login')).accessToken}` };
  const username = `bench.doctor.${randomBytes(4).toString('hex')}`;
  const password = `pw ${randomBytes(12).toString('base64url')}`;
  await required(await post(target, '/v1/accounts', { role: 'doctor', username, password, aadhaar: madeUpAadhaar(), chainAddress: key.address }, admin), 'doctor account');
  const { accessToken } = await required(await post(target, '/v1/auth/login', { username, password }), 'doctor login');
  return { address: key.address, auth: { authorization: `Bearer ${accessToken}` } };
}

/** A patient of the target's hospital: the relationship registered through the gateway's relay, signed in as its pseudonym. */
async function patientOf(target: Target, scope: LedgerScope): Promise<{ secret: Uint8Array; withHospital: Relationship; auth: Record<string, string> }> {
  const secret = new Uint8Array(randomBytes(32));
  const withHospital = deriveRelationship(secret, scope, target.hospitalAddress!);
  await required(await post(target, '/v1/relationships?wait=applied', body(signRegistration(withHospital, scope, coarseDeadline(now() + 3600)))), 'registration');
  const { authorization } = await pseudonymSignIn(target.baseUrl, withHospital);
  return { secret, withHospital, auth: { authorization } };
}

/** Whether a relayed message is on chain: its "anchor lag" is the time to its block. */
async function isApplied(target: Target, id: string): Promise<boolean> {
  return ((await (await fetch(`${target.baseUrl}/v1/consents/messages/${id}`)).json()) as { status?: string }).status === 'applied';
}

const ledger = async (target: Target): Promise<LedgerScope> => (await (await fetch(`${target.baseUrl}/v1/ledger`)).json()) as LedgerScope;

/** A grant relayed: the patient's signature simulated on chain, the message and its link stored, queued; its time to the chain followed. */
export function grantConsent(): Scenario {
  let scope: LedgerScope;
  let doctor: string;
  let patients: Array<{ withHospital: Relationship; auth: Record<string, string> }> = [];
  return {
    name: 'grant a consent (relayed)',
    anchors: true,
    async prepare(target) {
      scope = await ledger(target);
      doctor = (await doctorOf(target)).address;
      patients = [];
      for (let p = 0; p < 8; p++) patients.push(await patientOf(target, scope));
    },
    async operation(target, index, accepted) {
      // A relationship with the doctor that nobody opened before: RelationshipGrant registers it and grants, in one message.
      const relationship = deriveRelationship(new Uint8Array(randomBytes(32)), scope, doctor);
      const patient = patients[index % patients.length]!;
      const res = await post(target, '/v1/consents', grantWithLink(relationship, scope, doctor, patient.withHospital.handle), patient.auth);
      const json = (await res.json()) as { id?: string };
      if (res.status !== 201 || !json.id) return false;
      accepted(json.id);
      return true;
    },
    isAnchored: isApplied,
  };
}

/** A doctor's read under consent: mayRead on chain, the proven read, the access entry queued for AccessLog. */
export function readUnderConsent(): Scenario {
  let reads: Array<{ recordId: string }> = [];
  let doctor: { address: string; auth: Record<string, string> };
  return {
    name: 'read a FHIR record under consent, logged',
    anchors: false,
    async prepare(target) {
      const scope = await ledger(target);
      doctor = await doctorOf(target);
      reads = [];
      for (let p = 0; p < 4; p++) {
        const patient = await patientOf(target, scope);
        const relationship = deriveRelationship(patient.secret, scope, doctor.address);
        await required(await post(target, '/v1/consents?wait=applied', grantWithLink(relationship, scope, doctor.address, patient.withHospital.handle), patient.auth), 'grant');
        const token = makeFilingToken(patient.withHospital, scope, target.hospitalAddress!, now() + 3600);
        for (let r = 0; r < 5; r++) {
          const observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, effectiveDateTime: '2026-11-30', valueQuantity: { value: 60 + r, unit: '/min' } };
          const filed = await fetch(`${target.baseUrl}/v1/records?category=OPConsultation&wait=anchored`, {
            method: 'POST', headers: { ...target.auth, 'content-type': 'application/fhir+json', 'x-filing-token': token }, body: JSON.stringify(observation),
          });
          reads.push({ recordId: ((await required(filed, 'filing')) as { recordId: string }).recordId });
        }
      }
    },
    async operation(target, index) {
      const res = await fetch(`${target.baseUrl}/v1/access/records/${reads[index % reads.length]!.recordId}?purpose=CAREMGT`, { headers: doctor.auth });
      const json = (await res.json()) as { resource?: { resourceType?: string } };
      return res.status === 200 && json.resource?.resourceType === 'Observation';
    },
  };
}

/** A revocation relayed (each operation revokes a consent granted in preparation); its time to the chain followed. */
export function revokeConsent(perRun: number): Scenario {
  let scope: LedgerScope;
  let doctor: string;
  let granted: Array<{ relationship: Relationship; auth: Record<string, string> }> = [];
  let next = 0;
  return {
    name: 'revoke a consent (relayed)',
    anchors: true,
    async prepare(target) {
      scope = await ledger(target);
      doctor = (await doctorOf(target)).address;
      const patients = [];
      for (let p = 0; p < 8; p++) patients.push(await patientOf(target, scope));
      granted = [];
      next = 0;
      // Every run at every client count revokes its own consents: grant them all now, wait for the last.
      let last = '';
      for (let g = 0; g < perRun; g++) {
        const relationship = deriveRelationship(new Uint8Array(randomBytes(32)), scope, doctor);
        const patient = patients[g % patients.length]!;
        last = (await required(await post(target, '/v1/consents', grantWithLink(relationship, scope, doctor, patient.withHospital.handle), patient.auth), 'grant')).id;
        granted.push({ relationship, auth: patient.auth });
      }
      for (;;) {
        const { status } = (await (await fetch(`${target.baseUrl}/v1/consents/messages/${last}`)).json()) as { status: string };
        if (status === 'applied') break;
        if (status === 'failed') throw new Error('preparing revocations: a grant failed');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    async operation(target, _index, accepted) {
      const { relationship, auth } = granted[next++ % granted.length]!;
      const res = await post(target, '/v1/consents/revocations', body(signRevocation(relationship, scope, doctor, 1, coarseDeadline(now() + 3600))), auth);
      const json = (await res.json()) as { id?: string };
      if (res.status !== 201 || !json.id) return false;
      accepted(json.id);
      return true;
    },
    isAnchored: isApplied,
  };
}
