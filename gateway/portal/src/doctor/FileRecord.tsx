import { useState } from 'preact/hooks';
import type { FiledRecord } from '../../../sdk/gateway-client';
import { CATEGORY_TITLES } from '../records';
import type { StaffSession } from '../staff';
import { ActionForm, Field, Status } from '../ui';

const today = (): string => new Date().toISOString().slice(0, 10);
/** A FHIR resource or Bundle, sent as JSON; any other file goes as its bytes, typed by the gateway. */
const isFhir = (file: File): boolean => /\.json$/i.test(file.name) || /^application\/(fhir\+)?json$/.test(file.type);

/**
 * A doctor files a record for a patient at the desk: the patient shows their filing token for
 * this hospital (their portal, Hospitals and records), the doctor picks the file (a scan, a
 * report, or FHIR JSON from the hospital's system) and the date of care. The gateway
 * encrypts it, anchors it on chain, and the patient sees it; who reads it is the patient's call.
 */
export function FileRecord({ session }: { session: StaffSession }) {
  const [token, setToken] = useState('');
  const [category, setCategory] = useState('HealthDocumentRecord');
  const [clinicalDate, setClinicalDate] = useState(today());
  const [file, setFile] = useState<File | null>(null);
  // One Idempotency-Key per record: pressing the button again after a lost answer files nothing twice.
  const [attempt, setAttempt] = useState(() => crypto.randomUUID());
  const [filed, setFiled] = useState<FiledRecord[]>([]);
  const [form, setForm] = useState(0);
  // The token is cleared after each record, so the next patient's is never filed under this one's.
  const [lastToken, setLastToken] = useState<string | null>(null);
  return (
    <>
      <h2>File a record for a patient</h2>
      <p>The patient shows you their filing token for your hospital. The record is encrypted and anchored on the chain; the patient sees it at once, and decides who may read it.</p>
      <ActionForm submit="File this record" action={async () => {
        if (!file) throw new Error('Choose the file of the record.');
        if (!/^\d{4}-\d{2}-\d{2}$/.test(clinicalDate)) throw new Error('Give the date of care.');
        const fhir = isFhir(file);
        const record = await session.client.fileRecord({ filingToken: token.trim(), category, clinicalDate, content: fhir ? await file.text() : file, fhir, idempotencyKey: attempt });
        setFiled((earlier) => [record, ...earlier]);
        setAttempt(crypto.randomUUID());
        setFile(null);
        setLastToken(token);
        setToken('');
        setForm((n) => n + 1); // a fresh file input: the next record starts empty
      }}>
        <div class="field">
          <label for="filing-token">Patient's filing token</label>
          <span class="hint" id="filing-token-hint">As the patient's portal shows it (ehrft1.…): their pseudonym at your hospital, never their name.</span>
          <textarea id="filing-token" aria-describedby="filing-token-hint" rows={3} spellcheck={false} required value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} />
          {lastToken && !token && <button type="button" class="secondary" onClick={() => setToken(lastToken)}>Another record for the same patient</button>}
        </div>
        <div class="field">
          <label for="record-category">Kind of record</label>
          <select id="record-category" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}>
            {Object.entries(CATEGORY_TITLES).map(([value, title]) => <option value={value}>{title}</option>)}
          </select>
        </div>
        <Field label="Date of care" type="date" value={clinicalDate} onValue={setClinicalDate} required />
        <div class="field" key={form}>
          <label for="record-file">File</label>
          <span class="hint" id="record-file-hint">A PDF, an image (JPEG, PNG, TIFF), a DICOM file, or FHIR JSON. Names in a scan cannot be removed: the record stays encrypted.</span>
          <input id="record-file" type="file" aria-describedby="record-file-hint" accept=".pdf,.jpg,.jpeg,.png,.tif,.tiff,.dcm,.json,application/pdf,image/*,application/dicom,application/json,application/fhir+json"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        </div>
      </ActionForm>
      {filed.length > 0 && (
        <section aria-label="Records you filed">
          <h2>Filed from this page</h2>
          <ul>
            {filed.map((r) => (
              <li>{CATEGORY_TITLES[r.category] ?? r.category} of {r.clinicalDate} ({r.contentType}): record <span class="token">{r.recordId}</span>, anchor <Status value={r.anchor.status} /></li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
