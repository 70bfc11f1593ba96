import { useState } from 'preact/hooks';
import { openRelationship } from '../../../sdk/consents';
import { makeFilingToken } from '../../../src/chain/filing-token';
import { coarseExpiry } from '../../../src/chain/relationships';
import type { Counterpart } from '../../../sdk/wallet-format';
import { QrCode } from '../qr';
import { RecordTable, RecordView } from '../records';
import { ActionForm, Address, ADDRESS, Field, Loaded, useLoad } from '../ui';
import { device } from './device';
import type { PatientSession } from './session';

/** Adds a hospital or doctor to the device's address book and opens the relationship with it on chain. */
export function AddCounterpart({ session, kind, onAdded }: { session: PatientSession; kind: Counterpart['kind']; onAdded(): void }) {
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  return (
    <ActionForm submit={kind === 'hospital' ? 'Add hospital' : 'Connect doctor'} action={async () => {
      if (!ADDRESS.test(address.trim())) throw new Error('The address is 0x and 40 hexadecimal characters, as the hospital or doctor gave it to you.');
      await openRelationship(session, address.trim());
      session.wallet = device.remember(session.wallet, { address: address.trim(), name: name.trim() || address.trim(), kind });
      setName('');
      setAddress('');
      onAdded();
    }}>
      <Field label={kind === 'hospital' ? 'Hospital name' : 'Doctor name'} hint="As you want to see it here; it stays on this device." value={name} onValue={setName} required />
      <Field label={kind === 'hospital' ? 'Hospital address' : 'Doctor address'} hint="0x…, from the hospital's front desk or the doctor." autoComplete="off" spellcheck={false} value={address} onValue={setAddress} required />
    </ActionForm>
  );
}

/** The hospitals the patient uses: the filing token each needs, and the records each filed. */
export function Hospitals({ session }: { session: PatientSession }) {
  const [, setVersion] = useState(0);
  return (
    <>
      {session.hospitals.length === 0 && <p>Add the hospital that treats you. It files your records under a pseudonym only you can link to you.</p>}
      {session.hospitals.map((hospital) => <HospitalCard session={session} hospital={hospital} />)}
      <h2>Add a hospital</h2>
      <AddCounterpart session={session} kind="hospital" onAdded={() => setVersion((v) => v + 1)} />
    </>
  );
}

function HospitalCard({ session, hospital }: { session: PatientSession; hospital: Counterpart }) {
  const [days, setDays] = useState('7');
  const [token, setToken] = useState<string | null>(null);
  const records = useLoad(async () => (await (await session.as(hospital.address)).call<{ records: RecordView[] }>('GET', '/v1/records')).records, [hospital.address]);
  const asRecords = () => session.as(hospital.address);
  return (
    <section class="card" aria-labelledby={`h-${hospital.address}`}>
      <h2 id={`h-${hospital.address}`}>{hospital.name} <Address value={hospital.address} /></h2>
      <h3>Let {hospital.name} file your records</h3>
      <ActionForm submit="Show my filing token" action={async () => {
        const n = Number(days);
        if (!Number.isInteger(n) || n < 1 || n > 29) throw new Error('A token lasts from 1 to 29 days.');
        setToken(makeFilingToken(session.relationshipWith(hospital.address), session.scope, hospital.address, coarseExpiry(Math.floor(Date.now() / 1000) + n * 86_400)));
      }}>
        <Field label="Valid for (days)" inputMode="numeric" value={days} onValue={setDays} required />
      </ActionForm>
      {token && (
        <div>
          <p>Show this to {hospital.name}'s front desk. It names your pseudonym at this hospital only, and lets this hospital alone file records for you until it expires.</p>
          <QrCode text={token} label={`Filing token for ${hospital.name}, as a QR code`} />
          <p class="token" aria-label="Filing token as text" data-testid="filing-token">{token}</p>
          <button type="button" class="secondary" onClick={() => navigator.clipboard?.writeText(token)}>Copy token</button>
        </div>
      )}
      <h3>Records from {hospital.name}</h3>
      <Loaded state={records} empty={`${hospital.name} has filed nothing for you yet.`}>
        {(list) => (
          <RecordTable records={list} caption={`Your records from ${hospital.name}`}
            read={async (record) => (await (await asRecords()).call<{ resource: unknown }>('GET', `/v1/records/${record.recordId}/content`)).resource}
            versions={async (record) => (await asRecords()).call<RecordView[]>('GET', `/v1/records/${record.recordId}/versions`)} />
        )}
      </Loaded>
      <button type="button" class="secondary" onClick={records.reload}>Refresh records</button>
    </section>
  );
}
