// What the bench does to the gateway as hospital systems and patients use records (issue 13):
// a hospital files a FHIR bundle (Synthea-like, one visit: eight resources, ~6 KB) or a document
// (a PDF of a size) with the patient's filing token; a patient reads one back, proven (the
// anchor's proof against the root on chain, decryption, the salted digest).
import { randomBytes } from 'node:crypto';
import { makeFilingToken } from '../../gateway/src/chain/filing-token';
import { generatedBundle } from '../../test/factories/fhir-bundle.factory';
import { newRelationship, pseudonymSignIn, registerRelationship } from '../../test/support/patient-registry';
import type { Scenario } from './scenarios';
import type { Target } from './target';

const KB = 1024;
/** Patients whose tokens the filings rotate through, and bodies made before the run (so the load generator's CPU goes to requests). */
const PATIENTS = 32;
const BODIES = 200;

/** What is filed: a FHIR bundle, or a PDF of `bytes`. */
type Kind = { fhir: true } | { pdfBytes: number };

const sizeName = (bytes: number): string => (bytes >= 1024 * KB ? `${bytes / (1024 * KB)} MB` : `${bytes / KB} KB`);
const kindName = (kind: Kind): string => ('fhir' in kind ? 'a FHIR bundle' : `a ${sizeName(kind.pdfBytes)} document`);

/** A body of the kind: a fresh bundle, or a PDF header and random bytes (the gateway types files by their first bytes). */
function body(kind: Kind): Buffer {
  if ('fhir' in kind) return Buffer.from(JSON.stringify(generatedBundle().bundle));
  const head = Buffer.from('%PDF-1.4\n');
  return Buffer.concat([head, randomBytes(Math.max(0, kind.pdfBytes - head.length))]);
}

async function ledger(target: Target): Promise<{ chainId: number; consentManager: string }> {
  return (await (await fetch(`${target.baseUrl}/v1/ledger`)).json()) as { chainId: number; consentManager: string };
}

function hospitalOf(target: Target): string {
  if (!target.hospitalAddress) throw new Error('filing needs the hospital\'s consortium address: the embedded gateway\'s, or BENCH_HOSPITAL_ADDRESS with --target');
  return target.hospitalAddress;
}

function needsEmbedded(target: Target): { hospitalAddress: string; rpcUrl: string } {
  if (!target.rpcUrl) throw new Error('reading records needs the embedded gateway\'s chain (to register the patients\' relationships)');
  return { hospitalAddress: hospitalOf(target), rpcUrl: target.rpcUrl };
}

function file(target: Target, kind: Kind, token: string, bytes: Buffer, wait = false): Promise<Response> {
  const query = `category=DiagnosticReport&clinicalDate=2026-11-30${wait ? '&wait=anchored' : ''}`;
  const contentType = 'fhir' in kind ? 'application/fhir+json' : 'application/pdf';
  return fetch(`${target.baseUrl}/v1/records?${query}`, { method: 'POST', headers: { ...target.auth, 'content-type': contentType, 'x-filing-token': token }, body: bytes });
}

/** Filing: validation and de-identification (FHIR) or typing (a file), digest, encryption, IPFS, row and outbox; the anchor lag followed. */
export function fileRecord(kind: Kind = { fhir: true }): Scenario {
  let tokens: string[] = [];
  let bodies: Buffer[] = [];
  return {
    name: `file ${kindName(kind)}`,
    anchors: true,
    async prepare(target) {
      const hospitalAddress = hospitalOf(target);
      const scope = await ledger(target);
      const expiresAt = Math.floor(Date.now() / 1000) + 3600;
      // Relationships not on chain: a token proves itself by the handle's commitment.
      tokens = Array.from({ length: PATIENTS }, () => makeFilingToken(newRelationship(), scope, hospitalAddress, expiresAt));
      bodies = Array.from({ length: 'fhir' in kind || kind.pdfBytes < 1024 * KB ? BODIES : 20 }, () => body(kind));
    },
    async operation(target, index, accepted) {
      const res = await file(target, kind, tokens[index % tokens.length]!, bodies[index % bodies.length]!);
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

/** A patient's proven read of a filed record: one eth_call (cached per batch), IPFS, AES-GCM, SHA-512. */
export function readRecord(kind: Kind = { fhir: true }): Scenario {
  let reads: Array<{ recordId: string; auth: Record<string, string> }> = [];
  return {
    name: `read ${kindName(kind)}, proven`,
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
          const res = await file(target, kind, token, body(kind), true);
          if (res.status !== 201) throw new Error(`preparing reads: filing answered ${res.status} ${await res.text()}`);
          reads.push({ recordId: ((await res.json()) as { recordId: string }).recordId, auth });
        }
      }
    },
    async operation(target, index) {
      const { recordId, auth } = reads[index % reads.length]!;
      const res = await fetch(`${target.baseUrl}/v1/records/${recordId}/content`, { headers: auth });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200) return false;
      return 'fhir' in kind ? (JSON.parse(bytes.toString('utf8')) as { resource?: { resourceType?: string } }).resource?.resourceType === 'Bundle' : bytes.length === kind.pdfBytes;
    },
  };
}
