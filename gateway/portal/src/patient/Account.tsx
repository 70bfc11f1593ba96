import { useState } from 'preact/hooks';
import { ActionForm, Loaded, useLoad, when } from '../ui';
import { device, downloadBackup } from './device';
import { Guardians } from './Guardians';
import { AadhaarField, CodeForm } from './identity-fields';
import type { PatientSession } from './session';

interface Persona { personaId: string; name: string; aadhaar: string; verifiedAt: string; keysSet: boolean }

/** The persona (as the gateway keeps it, decrypted for the patient), the backup file, and erasure. */
export function Account({ session, onErased }: { session: PatientSession; onErased(): void }) {
  const persona = useLoad(() => session.persona.call<Persona>('GET', '/v1/persona'), []);
  return (
    <>
      <h2>Your identity</h2>
      <Loaded state={persona}>
        {(p) => (
          <dl class="facts">
            <dt>Name</dt><dd>{p.name}</dd>
            <dt>Aadhaar</dt><dd>{p.aadhaar}</dd>
            <dt>Verified</dt><dd>{when(p.verifiedAt)}</dd>
          </dl>
        )}
      </Loaded>
      <h2>Backup</h2>
      <p>Your keys are on this device only, locked with your password. Keep the backup file somewhere safe, apart from the password.</p>
      <button type="button" class="secondary" onClick={() => downloadBackup(session.wallet)}>Download backup file</button>
      <Guardians session={session} />
      <h2>Erase my identity</h2>
      <Erase session={session} onErased={onErased} />
    </>
  );
}

function Erase({ session, onErased }: { session: PatientSession; onErased(): void }) {
  const [aadhaar, setAadhaar] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  if (sent) {
    return (
      <CodeForm submit="Erase for good" onCode={async (code) => {
        await session.persona.call('POST', '/v1/persona/erase', { id: sent, code });
        device.forget();
        onErased();
      }} />
    );
  }
  return (
    <>
      <p>Your identity becomes unreadable everywhere, backups included, and your account closes. Records stay under pseudonyms nobody can link to you. This cannot be undone.</p>
      <ActionForm submit="Send me a code to erase" danger action={async () => {
        if (!confirmed) throw new Error('Tick the box to confirm that you want to erase your identity.');
        setSent((await session.client.sendSignInCode(aadhaar)).id);
      }}>
        <AadhaarField value={aadhaar} onValue={setAadhaar} />
        <label class="choice"><input type="checkbox" checked={confirmed} onChange={() => setConfirmed(!confirmed)} />I understand this cannot be undone</label>
      </ActionForm>
    </>
  );
}
