import { useState } from 'preact/hooks';
import { answerRequest, consentTerms, grantConsent, requestsFrom, revokeConsent } from '../../../sdk/consents';
import type { ConsentRequestView, ConsentView } from '../../../sdk/gateway-client';
import { NO_RECORDS_ROOT } from '../../../src/chain/patient-messages';
import { Category, Purpose } from '../../../src/chain/typed-messages';
import type { Counterpart } from '../../../sdk/wallet-format';
import { QrCode } from '../qr';
import { ALL_CATEGORIES, CATEGORY_WORDS, describeTerms, PURPOSE_WORDS } from '../terms';
import { ActionForm, Address, ADDRESS, Field, Loaded, Notice, Status, useLoad, when } from '../ui';
import { AddCounterpart } from './Hospitals';
import type { PatientSession } from './session';

/** Sharing: the doctors the patient connected (and their requests), consents to give, and those in force to revoke. */
export function Sharing({ session }: { session: PatientSession }) {
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  // Lists below reload after a change; what happened is said here, above them, where it stays.
  const changed = (what?: string) => {
    setNotice(what ?? null);
    setVersion((v) => v + 1);
  };
  if (session.hospitals.length === 0) return <p>Add a hospital first (Hospitals and records): consents share the records a hospital filed for you.</p>;
  return (
    <>
      {notice && <Notice>{notice}</Notice>}
      <h2>Requests from doctors</h2>
      {session.doctors.length === 0 && <p class="muted">Connect a doctor below to receive their requests.</p>}
      {session.doctors.length > 0 && <button type="button" class="secondary" onClick={() => changed()}>Check for new requests</button>}
      {session.doctors.map((doctor) => <Requests key={`${doctor.address}-${version}`} session={session} doctor={doctor} onAnswered={changed} />)}
      <h2>Consents in force</h2>
      {session.hospitals.map((hospital) => <Consents key={`${hospital.address}-${version}`} session={session} hospital={hospital} onChanged={changed} />)}
      <h2>Share records with a doctor</h2>
      <GrantForm session={session} onGranted={changed} />
      <h2>Connect a doctor</h2>
      <p>A doctor you connect can ask you for consent. They get a code naming your relationship with them alone.</p>
      {session.doctors.map((doctor) => <DoctorCode session={session} doctor={doctor} />)}
      <AddCounterpart session={session} kind="doctor" onAdded={() => changed()} />
    </>
  );
}

function DoctorCode({ session, doctor }: { session: PatientSession; doctor: Counterpart }) {
  const handle = session.relationshipWith(doctor.address).handle;
  return (
    <details class="card">
      <summary>Code for {doctor.name}</summary>
      <p>Show this to {doctor.name}, so that they can ask you for consent. It means nothing to anyone else.</p>
      <QrCode text={handle} label={`Your code for ${doctor.name}, as a QR code`} />
      <p class="token" data-testid={`doctor-code-${doctor.address.toLowerCase()}`}>{handle}</p>
    </details>
  );
}

