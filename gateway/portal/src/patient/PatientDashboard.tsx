import { Tabs } from '../ui';
import { Account } from './Account';
import { Activity } from './Activity';
import { Hospitals } from './Hospitals';
import { Sharing } from './Sharing';
import type { PatientSession } from './session';

export function PatientDashboard({ session, onSignOut, onErased }: { session: PatientSession; onSignOut(): void; onErased(): void }) {
  return (
    <>
      <div class="row" style="justify-content: space-between">
        <h1>Your health records</h1>
        <button type="button" class="secondary" onClick={onSignOut}>Sign out</button>
      </div>
      <Tabs label="Your records, sharing and activity" tabs={[
        { id: 'hospitals', title: 'Hospitals and records', panel: () => <Hospitals session={session} /> },
        { id: 'sharing', title: 'Sharing', panel: () => <Sharing session={session} /> },
        { id: 'activity', title: 'Who read what', panel: () => <Activity session={session} /> },
        { id: 'account', title: 'Account', panel: () => <Account session={session} onErased={onErased} /> },
      ]} />
    </>
  );
}
