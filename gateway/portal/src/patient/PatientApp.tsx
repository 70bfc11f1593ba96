import { useState } from 'preact/hooks';
import { GatewayClient, PersonaToken } from '../../../sdk/gateway-client';
import { newWallet, parseWallet, UnlockedWallet, unlockWallet, Wallet } from '../../../sdk/wallet-format';
import { ActionForm, Field, Notice } from '../ui';
import { AadhaarField, CodeForm } from './identity-fields';
import { device, downloadBackup } from './device';
import { PatientDashboard } from './PatientDashboard';
import { PatientSession } from './session';

const gateway = () => new GatewayClient(location.origin);

/**
 * The patient's way in: keys made on this device (or restored from a backup), registration with
 * Aadhaar eKYC and a code, or sign-in with a code; then the password opens the keys and the
 * dashboard shows.
 */
export function PatientApp() {
  const [wallet, setWallet] = useState<Wallet | null>(device.load());
  const [token, setToken] = useState<PersonaToken | null>(null);
  const [unlocked, setUnlocked] = useState<UnlockedWallet | null>(null);
  const [session, setSession] = useState<PatientSession | null>(null);
  const [mode, setMode] = useState<'register' | 'sign-in'>(wallet?.personaId ? 'sign-in' : 'register');

  const open = async (signedIn: PersonaToken, keys: UnlockedWallet, held: Wallet) => {
    const client = gateway();
    setSession(new PatientSession(client, client.as(signedIn.accessToken), await client.ledger(), keys, held));
  };

  const signOut = () => {
    setSession(null);
    setToken(null);
    setUnlocked(null);
  };
  if (session) return <PatientDashboard session={session} onSignOut={signOut} onErased={() => { signOut(); setWallet(null); setMode('register'); }} />;
  if (!wallet) return <KeysSetup onReady={(made, keys) => { setWallet(made); setUnlocked(keys ?? null); setMode(keys ? 'register' : 'sign-in'); }} />;
  if (!token && mode === 'sign-in') return <SignIn onSignedIn={setToken} onRegister={() => setMode('register')} />;
  if (!token && !unlocked) return <Unlock wallet={wallet} onUnlocked={async (keys) => setUnlocked(keys)} />;
  if (!token) {
    return <Register onSignIn={() => setMode('sign-in')} onRegistered={async (signedIn) => {
      // The gateway gets the public key and the pseudonym encrypted to it: nothing else of the keys.
      await gateway().as(signedIn.accessToken).setPersonaKeys(wallet.publicKey, wallet.encryptedPseudonym);
      const registered = { ...wallet, personaId: signedIn.personaId };
      device.save(registered);
      setToken(signedIn);
      await open(signedIn, unlocked!, registered);
    }} />;
  }
  return <Unlock wallet={wallet} onUnlocked={(keys) => open(token, keys, wallet)} />;
}

function KeysSetup({ onReady }: { onReady(wallet: Wallet, keys?: UnlockedWallet): void }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [made, setMade] = useState<{ wallet: Wallet; unlocked: UnlockedWallet } | null>(null);
  if (made) {
    return (
      <>
        <h1>Your keys are made</h1>
        <Notice>Your keys were made on this device and are kept here, locked with your password. The gateway never receives them.</Notice>
        <p>Save a backup now. Without the backup file and your password, nobody (not even EHRChain) can recover your pseudonym if this device is lost.</p>
        <div class="row">
          <button type="button" class="secondary" onClick={() => downloadBackup(made.wallet)}>Download backup file</button>
          <button type="button" onClick={() => onReady(made.wallet, made.unlocked)}>Continue to registration</button>
        </div>
      </>
    );
  }
  return (
    <>
      <h1>Patient portal</h1>
      <p>Your medical records are shared only with the people you choose. First, this device makes your keys.</p>
      <h2>New here</h2>
      <ActionForm submit="Make my keys" action={async () => {
        if (password.length < 12) throw new Error('Choose a password of 12 characters or more.');
        if (password !== again) throw new Error('The two passwords differ.');
        const result = await newWallet(password);
        device.save(result.wallet);
        setMade(result);
      }}>
        <Field label="Password for your keys" hint="12 characters or more. It never leaves this device." type="password" autoComplete="new-password" value={password} onValue={setPassword} required minLength={12} />
        <Field label="The same password again" type="password" autoComplete="new-password" value={again} onValue={setAgain} required />
      </ActionForm>
      <h2>Already registered</h2>
      <RestoreBackup onRestored={(restored) => onReady(restored)} />
    </>
  );
}

