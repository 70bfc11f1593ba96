import { useState } from 'preact/hooks';
import { guardiansOf, nameGuardians, vetoRecovery } from '../../../sdk/consents';
import type { GuardiansView } from '../../../sdk/gateway-client';
import { deriveGuardianKey } from '../../../src/chain/relationships';
import type { Counterpart } from '../../../sdk/wallet-format';
import { QrCode } from '../qr';
import { ActionForm, Address, ADDRESS, Field, HANDLE, Loaded, Notice, useLoad, when } from '../ui';
import type { PatientSession } from './session';

/**
 * Guardians: people the patient trusts to restore their keys. For the records at each hospital,
 * the patient names guardians' addresses (each guardian derives theirs for that records code, in
 * their own portal, under "Be someone's guardian") and how many must agree.
 */
export function Guardians({ session }: { session: PatientSession }) {
  return (
    <>
      <h2>Guardians</h2>
      <p>If you lose this device and your backup, guardians you trust can together restore your access. You can stop a recovery you did not ask for during its waiting time.</p>
      {session.hospitals.length === 0 && <p class="muted">Add a hospital first: guardians protect the records it filed for you.</p>}
      {session.hospitals.map((hospital) => <HospitalGuardians session={session} hospital={hospital} />)}
      <h2>Be someone's guardian</h2>
      <BeGuardian session={session} />
    </>
  );
}

function HospitalGuardians({ session, hospital }: { session: PatientSession; hospital: Counterpart }) {
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [addresses, setAddresses] = useState('');
  const [threshold, setThreshold] = useState('1');
  const current = useLoad(() => guardiansOf(session, hospital.address), [hospital.address, version]);
  const code = session.relationshipWith(hospital.address).handle;
  return (
    <section class="card" aria-label={`Guardians of your records from ${hospital.name}`}>
      <h3>Records from {hospital.name}</h3>
      <details>
        <summary>Guardian code to give your guardians</summary>
        <p>Your guardians enter this code in their own portal to get the address they guard these records with.</p>
        <QrCode text={code} label={`Guardian code for your records from ${hospital.name}, as a QR code`} />
        <p class="token" data-testid={`guardian-code-${hospital.address.toLowerCase()}`}>{code}</p>
      </details>
      {notice && <Notice>{notice}</Notice>}
      <Loaded state={current}>
        {(g) => (
          <>
            <p>{g.inForce.guardians.length === 0 ? 'No guardians in force.' : `In force: ${g.inForce.threshold} of ${g.inForce.guardians.length} guardians must agree.`}</p>
            {g.inForce.guardians.length > 0 && <ul>{g.inForce.guardians.map((a) => <li><Address value={a} /></li>)}</ul>}
            {g.proposed && <p>New guardians ({g.proposed.threshold} of {g.proposed.guardians.length}) take effect on {when(g.proposed.effectiveAt)}.</p>}
            {g.recovery && <WaitingRecovery recovery={g.recovery} onVeto={async () => {
              await vetoRecovery(session, hospital.address);
              setNotice('You stopped the recovery. The keys on this device still sign for these records.');
              setVersion((v) => v + 1);
            }} />}
          </>
        )}
      </Loaded>
      <ActionForm submit="Name these guardians" action={async () => {
        const list = addresses.split(/[\s,]+/).map((a) => a.trim()).filter(Boolean);
        if (list.length === 0 || list.some((a) => !ADDRESS.test(a))) throw new Error("Give each guardian's address (0x…), one per line.");
        const k = Number(threshold);
        if (!Number.isInteger(k) || k < 1 || k > list.length) throw new Error(`How many must agree: from 1 to ${list.length}.`);
        await nameGuardians(session, hospital.address, list, k);
        setNotice('Guardians named. They take effect after three days; until then your earlier guardians, if any, stay in force.');
        setAddresses('');
        setVersion((v) => v + 1);
      }}>
        <div class="field">
          <label for={`guardians-${hospital.address}`}>Guardian addresses</label>
          <span class="hint" id={`guardians-${hospital.address}-hint`}>One per line, as each guardian's portal shows it for your code.</span>
          <textarea id={`guardians-${hospital.address}`} aria-describedby={`guardians-${hospital.address}-hint`} rows={3} spellcheck={false} value={addresses}
            onInput={(e) => setAddresses((e.target as HTMLTextAreaElement).value)} />
        </div>
        <Field label="How many must agree to a recovery" inputMode="numeric" value={threshold} onValue={setThreshold} required />
      </ActionForm>
    </section>
  );
}

/**
 * A recovery the guardians started: from its due time, another key would sign for these records.
 * Said plainly, with a one-click stop while the patient may still stop it.
 */
function WaitingRecovery({ recovery, onVeto }: { recovery: NonNullable<GuardiansView['recovery']>; onVeto(): Promise<void> }) {
  return (
    <section class="alert" aria-label="A recovery is waiting">
      <p><strong>Your guardians started a recovery of these records.</strong> From {when(recovery.executableAt)}, the key <Address value={recovery.newSigner} /> will sign for them instead of the keys on this device.</p>
      {recovery.vetoable ? (
        <>
          <p>If you did not ask for it (you still have this device), stop it before then.</p>
          <ActionForm submit="Stop this recovery" danger action={onVeto} />
        </>
      ) : (
        <p>Every one of your guardians signed it, so it cannot be stopped from here. If you did not ask for it, speak to them and to your hospital.</p>
      )}
    </section>
  );
}

/** The address this patient guards someone's records with: derived here from this patient's own secret and that code. */
function BeGuardian({ session }: { session: PatientSession }) {
  const [code, setCode] = useState('');
  const [address, setAddress] = useState<string | null>(null);
  return (
    <>
      <ActionForm submit="Show my guardian address" action={async () => {
        if (!HANDLE.test(code.trim())) throw new Error('A guardian code is 0x and 64 hexadecimal characters.');
        setAddress(deriveGuardianKey(session.secret, session.scope, code.trim().toLowerCase()).address);
      }}>
        <Field label="Their guardian code" autoComplete="off" spellcheck={false} value={code} onValue={setCode} required />
      </ActionForm>
      {address && (
        <div>
          <p>Give them this address. It is yours for their code only: nobody can tell it from your other addresses.</p>
          <QrCode text={address} label="Your guardian address, as a QR code" />
          <p class="token" data-testid="guardian-address">{address}</p>
        </div>
      )}
    </>
  );
}
