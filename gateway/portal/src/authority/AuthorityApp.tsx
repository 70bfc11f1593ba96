import { useState } from 'preact/hooks';
import { signLegacyTransaction, UnsignedCall } from '../../../src/chain/legacy-transaction';
import { textCommitment } from '../../../src/chain/relationships';
import { KeyImport, StaffSession, StaffSignIn } from '../staff';
import { ActionForm, Address, ADDRESS, Field, Loaded, Notice, Status, useLoad, when } from '../ui';

interface Review { id: string; requestId: number | null; doctor: string; doctorName: string; reason: string; durationSeconds: number; status: string; approvals: number; createdAt: string }
interface Proposal { proposalId: number; action: 'admit' | 'suspend' | 'reinstate'; hospital: string; hospitalName: string | null; proposer: string; approvals: number; threshold: number; expiresAt: string }

const ACTION_WORDS = { admit: 'Admit', suspend: 'Suspend', reinstate: 'Reinstate' } as const;
type Action = keyof typeof ACTION_WORDS;

/**
 * The consortium authorities' desk: hospitals proposed for admission, suspension or
 * reinstatement, and emergency requests, each decided with the authority's own key, opened in
 * this browser. The gateway drafts the call, the key signs it here, the gateway relays it.
 */
export function AuthorityApp() {
  const [session, setSession] = useState<StaffSession | null>(null);
  const [key, setKey] = useState<{ privateKey: string; address: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  if (!session) return <StaffSignIn title="Authority sign-in" roles={['authority']} onSignedIn={setSession} />;
  const decide = async (target: 'proposal' | 'emergency', id: number, decision: 'approve' | 'deny') => {
    if (!key) throw new Error('Open your authority key first.');
    const call = await session.client.call<UnsignedCall>('POST', '/v1/consortium/decisions/drafts', { target, id, decision, from: key.address });
    const { rawTransaction } = await signLegacyTransaction(call, key.privateKey);
    const applied = await session.client.call<{ block: number }>('POST', '/v1/consortium/decisions', { rawTransaction });
    setNotice(`Your ${decision === 'approve' ? 'approval' : 'denial'} of ${target} ${id} is on chain (block ${applied.block}).`);
    setVersion((v) => v + 1);
  };
  // The reason stays off chain: the proposal commits to it with a salt made here, which the
  // authority keeps with the text to show later what was proposed and why.
  const propose = async (action: Action, hospital: string, reason: string) => {
    if (!key) throw new Error('Open your authority key first.');
    const salt = `0x${[...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    const call = await session.client.call<UnsignedCall>('POST', '/v1/consortium/proposals/drafts', { action, hospital, dataHash: textCommitment(reason, salt), from: key.address });
    const { rawTransaction } = await signLegacyTransaction(call, key.privateKey);
    const applied = await session.client.call<{ block: number; id: number }>('POST', '/v1/consortium/decisions', { rawTransaction });
    setNotice(`Your proposal ${applied.id} (${ACTION_WORDS[action].toLowerCase()} ${hospital}) is on chain (block ${applied.block}); your approval counts. Keep its reason with this salt, which proves what it committed to: ${salt}`);
    setVersion((v) => v + 1);
  };
  return (
    <>
      <div class="row" style="justify-content: space-between">
        <h1>Consortium decisions</h1>
        <button type="button" class="secondary" onClick={() => { setSession(null); setKey(null); }}>Sign out</button>
      </div>
      {key
        ? <Notice>Your authority key <Address value={key.address} /> is open on this device for this session.</Notice>
        : <section class="card"><h2>Your authority key</h2><KeyImport expected={session.me.chainAddress} onKey={(privateKey, address) => setKey({ privateKey, address })} /></section>}
      {notice && <Notice>{notice}</Notice>}
      <Proposals key={`p${version}`} session={session} decide={decide} />
      <Emergencies key={`e${version}`} session={session} decide={decide} />
      <Propose propose={propose} />
    </>
  );
}

function Propose({ propose }: { propose(action: Action, hospital: string, reason: string): Promise<void> }) {
  const [action, setAction] = useState<Action>('suspend');
  const [hospital, setHospital] = useState('');
  const [reason, setReason] = useState('');
  return (
    <section aria-labelledby="propose-title">
      <h2 id="propose-title">Propose a decision about a hospital</h2>
      <p>Your approval counts; the other authorities see it above and approve it in their portal.</p>
      <ActionForm submit="Sign and send proposal" action={async () => {
        if (!ADDRESS.test(hospital.trim())) throw new Error("Give the hospital's consortium address (0x and 40 hexadecimal characters).");
        if (!reason.trim()) throw new Error('Say why, or name the admission dossier.');
        await propose(action, hospital.trim(), reason.trim());
        setHospital('');
        setReason('');
      }}>
        <fieldset>
          <legend>What to propose</legend>
          {(Object.keys(ACTION_WORDS) as Action[]).map((a) => (
            <label class="choice"><input type="radio" name="proposal-action" checked={action === a} onChange={() => setAction(a)} />{ACTION_WORDS[a]} the hospital</label>
          ))}
        </fieldset>
        <Field label="Hospital address" autoComplete="off" spellcheck={false} value={hospital} onValue={setHospital} required />
        <div class="field">
          <label for="proposal-reason">Reason or admission dossier</label>
          <span class="hint" id="proposal-reason-hint">Kept off chain: the proposal records only a salted commitment to it.</span>
          <textarea id="proposal-reason" aria-describedby="proposal-reason-hint" rows={3} required value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        </div>
      </ActionForm>
    </section>
  );
}

type Decide = (target: 'proposal' | 'emergency', id: number, decision: 'approve' | 'deny') => Promise<void>;

function Proposals({ session, decide }: { session: StaffSession; decide: Decide }) {
  const proposals = useLoad(() => session.client.call<Proposal[]>('GET', '/v1/consortium/proposals'), []);
  return (
    <section aria-labelledby="proposals-title">
      <h2 id="proposals-title">Hospitals awaiting a decision</h2>
      <Loaded state={proposals} empty="No proposal awaits approval.">
        {(list) => (
          <ul>
            {list.map((p) => (
              <li class="card">
                <p><strong>Proposal {p.proposalId}: {ACTION_WORDS[p.action]} <Address value={p.hospital} name={p.hospitalName} /></strong></p>
                <p>{p.approvals} of {p.threshold} approvals; proposed by <Address value={p.proposer} />; open until {when(p.expiresAt)}</p>
                <ActionForm submit={`Approve proposal ${p.proposalId}`} action={() => decide('proposal', p.proposalId, 'approve')} />
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function Emergencies({ session, decide }: { session: StaffSession; decide: Decide }) {
  const reviews = useLoad(() => session.client.call<Review[]>('GET', '/v1/emergencies/review'), []);
  return (
    <section aria-labelledby="emergencies-title">
      <h2 id="emergencies-title">Emergency requests</h2>
      <Loaded state={reviews} empty="No emergency request awaits a decision.">
        {(list) => (
          <ul>
            {list.map((r) => (
              <li class="card">
                <p><strong>Request {r.requestId ?? '(not on chain yet)'}</strong> by {r.doctorName} <Address value={r.doctor} />, {when(r.createdAt)}</p>
                <p>“{r.reason}” for {Math.round(r.durationSeconds / 3600)} h</p>
                <p>Status: <Status value={r.status} />, {r.approvals} approval{r.approvals === 1 ? '' : 's'}</p>
                {r.requestId !== null && r.status === 'pending' && (
                  <div class="row">
                    <ActionForm submit={`Approve request ${r.requestId}`} action={() => decide('emergency', r.requestId!, 'approve')} />
                    <ActionForm submit={`Deny request ${r.requestId}`} danger action={() => decide('emergency', r.requestId!, 'deny')} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}
