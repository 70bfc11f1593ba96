import { useState } from 'preact/hooks';
import { signTypedData, TypedData } from '../../../src/chain/eip712';
import { Purpose } from '../../../src/chain/typed-messages';
import { consentTerms } from '../../../sdk/consents';
import { FhirView, resourcesOf } from '../fhir';
import { FileRecord } from './FileRecord';
import { RecordTable, RecordView } from '../records';
import { KeyImport, StaffSession, StaffSignIn } from '../staff';
import { ALL_CATEGORIES, describeTerms } from '../terms';
import { ActionForm, Address, Field, Loaded, Notice, Status, Tabs, useLoad, when } from '../ui';

interface GrantedPatient { relationship: string; status: string; terms: { categories: number; purposes: number; fromDate: number; toDate: number; expiry: number }; records: RecordView[] }
interface SignedRequest { id: string; state: string; status: string; requestId: number | null; patient: string; createdAt: string; error: string | null }
interface Emergency extends SignedRequest { reason: string; approvals: number; durationSeconds: number; expiresAt: string | null }

/** The doctor's desk: patients who granted access and what, requests for consent, emergency access. */
export function DoctorApp() {
  const [session, setSession] = useState<StaffSession | null>(null);
  const [key, setKey] = useState<string | null>(null);
  if (!session) return <StaffSignIn title="Doctor sign-in" roles={['doctor', 'pharmacist']} onSignedIn={setSession} />;
  const signer = { key, setKey, expected: session.me.chainAddress };
  return (
    <>
      <div class="row" style="justify-content: space-between">
        <h1>{session.me.username}</h1>
        <button type="button" class="secondary" onClick={() => { setSession(null); setKey(null); }}>Sign out</button>
      </div>
      <Tabs label="Your patients, requests and emergencies" tabs={[
        { id: 'patients', title: 'My patients', panel: () => <Patients session={session} /> },
        { id: 'requests', title: 'Consent requests', panel: () => <Requests session={session} signer={signer} /> },
        { id: 'emergencies', title: 'Emergency access', panel: () => <Emergencies session={session} signer={signer} /> },
        // Pharmacists dispense; doctors file what they saw.
        ...(session.me.role === 'doctor' ? [{ id: 'file', title: 'File a record', panel: () => <FileRecord session={session} /> }] : []),
      ]} />
    </>
  );
}

type Signer = { key: string | null; setKey(key: string): void; expected?: string | null };

/** Reads one record under consent (or, with BTG, an emergency grant); the gateway logs the read on chain before answering. */
const readRecord = async (session: StaffSession, recordId: string, purpose: 'CAREMGT' | 'BTG') =>
  (await session.client.call<{ resource: unknown }>('GET', `/v1/access/records/${recordId}?purpose=${purpose}`)).resource;

function Patients({ session }: { session: StaffSession }) {
  const patients = useLoad(() => session.client.call<GrantedPatient[]>('GET', '/v1/access/patients'), []);
  return (
    <>
      <p>Patients whose consent covers you now, and the records it covers. Every read is logged on the chain, and the patient sees it.</p>
      <Loaded state={patients} empty="No patient has given you consent yet.">
        {(list) => list.map((p) => (
          <section class="card" aria-label={`Patient ${p.relationship.slice(0, 10)}`}>
            <h2>Patient <Address value={p.relationship} /> <Status value={p.status} /></h2>
            <p>{describeTerms(p.terms, 'their').replace(/^May/, 'You may')}</p>
            {p.records.length > 0
              ? <RecordTable records={p.records} caption="Records you may read" read={(record) => readRecord(session, record.recordId, 'CAREMGT')} />
              : <p class="muted">No records under this consent.</p>}
            {p.records.length > 1 && <ReadAll session={session} records={p.records} />}
          </section>
        ))}
      </Loaded>
      <button type="button" class="secondary" onClick={patients.reload}>Refresh patients</button>
      <h2>Read a record by its id</h2>
      <ReadById session={session} />
    </>
  );
}

/** Every record of a patient at once: observations over time in one table and chart. */
function ReadAll({ session, records }: { session: StaffSession; records: RecordView[] }) {
  const [resources, setResources] = useState<unknown[] | null>(null);
  return (
    <>
      <ActionForm submit={`Read all ${records.length} records together`} action={async () => {
        const all = await Promise.all(records.map((r) => readRecord(session, r.recordId, 'CAREMGT')));
        setResources(all.flatMap(resourcesOf));
      }} />
      {resources && <FhirView resources={resources as never} />}
    </>
  );
}