function RestoreBackup({ onRestored }: { onRestored(wallet: Wallet): void }) {
  const [file, setFile] = useState<File | null>(null);
  return (
    <ActionForm submit="Restore from backup" action={async () => {
      if (!file) throw new Error('Choose your backup file first.');
      const wallet = parseWallet(await file.text());
      device.save(wallet);
      onRestored(wallet);
    }}>
      <div class="field">
        <label for="backup-file">Backup file</label>
        <span class="hint" id="backup-file-hint">The ehrchain-patient-backup.json you saved, or the patient.json of the ehrchain command.</span>
        <input id="backup-file" type="file" accept="application/json,.json" aria-describedby="backup-file-hint" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
      </div>
    </ActionForm>
  );
}

function Register({ onRegistered, onSignIn }: { onRegistered(token: PersonaToken): Promise<void>; onSignIn(): void }) {
  const [aadhaar, setAadhaar] = useState('');
  const [name, setName] = useState('');
  const [year, setYear] = useState('');
  const [gender, setGender] = useState('');
  const [sent, setSent] = useState<{ id: string; sentTo?: string } | null>(null);
  if (sent) {
    return (
      <>
        <h1>Enter your code</h1>
        <p>A six-digit code was sent to the mobile number on your Aadhaar record ({sent.sentTo}).</p>
        <CodeForm submit="Confirm registration" onCode={async (code) => onRegistered(await gateway().confirmRegistration(sent.id, code))} />
      </>
    );
  }
  return (
    <>
      <h1>Register</h1>
      <p>Your details are checked against your Aadhaar record. Your Aadhaar number is encrypted on this device before it is sent, and never shown again in full.</p>
      <ActionForm submit="Send me a code" action={async () => {
        if (!gender) throw new Error('Choose your gender as on your Aadhaar record.');
        setSent(await gateway().startRegistration({ aadhaar, name: name.trim(), yearOfBirth: Number(year), gender: gender as 'F' | 'M' | 'T' }));
      }}>
        <AadhaarField value={aadhaar} onValue={setAadhaar} />
        <Field label="Name as on your Aadhaar record" autoComplete="name" value={name} onValue={setName} required />
        <Field label="Year of birth" inputMode="numeric" pattern="[0-9]{4}" autoComplete="bday-year" value={year} onValue={setYear} required />
        <fieldset>
          <legend>Gender as on your Aadhaar record</legend>
          {([['F', 'Female'], ['M', 'Male'], ['T', 'Transgender']] as const).map(([value, label]) => (
            <label class="choice"><input type="radio" name="gender" value={value} checked={gender === value} onChange={() => setGender(value)} />{label}</label>
          ))}
        </fieldset>
      </ActionForm>
      <p><button type="button" class="secondary" onClick={onSignIn}>I am registered already: sign in</button></p>
    </>
  );
}

function SignIn({ onSignedIn, onRegister }: { onSignedIn(token: PersonaToken): void; onRegister(): void }) {
  const [aadhaar, setAadhaar] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  if (sent) {
    return (
      <>
        <h1>Enter your code</h1>
        <p>If this number is registered, a code is on its way to its mobile.</p>
        <CodeForm submit="Sign in" onCode={async (code) => onSignedIn(await gateway().signIn(sent, code))} />
      </>
    );
  }
  return (
    <>
      <h1>Sign in</h1>
      <ActionForm submit="Send me a code" action={async () => setSent((await gateway().sendSignInCode(aadhaar)).id)}>
        <AadhaarField value={aadhaar} onValue={setAadhaar} />
      </ActionForm>
      <p><button type="button" class="secondary" onClick={onRegister}>Not registered yet: register</button></p>
    </>
  );
}

function Unlock({ wallet, onUnlocked }: { wallet: Wallet; onUnlocked(keys: UnlockedWallet): Promise<void> }) {
  const [password, setPassword] = useState('');
  return (
    <>
      <h1>Unlock your keys</h1>
      <p>Your keys stay on this device; your password opens them here.</p>
      <ActionForm submit="Unlock" action={async () => {
        let keys: UnlockedWallet;
        try {
          keys = await unlockWallet(wallet, password);
        } catch {
          throw new Error('That password does not open the keys on this device.');
        }
        await onUnlocked(keys);
      }}>
        <Field label="Password for your keys" type="password" autoComplete="current-password" value={password} onValue={setPassword} required />
      </ActionForm>
    </>
  );
}
