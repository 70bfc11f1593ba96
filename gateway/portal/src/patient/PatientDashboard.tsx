import { useState } from 'preact/hooks';
import { guardiansOf } from '../../../sdk/consents';
import { Tabs, useLoad, when } from '../ui';
import { Account } from './Account';
import { Activity } from './Activity';
import { Hospitals } from './Hospitals';
import { Sharing } from './Sharing';
import type { PatientSession } from './session';

export function PatientDashboard({ session, onSignOut, onErased }: { session: PatientSession; onSignOut(): void; onErased(): void }) {
  const [tab, setTab] = useState('hospitals');
  return (
    <>
      <div class="row" style="justify-content: space-between">
        <h1>Your health records</h1>
        <button type="button" class="secondary" onClick={onSignOut}>Sign out</button>
      </div>
      <RecoveryBanner session={session} tab={tab} onReview={() => setTab('account')} />
      <Tabs label="Your records, sharing and activity" selected={tab} onSelect={setTab} tabs={[
        { id: 'hospitals', title: 'Hospitals and records', panel: () => <Hospitals session={session} /> },
        { id: 'sharing', title: 'Sharing', panel: () => <Sharing session={session} /> },
        { id: 'activity', title: 'Who read what', panel: () => <Activity session={session} /> },
        { id: 'account', title: 'Account', panel: () => <Account session={session} onErased={onErased} /> },
      ]} />
    </>
  );
}

/**
 * A recovery the guardians started, above every tab: a patient who did not ask for it has three
 * days to stop it, and must not have to find it under Account. Looked up again at each tab change,
 * so it goes once stopped.
 */
function RecoveryBanner({ session, tab, onReview }: { session: PatientSession; tab: string; onReview(): void }) {
  const waiting = useLoad(async () => {
    const views = await Promise.all(session.hospitals.map(async (hospital) => ({ hospital, recovery: (await guardiansOf(session, hospital.address)).recovery })));
    return views.filter((view) => view.recovery);
  }, [tab, session.hospitals.length]);
  // A banner that cannot load says nothing: Account shows the error where the recovery would be.
  if (!waiting.data || waiting.data.length === 0) return null;
  return (
    <div class="alert" role="alert">
      {waiting.data.map(({ hospital, recovery }) => (
        <p><strong>Your guardians started a recovery of your records from {hospital.name}.</strong> From {when(recovery!.executableAt)}, another key will sign for them instead of this device's.</p>
      ))}
      {tab !== 'account' && <button type="button" onClick={onReview}>Review it in Account</button>}
    </div>
  );
}