function ReadById({ session }: { session: StaffSession }) {
  const [recordId, setRecordId] = useState('');
  const [purpose, setPurpose] = useState<'CAREMGT' | 'BTG'>('CAREMGT');
  const [content, setContent] = useState<unknown>(undefined);
  return (
    <>
      <ActionForm submit="Read record" action={async () => { setContent(undefined); setContent(await readRecord(session, recordId.trim(), purpose)); }}>
        <Field label="Record id" autoComplete="off" spellcheck={false} value={recordId} onValue={setRecordId} required />
        <fieldset>
          <legend>Purpose</legend>
          <label class="choice"><input type="radio" name="purpose" checked={purpose === 'CAREMGT'} onChange={() => setPurpose('CAREMGT')} />Care (under the patient's consent)</label>
          <label class="choice"><input type="radio" name="purpose" checked={purpose === 'BTG'} onChange={() => setPurpose('BTG')} />Emergency (under an approved emergency request)</label>
        </fieldset>
      </ActionForm>
      {content !== undefined && <section class="card" aria-label="The record you read"><FhirView resources={resourcesOf(content)} /></section>}
    </>
  );
}

/** Drafts a request at the gateway, signs its EIP-712 message with the practitioner key here, and sends the signature. */
async function signAndSend<T>(session: StaffSession, signer: Signer, path: string, body: unknown, field: 'request' | 'emergency'): Promise<T> {
  if (!signer.key) throw new Error('Open your signing key first.');
  const draft = await session.client.call<{ typedData: TypedData; request?: { id: string }; emergency?: { id: string } }>('POST', path, body);
  return session.client.call<T>('POST', `${path}/${draft[field]!.id}/signature?wait=requested`, { signature: signTypedData(signer.key, draft.typedData) });
}

function SigningKey({ signer }: { signer: Signer }) {
  if (signer.key) return <Notice>Your signing key is open on this device for this session.</Notice>;
  return (
    <section class="card">
      <h2>Your signing key</h2>
      <KeyImport expected={signer.expected} onKey={(key) => signer.setKey(key)} />
    </section>
  );
}

function Requests({ session, signer }: { session: StaffSession; signer: Signer }) {
  const [patient, setPatient] = useState('');
  const [days, setDays] = useState('30');
  const requests = useLoad(() => session.client.call<SignedRequest[]>('GET', '/v1/consent-requests'), []);
  return (
    <>
      <SigningKey signer={signer} />
      <h2>Ask a patient for consent</h2>
      <ActionForm submit="Sign and send request" action={async () => {
        const n = Number(days);
        if (!Number.isInteger(n) || n < 1 || n > 3650) throw new Error('Ask for 1 to 3650 days.');
        const { recordsRoot: _root, ...terms } = consentTerms(ALL_CATEGORIES, 1 << Purpose.CAREMGT, n);
        await signAndSend(session, signer, '/v1/consent-requests', { patient: patient.trim(), terms }, 'request');
        requests.reload();
      }}>
        <Field label="Patient code" hint="The code the patient's portal shows for you (0x…, 64 hexadecimal characters)." autoComplete="off" spellcheck={false} value={patient} onValue={setPatient} required />
        <Field label="For how many days" inputMode="numeric" value={days} onValue={setDays} required />
        <p class="muted">You ask for all their records, to treat them; the patient may grant less.</p>
      </ActionForm>
      <h2>Requests you sent</h2>
      <Loaded state={requests} empty="None yet.">
        {(list) => (
          <ul>{list.map((r) => <li>{when(r.createdAt)}: patient <Address value={r.patient} />, <Status value={r.status ?? r.state} />{r.error ? ` (${r.error})` : ''}</li>)}</ul>
        )}
      </Loaded>
    </>
  );
}

function Emergencies({ session, signer }: { session: StaffSession; signer: Signer }) {
  const [patient, setPatient] = useState('');
  const [reason, setReason] = useState('');
  const [hours, setHours] = useState('4');
  const list = useLoad(() => session.client.call<Emergency[]>('GET', '/v1/emergencies'), []);
  return (
    <>
      <SigningKey signer={signer} />
      <h2>Ask for emergency access</h2>
      <p>For a patient who cannot consent. Authorities of the consortium approve it; the patient sees it at once, with your reason.</p>
      <ActionForm submit="Sign and send emergency request" action={async () => {
        await signAndSend(session, signer, '/v1/emergencies', { patient: patient.trim(), reason: reason.trim(), durationSeconds: Math.round(Number(hours) * 3600) }, 'emergency');
        list.reload();
      }}>
        <Field label="Patient's records pseudonym" hint="As on the hospital's records (0x…)." autoComplete="off" spellcheck={false} value={patient} onValue={setPatient} required />
        <div class="field">
          <label for="emergency-reason">Reason</label>
          <span class="hint" id="emergency-reason-hint">What happened and what you need. No names or numbers of the patient.</span>
          <textarea id="emergency-reason" aria-describedby="emergency-reason-hint" rows={3} required value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        </div>
        <Field label="For how many hours" inputMode="numeric" value={hours} onValue={setHours} required />
      </ActionForm>
      <h2>Your emergency requests</h2>
      <Loaded state={list} empty="None.">
        {(items) => (
          <ul>
            {items.map((e) => (
              <li class="card">
                <p>{when(e.createdAt)}: patient <Address value={e.patient} />, “{e.reason}”</p>
                <p>Status: <Status value={e.status} />, {e.approvals} approval{e.approvals === 1 ? '' : 's'}{e.status === 'granted' && e.expiresAt ? `, until ${when(e.expiresAt)}` : ''}</p>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <button type="button" class="secondary" onClick={list.reload}>Refresh</button>
    </>
  );
}
