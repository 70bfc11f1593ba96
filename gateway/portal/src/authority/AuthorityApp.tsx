import { useState } from 'preact/hooks';
import { StaffSession, StaffSignIn } from '../staff';
import { Address, Loaded, Status, useLoad, when } from '../ui';

interface Review { id: string; requestId: number | null; doctor: string; doctorName: string; patientOnChain: string; reason: string; reasonSalt: string; durationSeconds: number; status: string; approvals: number; createdAt: string }

/** The consortium authorities' desk: emergency requests awaiting approval, with the reason and the salt that checks it against the chain. */
export function AuthorityApp() {
  const [session, setSession] = useState<StaffSession | null>(null);
  if (!session) return <StaffSignIn title="Authority sign-in" roles={['authority']} onSignedIn={setSession} />;
  return <Reviews session={session} />;
}

function Reviews({ session }: { session: StaffSession }) {
  const reviews = useLoad(() => session.client.call<Review[]>('GET', '/v1/emergencies/review'), []);
  return (
    <>
      <h1>Emergency requests</h1>
      <p>Each request is approved or denied on chain by the authorities, with their own keys (EmergencyAccess <code>approve</code> or <code>deny</code> with the request number).</p>
      <Loaded state={reviews} empty="No request awaits a decision.">
        {(list) => (
          <ul>
            {list.map((r) => (
              <li class="card">
                <p><strong>Request {r.requestId ?? '(not on chain yet)'}</strong> by {r.doctorName} <Address value={r.doctor} />, {when(r.createdAt)}</p>
                <p>“{r.reason}” for {Math.round(r.durationSeconds / 3600)} h</p>
                <p>Status: <Status value={r.status} />, {r.approvals} approval{r.approvals === 1 ? '' : 's'}</p>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <button type="button" class="secondary" onClick={reviews.reload}>Refresh</button>
    </>
  );
}
