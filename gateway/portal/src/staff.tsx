import { useState } from 'preact/hooks';
import { decrypt } from 'web3-eth-accounts';
import { GatewayClient } from '../../sdk/gateway-client';
import { ActionForm, Field } from './ui';

/** A staff member signed in with a user name and password (doctor, authority): their client and who they are. */
export interface StaffSession {
  client: GatewayClient;
  me: { id: string; username: string; role: string; chainAddress?: string | null };
}

export function StaffSignIn({ title, roles, onSignedIn }: { title: string; roles: string[]; onSignedIn(session: StaffSession): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  return (
    <>
      <h1>{title}</h1>
      <ActionForm submit="Sign in" action={async () => {
        const base = new GatewayClient(location.origin);
        const { accessToken } = await base.call<{ accessToken: string }>('POST', '/v1/auth/login', { username: username.trim(), password });
        const client = base.as(accessToken);
        const me = await client.call<StaffSession['me']>('GET', '/v1/auth/me');
        if (!roles.includes(me.role)) throw new Error(`This page is for ${roles.join(' or ')} accounts; yours is ${me.role}.`);
        onSignedIn({ client, me });
      }}>
        <Field label="User name" autoComplete="username" value={username} onValue={setUsername} required />
        <Field label="Password" type="password" autoComplete="current-password" value={password} onValue={setPassword} required />
      </ActionForm>
    </>
  );
}

/**
 * The staff member's chain key, opened here from their keystore file (Web3 Secret Storage, as
 * wallets export it) for this page's life only: it signs requests on this device, and neither
 * the file nor the key is ever sent.
 */
export function KeyImport({ expected, onKey }: { expected?: string | null; onKey(privateKey: string, address: string): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  return (
    <ActionForm submit="Open my signing key" action={async () => {
      if (!file) throw new Error('Choose your keystore file first.');
      let account: { privateKey: string; address: string };
      try {
        account = await decrypt(await file.text(), password);
      } catch {
        throw new Error('That file and password do not open a key.');
      }
      if (expected && account.address.toLowerCase() !== expected.toLowerCase()) throw new Error(`This key is ${account.address}; your account is registered with ${expected}.`);
      onKey(account.privateKey, account.address);
    }}>
      <div class="field">
        <label for="keystore-file">Keystore file</label>
        <span class="hint" id="keystore-file-hint">The JSON key file your hospital issued with your practitioner address. It is opened on this device and never sent.</span>
        <input id="keystore-file" type="file" accept="application/json,.json" aria-describedby="keystore-file-hint" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
      </div>
      <Field label="Keystore password" type="password" autoComplete="off" value={password} onValue={setPassword} required />
    </ActionForm>
  );
}
