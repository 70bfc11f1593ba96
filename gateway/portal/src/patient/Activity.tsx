import type { Counterpart } from '../../../sdk/wallet-format';
import { CATEGORY_TITLES, RecordView } from '../records';
import { PURPOSE_WORDS } from '../terms';
import { Address, Loaded, Status, useLoad, when } from '../ui';
import type { PatientSession } from './session';

interface Entry { recordId: string; reader: string; readerName: string; purpose: keyof typeof PURPOSE_WORDS; kind: 'consent' | 'emergency'; accessedAt: string; status: string; txHash: string | null; block: number | null }
interface Emergency { id: string; doctor: string; doctorName: string; reason: string; status: string; approvals: number; durationSeconds: number; createdAt: string; expiresAt: string | null }
interface Notification { kind: string; at: string; text: string }

/** Who read what and when (a timeline of every release), emergency requests, and the notification feed, for each hospital's records. */
export function Activity({ session }: { session: PatientSession }) {
  if (session.hospitals.length === 0) return <p>Nothing yet: add a hospital first.</p>;
  return <>{session.hospitals.map((hospital) => <HospitalActivity session={session} hospital={hospital} />)}</>;
}

function HospitalActivity({ session, hospital }: { session: PatientSession; hospital: Counterpart }) {
  const as = () => session.as(hospital.address);
  // The reads, each named by its record's kind and date of care (the records list says which is which).
  const reads = useLoad(async () => {
    const client = await as();
    const [entries, { records }] = await Promise.all([client.call<Entry[]>('GET', '/v1/access-log'), client.call<{ records: RecordView[] }>('GET', '/v1/records?limit=200')]);
    const named = new Map(records.map((r) => [r.recordId, `your ${(CATEGORY_TITLES[r.category] ?? r.category).toLowerCase()} of ${r.clinicalDate}`]));
    return entries.map((e) => ({ ...e, what: named.get(e.recordId) ?? 'a record' }));
  }, [hospital.address]);
  const emergencies = useLoad(async () => (await as()).call<Emergency[]>('GET', '/v1/emergencies'), [hospital.address]);
  const feed = useLoad(async () => (await as()).call<Notification[]>('GET', '/v1/notifications'), [hospital.address]);
  return (
    <section aria-labelledby={`a-${hospital.address}`}>
      <h2 id={`a-${hospital.address}`}>Records from {hospital.name}</h2>
      <h3>Who read them</h3>
      <Loaded state={reads} empty="Nobody but you has read them.">
        {(entries) => (
          <ol class="timeline" aria-label={`Reads of your records from ${hospital.name}, newest first`}>
            {entries.map((e) => (
              <li>
                <time dateTime={e.accessedAt}>{when(e.accessedAt)}</time>: <strong><Address value={e.reader} name={session.nameOf(e.reader) ?? e.readerName} /></strong> read {e.what} {PURPOSE_WORDS[e.purpose] ?? e.purpose}
                {e.kind === 'emergency' ? ' (emergency access)' : ' (your consent)'}. <Status value={e.status} />{e.block ? ` in block ${e.block}` : ''}
              </li>
            ))}
          </ol>
        )}
      </Loaded>
      <h3>Emergency access</h3>
      <Loaded state={emergencies} empty="No emergency requests.">
        {(list) => (
          <ul>
            {list.map((e) => (
              <li class="card">
                <p><strong>{e.doctorName}</strong> <Address value={e.doctor} /> asked on {when(e.createdAt)} for {Math.round(e.durationSeconds / 3600)} h: “{e.reason}”</p>
                <p>Status: <Status value={e.status} /> ({e.approvals} approval{e.approvals === 1 ? '' : 's'} by authorities){e.status === 'granted' && e.expiresAt ? `, until ${when(e.expiresAt)}` : ''}</p>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <h3>Notifications</h3>
      <Loaded state={feed} empty="No notifications.">
        {(list) => <ul>{list.map((n) => <li><time dateTime={n.at}>{when(n.at)}</time>: {n.text}</li>)}</ul>}
      </Loaded>
    </section>
  );
}
