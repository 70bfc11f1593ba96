import { useId, useState } from 'preact/hooks';
import { ActionForm, Field } from '../ui';

/**
 * The Aadhaar number, masked as it is typed (a password field, with a button to show it), never
 * filled in or remembered by the browser. It is encrypted before it leaves the device (the SDK's
 * `encryptAadhaar`).
 */
export function AadhaarField({ value, onValue }: { value: string; onValue(value: string): void }) {
  const [shown, setShown] = useState(false);
  const id = useId();
  return (
    <div class="field">
      <label for={id}>Aadhaar number</label>
      <span class="hint" id={`${id}-hint`}>12 digits. Hidden as you type; it is encrypted on this device before it is sent.</span>
      <div class="inline">
        <input id={id} type={(shown ? 'text' : 'password') as 'text'} inputMode="numeric" autoComplete="off" spellcheck={false} aria-describedby={`${id}-hint`}
          pattern="[0-9 \-]{12,19}" required value={value} onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
        <button type="button" class="secondary" aria-pressed={shown} aria-controls={id} onClick={() => setShown(!shown)}>{shown ? 'Hide' : 'Show'}</button>
      </div>
    </div>
  );
}

export function CodeForm({ submit, onCode }: { submit: string; onCode(code: string): Promise<void> }) {
  const [code, setCode] = useState('');
  return (
    <ActionForm submit={submit} action={() => onCode(code.trim())}>
      <Field label="Six-digit code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} value={code} onValue={setCode} required />
    </ActionForm>
  );
}