function Consents({ session, hospital, onChanged }: { session: PatientSession; hospital: Counterpart; onChanged(what: string): void }) {
  const consents = useLoad(async () => (await (await session.as(hospital.address)).consents()).filter((c) => c.status !== 'none'), [hospital.address]);
  return (
    <section aria-label={`Consents to records from ${hospital.name}`}>
      <h3>Records from {hospital.name}</h3>
      <Loaded state={consents} empty="Nobody may read them but you.">
        {(list) => (
          <ul>
            {list.map((consent: ConsentView) => {
              const name = session.nameOf(consent.grantee);
              return (
                <li class="card">
                  <p><strong><Address value={consent.grantee} name={name} /></strong> <Status value={consent.status} /></p>
                  <p>{describeTerms(consent.terms)}</p>
                  {consent.status === 'active' && (
                    <ActionForm submit={`Revoke ${name ?? 'this consent'}`} danger action={async () => {
                      const relayed = await revokeConsent(session, hospital.address, consent.grantee);
                      onChanged(`Revoked: ${name ?? consent.grantee} is refused from block ${relayed?.block} on.`);
                    }} />
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function Requests({ session, doctor, onAnswered }: { session: PatientSession; doctor: Counterpart; onAnswered(what: string): void }) {
  const requests = useLoad(() => requestsFrom(session, doctor.address), [doctor.address]);
  const [hospital, setHospital] = useState(session.hospitals[0]!.address);
  return (
    <Loaded state={requests}>
      {(list) => {
        // On chain, a request awaits an answer while its status is `requested`; the rest are history.
        const waiting = list.filter((r) => r.status === 'requested');
        const answered = list.filter((r) => r.status !== 'requested');
        return (
          <>
            {waiting.length === 0 && <p class="muted">No requests from {doctor.name} await your answer.</p>}
            <ul>
              {waiting.map((request: ConsentRequestView) => (
                <li class="card">
                  <p><strong>{doctor.name}</strong> ({request.doctorName}) asked on {when(request.createdAt)}:</p>
                  <p>{describeTerms(request.terms)}</p>
                  <HospitalChoice session={session} value={hospital} onValue={setHospital} label="Records to share" />
                  <div class="row">
                    <ActionForm submit="Approve" action={async () => { await answerRequest(session, hospital, request, { ...request.terms, recordsRoot: NO_RECORDS_ROOT }); onAnswered(`You approved ${doctor.name}'s request.`); }} />
                    <ActionForm submit="Deny" danger action={async () => { await answerRequest(session, hospital, request, null); onAnswered(`You denied ${doctor.name}'s request.`); }} />
                  </div>
                </li>
              ))}
            </ul>
            {answered.length > 0 && (
              <details>
                <summary>Earlier requests from {doctor.name}</summary>
                <ul>{answered.map((r) => <li>{when(r.createdAt)}: <Status value={r.status} /></li>)}</ul>
              </details>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

function HospitalChoice({ session, value, onValue, label }: { session: PatientSession; value: string; onValue(address: string): void; label: string }) {
  return (
    <div class="field">
      <label for={`choice-${label}`}>{label}</label>
      <select id={`choice-${label}`} value={value} onChange={(e) => onValue((e.target as HTMLSelectElement).value)}>
        {session.hospitals.map((h) => <option value={h.address}>{`Filed by ${h.name}`}</option>)}
      </select>
    </div>
  );
}

function GrantForm({ session, onGranted }: { session: PatientSession; onGranted(what: string): void }) {
  const [hospital, setHospital] = useState(session.hospitals[0]!.address);
  const [grantee, setGrantee] = useState(session.doctors[0]?.address ?? '');
  const [categories, setCategories] = useState(ALL_CATEGORIES);
  const [purposes, setPurposes] = useState(1 << Purpose.CAREMGT);
  const [days, setDays] = useState('30');
  const n = Number(days);
  const terms = Number.isInteger(n) && n >= 1 && n <= 3650 ? consentTerms(categories, purposes, n) : null;
  const toggle = (mask: number, bit: number) => mask ^ (1 << bit);
  return (
    <ActionForm submit="Give consent" action={async () => {
      if (!ADDRESS.test(grantee.trim())) throw new Error('Choose a connected doctor or type their 0x address.');
      if (!terms || categories === 0 || purposes === 0) throw new Error('Choose at least one kind of record and one purpose, and from 1 to 3650 days.');
      const relayed = await grantConsent(session, hospital, grantee.trim(), terms);
      onGranted(`Consent given to ${session.nameOf(grantee.trim()) ?? grantee.trim()} (block ${relayed.block}).`);
    }}>
      <HospitalChoice session={session} value={hospital} onValue={setHospital} label="Records" />
      <Field label="Doctor or hospital address" hint={session.doctors.length ? `Connected: ${session.doctors.map((d) => `${d.name} ${d.address}`).join(', ')}` : '0x…'} list="known-doctors" autoComplete="off" spellcheck={false} value={grantee} onValue={setGrantee} required />
      <datalist id="known-doctors">{session.doctors.map((d) => <option value={d.address}>{d.name}</option>)}</datalist>
      <fieldset>
        <legend>Which records</legend>
        {(Object.keys(Category) as (keyof typeof Category)[]).map((name) => (
          <label class="choice"><input type="checkbox" checked={(categories & (1 << Category[name])) !== 0} onChange={() => setCategories(toggle(categories, Category[name]))} />{CATEGORY_WORDS[name]}</label>
        ))}
      </fieldset>
      <fieldset>
        <legend>For what</legend>
        {(['CAREMGT', 'PUBHLTH', 'HPAYMT', 'DSRCH', 'PATRQT'] as const).map((name) => (
          <label class="choice"><input type="checkbox" checked={(purposes & (1 << Purpose[name])) !== 0} onChange={() => setPurposes(toggle(purposes, Purpose[name]))} />{PURPOSE_WORDS[name]}</label>
        ))}
      </fieldset>
      <Field label="For how many days" inputMode="numeric" value={days} onValue={setDays} required />
      {terms && <p aria-live="polite"><strong>In plain words:</strong> {session.nameOf(grantee) ?? 'They'} {describeTerms(terms).replace(/^May/, 'may')}</p>}
    </ActionForm>
  );
}
