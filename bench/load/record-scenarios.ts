// FHIR records (issue 13), as a hospital system files them and a patient reads them: a
// Synthea-like bundle of one visit (eight resources, ~6 KB) filed with the patient's filing
// token; the patient's proven read (anchor proof against the root on chain, decryption, digest).
import { makeFilingToken } from '../../gateway/src/chain/filing-token';
import { generatedBundle } from '../../test/factories/fhir-bundle.factory';
import { newRelationship, pseudonymSignIn, registerRelationship } from '../../test/support/patient-registry';
import type { Scenario } from './scenarios';
import type { Target } from './target';

/** Patients whose tokens the filings rotate through, and bundles made before the run (so the load generator's CPU goes to requests). */
const PATIENTS = 32;
const BUNDLES = 200;

async function ledger(target: Target): Promise<{ chainId: number; consentManager: string }> {
  return (await (await fetch(`${target.baseUrl}/v1/ledger`)).json()) as { chainId: number; consentManager: string };
}

function needsEmbedded(target: Target): { hospitalAddress: string; rpcUrl: string } {
  if (!target.hospitalAddress || !target.rpcUrl) throw new Error('record scenarios need the embedded gateway: its hospital address and chain');
  return { hospitalAddress: target.hospitalAddress, rpcUrl: target.rpcUrl };
}

async function file(target: Target, token: string, body: string, query = ''): Promise<Response> {
  return fetch(`${target.baseUrl}/v1/records?category=DiagnosticReport${query}`, { method: 'POST', headers: { ...target.auth, 'content-type': 'application/fhir+json', 'x-filing-token': token }, body });
}

/** Filing a FHIR bundle: validation, de-identification, digest, encryption, IPFS, row and outbox; the anchor lag followed. */
export function fileRecord(): Scenario {
  let tokens: string[] = [];
  let bundles: string[] = [];
  return {
    name: 'file a FHIR bundle',
    anchors: true,
    async prepare(target) {
      const { hospitalAddress } = needsEmbedded(target);
      const scope = await ledger(target);
      const expiresAt = Math.floor(Date.now() / 1000) + 3600;
      tokens = Array.from({ length: PATIENTS }, () => makeFilingToken(newRelationship(), scope, hospitalAddress, expiresAt));
      bundles = Array.from({ length: BUNDLES }, () => JSON.stringify(generatedBundle().bundle));
    },
    async operation(target, index, accepted) {
      const res = await file(target, tokens[index % tokens.length]!, bundles[index % bundles.length]!);
      const json = (await res.json()) as { recordId?: string };
      if (res.status !== 201 || !json.recordId) return false;
      accepted(json.recordId);
      return true;
    },
    async isAnchored(target, id) {
      const res = await fetch(`${target.baseUrl}/v1/records/${id}`, { headers: target.auth });
      return ((await res.json()) as { anchor?: { status?: string } }).anchor?.status === 'anchored';
    },
  };
}

/** A patient's proven read of a filed bundle: one eth_call (cached per batch), IPFS, AES-GCM, SHA-512. */
export function readRecord(): Scenario {
  let reads: Array<{ recordId: string; auth: Record<string, string> }> = [];
  return {
    name: 'read a FHIR bundle, proven',
    anchors: false,
    async prepare(target) {
      const { hospitalAddress, rpcUrl } = needsEmbedded(target);
      const scope = await ledger(target);
      reads = [];
      for (let p = 0; p < 4; p++) {
        const relationship = newRelationship();
        await registerRelationship({ rpcUrl, ...scope }, { key: relationship.privateKey, address: relationship.signer }, relationship.salt);
        const auth = await pseudonymSignIn(target.baseUrl, relationship);
        const token = makeFilingToken(relationship, scope, hospitalAddress, Math.floor(Date.now() / 1000) + 3600);
        for (let r = 0; r < 5; r++) {
          const res = await file(target, token, JSON.stringify(generatedBundle().bundle), '&wait=anchored');
          if (res.status !== 201) throw new Error(`preparing reads: filing answered ${res.status} ${await res.text()}`);
          reads.push({ recordId: ((await res.json()) as { recordId: string }).recordId, auth });
        }
      }
    },
    async operation(target, index) {
      const { recordId, auth } = reads[index % reads.length]!;
      const res = await fetch(`${target.baseUrl}/v1/records/${recordId}/content`, { headers: auth });
      const json = (await res.json()) as { resource?: { resourceType?: string } };
      return res.status === 200 && json.resource?.resourceType === 'Bundle';
    },
  };
}
