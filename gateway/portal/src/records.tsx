import { useState } from 'preact/hooks';
import { FhirView, resourcesOf } from './fhir';
import { Alert, Status, when } from './ui';

/** A record as the gateway lists it (RecordResponseDto). */
export interface RecordView {
  recordId: string;
  version: number;
  category: string;
  clinicalDate: string;
  contentType: string;
  status: string;
  createdAt: string;
  anchor: { status: string; txHash: string | null; block: number | null };
}

/** The words of a record's category. */
export const CATEGORY_TITLES: Record<string, string> = {
  OPConsultation: 'Consultation', Prescription: 'Prescription', DischargeSummary: 'Discharge summary', DiagnosticReport: 'Test report',
  ImmunizationRecord: 'Vaccination', HealthDocumentRecord: 'Document', WellnessRecord: 'Wellness',
};

/**
 * A table of records, each with a button that reads it (`read` fetches the FHIR content; a file
 * is offered as it is) and shows it rendered below; `versions`, when given, lists earlier ones.
 */
export function RecordTable({ records, read, versions, caption }: {
  records: RecordView[];
  caption: string;
  read(record: RecordView): Promise<unknown>;
  versions?(record: RecordView): Promise<RecordView[]>;
}) {
  const [open, setOpen] = useState<{ id: string; content?: unknown; history?: RecordView[]; error?: unknown } | null>(null);
  const show = async (record: RecordView, history: boolean) => {
    setOpen({ id: record.recordId });
    try {
      setOpen(history ? { id: record.recordId, history: await versions!(record) } : { id: record.recordId, content: await read(record) });
    } catch (error) {
      setOpen({ id: record.recordId, error });
    }
  };
  return (
    <>
      <div class="table-wrap">
        <table>
          <caption>{caption}</caption>
          <thead><tr><th scope="col">Date of care</th><th scope="col">Kind</th><th scope="col">On chain</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {records.map((record) => (
              <tr>
                <td>{record.clinicalDate}</td>
                <td>{CATEGORY_TITLES[record.category] ?? record.category}{record.version > 1 ? ` (version ${record.version})` : ''}</td>
                <td><Status value={record.anchor.status} /></td>
                <td class="row">
                  <button type="button" class="secondary" aria-label={`Read the ${CATEGORY_TITLES[record.category] ?? record.category} of ${record.clinicalDate}`} onClick={() => show(record, false)}>Read</button>
                  {versions && record.version > 1 && <button type="button" class="secondary" onClick={() => show(record, true)}>Versions</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && (
        <section class="card" aria-live="polite" aria-label="The record you opened">
          <Alert error={open.error} />
          {open.content === undefined && open.history === undefined && !open.error && <p role="status">Reading and checking it against the chain…</p>}
          {open.content !== undefined && <FhirView resources={resourcesOf(open.content)} />}
          {open.history && (
            <ol>{open.history.map((v) => <li>Version {v.version}, filed {when(v.createdAt)}, <Status value={v.status} />, anchored in block {v.anchor.block ?? '—'}</li>)}</ol>
          )}
        </section>
      )}
    </>
  );
}
