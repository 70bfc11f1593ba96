import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AuthorityApp } from './authority/AuthorityApp';
import { DoctorApp } from './doctor/DoctorApp';
import { PatientApp } from './patient/PatientApp';

/**
 * The EHRChain portal, served by the gateway at /: patients (keys made and kept in this browser),
 * doctors, and consortium authorities. Pages are chosen by the URL's fragment (#/patient), so the
 * gateway serves one page and nothing of the navigation reaches its logs.
 */
const PAGES: Record<string, { title: string; view: () => preact.JSX.Element }> = {
  patient: { title: 'Patients', view: () => <PatientApp /> },
  doctor: { title: 'Doctors', view: () => <DoctorApp /> },
  authority: { title: 'Authorities', view: () => <AuthorityApp /> },
};

const pageOf = () => location.hash.replace(/^#\/?/, '').split('/')[0] ?? '';

function Home() {
  return (
    <>
      <h1>Your health records, shared only as you decide</h1>
      <p>Hospitals file your records under a pseudonym. You choose who may read them, for what and until when; every read is logged on a public ledger that you can check.</p>
      <div class="cards">
        <a class="card" href="#/patient"><h2>I am a patient</h2><p>Register, see your records, approve or revoke consent, see who read what.</p></a>
        <a class="card" href="#/doctor"><h2>I am a doctor</h2><p>Your patients, the records their consent covers, requests and emergencies.</p></a>
        <a class="card" href="#/authority"><h2>I am an authority</h2><p>Emergency requests awaiting the consortium's approval.</p></a>
      </div>
    </>
  );
}

function App() {
  const [page, setPage] = useState(pageOf());
  useEffect(() => {
    const onHash = () => setPage(pageOf());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const current = PAGES[page];
  useEffect(() => {
    document.title = current ? `${current.title} · EHRChain` : 'EHRChain';
  }, [page]);
  return (
    <>
      {/* Moves focus without touching the URL's fragment, which names the page. */}
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="name" href="#/">EHRChain</a>
        <nav aria-label="Portals">
          {Object.entries(PAGES).map(([id, p]) => <a href={`#/${id}`} aria-current={id === page ? 'page' : undefined}>{p.title}</a>)}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>{current ? current.view() : <Home />}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
