import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eth } from 'web3';
import { unlockWallet, Wallet } from '../../gateway/sdk/wallet-format';
import { Role } from '../../gateway/src/auth/permissions';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { deriveGuardianKey, deriveRelationship } from '../../gateway/src/chain/relationships';
import { AccessFactory, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { RecordFactory } from '../factories/record.factory';
import { ConsortiumAt, proposedAdmission } from '../support/consortium-members';
import { AccountFactory, TestPerson } from '../factories/account.factory';
import { PatientFactory } from '../factories/patient.factory';
import { accessibilityViolations, launchBrowser, screenshot, SentRequest } from '../support/browser';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, servedAt, TestApp } from '../support/test-app';

const SUITE = 'portal';
const PASSWORD = 'correct horse battery staple';
// Each step is several people's clicks, chain writes and WCAG checks in a real browser: on a
// loaded two-core CI machine one can take minutes, and Playwright's own waits say what was awaited.
jest.setTimeout(180_000);

/**
 * Issue 15, "Done when": the access story of issue 14, done by people in a real browser (Debian's
 * Chromium) on the real gateway. A patient makes keys in the browser, registers with Aadhaar and a
 * code, shows a hospital their filing token; the hospital's system files a record; a doctor is
 * refused, asks for consent, the patient approves it, the doctor reads (tables and a chart), the
 * patient sees the read, revokes, the doctor is refused again; an emergency is asked, approved by
 * the authorities and read; the patient sees it all and erases their identity; an authority
 * proposes suspending the hospital and the others approve it. Every page is
 * screenshotted and checked against WCAG 2.2 AA rules (axe-core); the network traffic of both
 * browsers holds no private key, pseudonym, patient secret or Aadhaar number.
 */
describe('the portal, in a browser (e2e)', () => {
  let gw: TestApp;
  let url: string;
  let browser: Browser;
  let launched: Awaited<ReturnType<typeof launchBrowser>>;
  let sent: SentRequest[];
  let patientPage: Page;
  let doctorPage: Page;
  let hospital: AdmittedHospital;
  let doctor: Practitioner;
  let adminToken: string;
  let consortium: ConsortiumAt;
  const authorities: TestPerson[] = [];
  const resident = PatientFactory.resident(5);

  beforeAll(async () => {
    gw = await createTestApp();
    url = await servedAt(gw);
    launched = await launchBrowser();
    browser = launched.browser;
    sent = launched.sent;
    // The patient on a phone, the doctor at a desk.
    patientPage = await (await launched.context({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, acceptDownloads: true })).newPage();
    doctorPage = await (await launched.context({ viewport: { width: 1280, height: 900 } })).newPage();
    adminToken = await AccountFactory.adminToken(gw);
    consortium = await AccessFactory.consortium(gw);
  });
  afterEach(async () => {
    // Where each browser stood when the test ended: what to look at when one fails.
    for (const [name, p] of [['last-patient', patientPage], ['last-doctor', doctorPage]] as const) await screenshot(p, SUITE, name);
  });
  afterAll(async () => {
    await Promise.all(keystoreDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    await browser?.close();
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  /** Screenshot and WCAG check of the page as it is now. */
  async function page(p: Page, name: string): Promise<void> {
    await screenshot(p, SUITE, name);
    expect({ page: name, violations: await accessibilityViolations(p) }).toEqual({ page: name, violations: [] });
    // Usable on a phone: the page never scrolls sideways (a wide table scrolls within its own box).
    const overflow = await p.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect({ page: name, overflow }).toEqual({ page: name, overflow: 0 });
  }

  /** Authority `index` of the consortium, signed in to the portal with an account naming its address, its key opened from a keystore file. */
  async function authorityDesk(index: number): Promise<Page> {
    const key = consortium.authorityKeys[index]!;
    const authority = authorities[index] ?? (authorities[index] = await AccountFactory.person(gw, adminToken, Role.Authority, { chainAddress: eth.accounts.privateKeyToAddress(key) }));
    const desk = await (await launched.context({ viewport: { width: 1280, height: 900 } })).newPage();
    await desk.goto(`${url}/#/authority`);
    await desk.getByLabel('User name').fill(authority.username);
    await desk.getByLabel('Password').fill(authority.password);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.getByLabel('Keystore file').setInputFiles(await keystoreFile(key));
    await desk.getByLabel('Keystore password').fill(PASSWORD);
    await desk.getByRole('button', { name: 'Open my signing key' }).click();
    await desk.getByText(/Your authority key .* is open/).waitFor();
    return desk;
  }

  it('an authority approves the admission of a hospital in the browser, with their own key', async () => {
    // One authority proposed it (its approval counts); the second approves it in the portal.
    const proposed = await proposedAdmission(consortium, consortium.authorityKeys[0]);
    hospital = { ...(await RecordFactory.hospital(gw, adminToken, proposed.hospital.address)), key: proposed.hospital };
    const desk = await authorityDesk(1);
    const proposal = desk.locator('li', { hasText: `Proposal ${proposed.proposalId}: Admit` });
    await proposal.getByText(`1 of ${consortium.threshold} approvals`).waitFor();
    await page(desk, '00-authority-proposals');
    await proposal.getByRole('button', { name: `Approve proposal ${proposed.proposalId}` }).click();
    await desk.getByText(`Your approval of proposal ${proposed.proposalId} is on chain`).waitFor();
    await desk.close();
    const registry = gw.app.get(ChainClient).contract('ConsortiumRegistry', consortium.registry);
    expect(await gw.app.get(ChainClient).call(registry, 'isActiveHospital', [hospital.address])).toEqual([true]);
    // The hospital, admitted, registers its doctor on chain; the gateway's administrator gives them an account.
    doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
  });

  it('a patient makes keys, registers and lets a hospital file a record, which they read', async () => {
    await patientPage.goto(`${url}/`);
    await page(patientPage, '01-home');
    await patientPage.getByRole('link', { name: /I am a patient/ }).click();
    await patientPage.getByLabel('Password for your keys').fill(PASSWORD);
    await patientPage.getByLabel('The same password again').fill(PASSWORD);
    await page(patientPage, '02-patient-keys');
    await patientPage.getByRole('button', { name: 'Make my keys' }).click();
    await patientPage.getByRole('heading', { name: 'Your keys are made' }).waitFor({ timeout: 30_000 });
    const download = patientPage.waitForEvent('download');
    await patientPage.getByRole('button', { name: 'Download backup file' }).click();
    const backup = JSON.parse(await streamText(await (await download).createReadStream())) as Wallet;
    expect(backup.format).toBe('ehrchain-patient/1');
    await patientPage.getByRole('button', { name: 'Continue to registration' }).click();

    await patientPage.getByLabel('Aadhaar number').fill(resident.aadhaar);
    expect(await patientPage.getByLabel('Aadhaar number').getAttribute('type')).toBe('password');
    await patientPage.getByLabel('Name as on your Aadhaar record').fill(resident.name);
    await patientPage.getByLabel('Year of birth').fill(String(resident.yearOfBirth));
    await patientPage.getByLabel({ F: 'Female', M: 'Male', T: 'Transgender' }[resident.gender]).check();
    await page(patientPage, '03-patient-register');
    await patientPage.getByRole('button', { name: 'Send me a code' }).click();
    await patientPage.getByLabel('Six-digit code').fill(await eventually(() => PatientFactory.lastCode(gw, resident), { timeoutMs: 30_000 }));
    await page(patientPage, '04-patient-code');
    await patientPage.getByRole('button', { name: 'Confirm registration' }).click();
    await patientPage.getByRole('heading', { name: 'Your health records' }).waitFor();

    await patientPage.getByLabel('Hospital name').fill('City Hospital');
    await patientPage.getByLabel('Hospital address').fill(hospital.address);
    await patientPage.getByRole('button', { name: 'Add hospital' }).click();
    await patientPage.getByRole('button', { name: 'Show my filing token' }).click();
    const filingToken = (await patientPage.getByTestId('filing-token').textContent())!;
    await page(patientPage, '05-patient-filing-token');

    const filed = await gw.http.post('/v1/records?category=OPConsultation&wait=anchored').set(hospital.auth).set('X-Filing-Token', filingToken)
      .set('Content-Type', 'application/fhir+json').send(JSON.stringify(hba1cBundle())).expect(201);
    recordId = filed.body.recordId;
    recordsHandle = filed.body.anchor.version.patientHandle;
    await patientPage.getByRole('button', { name: 'Refresh records' }).click();
    await patientPage.getByRole('button', { name: /Read the Consultation/ }).click();
    await patientPage.getByRole('table', { name: 'Observations' }).waitFor();
    await page(patientPage, '06-patient-record');

    // The hospital corrects the last reading: version 2, chained to version 1 on chain; both listed.
    const corrected = hba1cBundle();
    (corrected.entry[3]!.resource as { valueQuantity: { value: number } }).valueQuantity.value = 6.0;
    await gw.http.post(`/v1/records/${recordId}/versions?wait=anchored`).set(hospital.auth).set('Content-Type', 'application/fhir+json').send(JSON.stringify(corrected)).expect(201);
    await patientPage.getByRole('button', { name: 'Refresh records' }).click();
    await patientPage.getByRole('cell', { name: 'Consultation (version 2)' }).waitFor();
    await patientPage.getByRole('button', { name: 'Versions' }).click();
    await patientPage.getByText(/Version 1, filed .*, superseded/).waitFor();
    await patientPage.getByText(/Version 2, filed .*, current/).waitFor();
    await patientPage.getByRole('button', { name: /Read the Consultation/ }).click();
    await patientPage.getByRole('cell', { name: '6', exact: true }).waitFor();

    wallet = JSON.parse(await patientPage.evaluate<string>("localStorage.getItem('ehrchain.patient')"));
  });

  let recordId: string;
  let doctorCode: string;
  let recordsHandle: string;
  let wallet: Wallet;

  it('a doctor is refused, asks for consent, the patient approves it in plain words, and the doctor reads tables and a chart', async () => {
    await doctorPage.goto(`${url}/#/doctor`);
    await doctorPage.getByLabel('User name').fill(doctor.username);
    await doctorPage.getByLabel('Password').fill(doctor.password);
    await page(doctorPage, '07-doctor-sign-in');
    await doctorPage.getByRole('button', { name: 'Sign in' }).click();
    await doctorPage.getByText('No patient has given you consent yet.').waitFor();
    await readById(doctorPage, recordId, 'Care');
    await doctorPage.getByRole('alert').filter({ hasText: 'has not given you consent' }).waitFor();
    await page(doctorPage, '08-doctor-refused');

    // The patient connects the doctor and gives them the code of that relationship.
    await patientPage.getByRole('tab', { name: 'Sharing' }).click();
    await patientPage.getByLabel('Doctor name').fill('Dr Rao');
    await patientPage.getByLabel('Doctor address', { exact: true }).fill(doctor.address);
    await patientPage.getByRole('button', { name: 'Connect doctor' }).click();
    await patientPage.getByText('Code for Dr Rao').click();
    doctorCode = (await patientPage.getByTestId(`doctor-code-${doctor.address.toLowerCase()}`).textContent())!;

    // The doctor opens their keystore here and signs a request.
    await doctorPage.getByRole('tab', { name: 'Consent requests' }).click();
    await doctorPage.getByLabel('Keystore file').setInputFiles(await keystoreFile(doctor.key.key));
    await doctorPage.getByLabel('Keystore password').fill(PASSWORD);
    await doctorPage.getByRole('button', { name: 'Open my signing key' }).click();
    await doctorPage.getByText('Your signing key is open on this device for this session.').waitFor();
    await doctorPage.getByLabel('Patient code').fill(doctorCode);
    await doctorPage.getByLabel('For how many days').fill('30');
    await page(doctorPage, '09-doctor-request');
    await doctorPage.getByRole('button', { name: 'Sign and send request' }).click();
    await doctorPage.getByText(/requested/).first().waitFor();

    // The patient sees it in plain words and approves it.
    await patientPage.getByRole('tab', { name: 'Who read what' }).click();
    await patientPage.getByRole('tab', { name: 'Sharing' }).click();
    const request = patientPage.locator('li', { hasText: 'asked on' });
    await request.getByText(/May read all your records, to treat you, until/).waitFor();
    await page(patientPage, '10-patient-request');
    await request.getByRole('button', { name: 'Approve' }).click();
    await patientPage.getByText('No requests from Dr Rao await your answer.').waitFor();
    await patientPage.locator('li', { hasText: 'Dr Rao' }).getByText('active').waitFor();
    await page(patientPage, '11-patient-consents');

    // The doctor sees the patient, the consent's scope, and reads.
    await doctorPage.getByRole('tab', { name: 'My patients' }).click();
    await doctorPage.getByText(/You may read all their records, to treat them, until/).waitFor();
    await doctorPage.getByRole('button', { name: /Read the Consultation/ }).click();
    await doctorPage.getByRole('table', { name: 'Observations' }).waitFor();
    await doctorPage.getByRole('img', { name: /HbA1c over time/ }).waitFor();
    await doctorPage.getByText('Metformin 500 mg: One tablet twice a day').waitFor();
    await page(doctorPage, '12-doctor-record');
  });

  it('the patient sees the read, revokes with one click, and the doctor is refused with the reason', async () => {
    await patientPage.getByRole('tab', { name: 'Who read what' }).click();
    await patientPage.getByRole('list', { name: /Reads of your records/ }).getByText(/read your consultation of 2026-06-02 to treat you/).waitFor();
    await page(patientPage, '13-patient-timeline');

    await patientPage.getByRole('tab', { name: 'Sharing' }).click();
    await patientPage.getByRole('button', { name: 'Revoke Dr Rao' }).click();
    await patientPage.getByText(/Revoked: Dr Rao is refused from block \d+ on/).waitFor();
    await page(patientPage, '14-patient-revoked');

    await doctorPage.getByRole('tab', { name: 'My patients' }).click();
    await readById(doctorPage, recordId, 'Care');
    await doctorPage.getByRole('alert').filter({ hasText: 'revoked the consent' }).waitFor();
    await page(doctorPage, '15-doctor-revoked');
  });

  it('the patient gives a narrower consent directly, which refuses the consultation with its reason, and denies a second request', async () => {
    await patientPage.getByRole('tab', { name: 'Sharing' }).click();
    const grant = patientPage.getByRole('group', { name: 'Which records' });
    for (const kind of ['consultation notes', 'discharge summaries', 'test results and reports', 'vaccinations', 'scanned documents', 'wellness readings']) {
      await grant.getByLabel(kind).uncheck();
    }
    await patientPage.getByLabel('For how many days').fill('7');
    await patientPage.getByText(/Dr Rao may read your prescriptions, to treat you, until/).waitFor();
    await patientPage.getByRole('button', { name: 'Give consent' }).click();
    await patientPage.getByText(/Consent given to Dr Rao \(block \d+\)/).waitFor();

    await doctorPage.getByRole('button', { name: 'Refresh patients' }).click();
    await doctorPage.getByText(/You may read their prescriptions, to treat them/).waitFor();
    await readById(doctorPage, recordId, 'Care');
    await doctorPage.getByRole('alert').filter({ hasText: 'does not cover this kind of record' }).waitFor();

    await doctorPage.getByRole('tab', { name: 'Consent requests' }).click();
    await doctorPage.getByLabel('Patient code').fill(doctorCode);
    await doctorPage.getByRole('button', { name: 'Sign and send request' }).click();
    // The gateway answers once the request is on chain; only then can the patient's page find it.
    await doctorPage.locator('li', { hasText: 'requested' }).waitFor();
    await patientPage.getByRole('button', { name: 'Check for new requests' }).click();
    await patientPage.locator('li', { hasText: 'asked on' }).getByRole('button', { name: 'Deny' }).click();
    await patientPage.getByText("You denied Dr Rao's request.").waitFor();
    await doctorPage.getByRole('tab', { name: 'My patients' }).click();
    await doctorPage.getByRole('tab', { name: 'Consent requests' }).click();
    await doctorPage.getByText('denied').waitFor();
  });

  it('an emergency: the doctor asks, the patient sees it, authorities approve, the doctor reads, the patient sees that too', async () => {
    await doctorPage.getByRole('tab', { name: 'Emergency access' }).click();
    await doctorPage.getByLabel("Patient's records pseudonym").fill(recordsHandle);
    await doctorPage.getByLabel('Reason').fill('Found unresponsive in the ward; current medication needed');
    await doctorPage.getByLabel('For how many hours').fill('2');
    await doctorPage.getByRole('button', { name: 'Sign and send emergency request' }).click();
    await doctorPage.getByText('Status: pending').waitFor();
    await page(doctorPage, '16-doctor-emergency');

    await patientPage.getByRole('tab', { name: 'Sharing' }).click();
    await patientPage.getByRole('tab', { name: 'Who read what' }).click();
    await patientPage.getByText(/Found unresponsive in the ward/).first().waitFor();

    // Two authorities review it in their portal and approve it with their own keys, opened in their browsers.
    for (const index of [0, 1].slice(0, consortium.threshold)) {
      const desk = await authorityDesk(index);
      const request = desk.locator('li', { hasText: 'Found unresponsive in the ward' });
      await request.waitFor();
      if (index === 0) await page(desk, '17-authority-review');
      await request.getByRole('button', { name: /^Approve request/ }).click();
      await desk.getByText(/Your approval of emergency \d+ is on chain/).waitFor();
      await desk.close();
    }

    // Each approval was on chain when the authority's page said so: one refresh shows the grant.
    await doctorPage.getByRole('button', { name: 'Refresh' }).click();
    await doctorPage.getByText('Status: granted').waitFor();
    await doctorPage.getByRole('tab', { name: 'My patients' }).click();
    await readById(doctorPage, recordId, 'Emergency');
    await doctorPage.getByRole('table', { name: 'Observations' }).waitFor();

    await patientPage.getByRole('tab', { name: 'Sharing' }).click();
    await patientPage.getByRole('tab', { name: 'Who read what' }).click();
    await patientPage.getByText(/read your consultation of 2026-06-02 in an emergency/).waitFor();
    await patientPage.getByText(/Status: granted/).waitFor();
    await page(patientPage, '18-patient-emergency');
  });

  it('the patient names a guardian, finds their own address as someone else\'s guardian, and erases their identity', async () => {
    const { secret } = await unlockWallet(wallet, PASSWORD);
    const scope = AccessFactory.scope(gw);
    await patientPage.getByRole('tab', { name: 'Account' }).click();
    await patientPage.getByText('Guardian code to give your guardians').click();
    expect(await patientPage.getByTestId(`guardian-code-${hospital.address.toLowerCase()}`).textContent()).toBe(recordsHandle);

    // A friend's code: the address shown is the one derived from this patient's secret for that code, and for it only.
    const friendsCode = `0x${randomBytes(32).toString('hex')}`;
    await patientPage.getByLabel('Their guardian code').fill(friendsCode);
    await patientPage.getByRole('button', { name: 'Show my guardian address' }).click();
    expect(await patientPage.getByTestId('guardian-address').textContent()).toBe(deriveGuardianKey(secret, scope, friendsCode).address);

    // The patient's own guardian: a friend's address for this patient's code, one of one must agree.
    const guardian = deriveGuardianKey(new Uint8Array(randomBytes(32)), scope, recordsHandle).address;
    await patientPage.getByLabel('Guardian addresses').fill(guardian);
    await patientPage.getByLabel('How many must agree to a recovery').fill('1');
    await patientPage.getByRole('button', { name: 'Name these guardians' }).click();
    await patientPage.getByText(/New guardians \(1 of 1\) take effect on/).waitFor();
    await page(patientPage, '19-patient-guardians');
    const consentManager = gw.app.get(ConsentManager);
    const [proposed] = await gw.app.get(ChainClient).call(consentManager.contract, 'proposedGuardiansOf', [recordsHandle]);
    expect(proposed).toEqual([guardian]);

    // Erasure: a fresh code, a box ticked; the device forgets the keys and the persona's token stops working.
    const personaToken = sent.find((r) => r.url.endsWith('/v1/persona') && r.method === 'GET')!.headers.authorization!;
    await patientPage.getByLabel('Aadhaar number').fill(resident.aadhaar);
    await patientPage.getByLabel('I understand this cannot be undone').check();
    await page(patientPage, '20-patient-erase');
    await patientPage.getByRole('button', { name: 'Send me a code to erase' }).click();
    await patientPage.getByLabel('Six-digit code').fill(await PatientFactory.signInCodeDelivered(gw, resident));
    await patientPage.getByRole('button', { name: 'Erase for good' }).click();
    await patientPage.getByRole('button', { name: 'Make my keys' }).waitFor();
    expect(await patientPage.evaluate<string | null>("localStorage.getItem('ehrchain.patient')")).toBeNull();
    expect((await gw.http.get('/v1/persona').set('Authorization', personaToken)).status).toBe(401);
  });

  it('an authority proposes suspending the hospital in the portal, the others approve it there, and the hospital is suspended', async () => {
    const proposer = await authorityDesk(0);
    await proposer.getByLabel('Suspend the hospital').check();
    await proposer.getByLabel('Hospital address').fill(hospital.address);
    await proposer.getByLabel('Reason or admission dossier').fill('Audit 2026-12: records filed for patients never admitted');
    await page(proposer, '22-authority-propose');
    await proposer.getByRole('button', { name: 'Sign and send proposal' }).click();
    const notice = proposer.getByText(/Your proposal \d+ \(suspend 0x[0-9a-fA-F]{40}\) is on chain .* this salt, which proves what it committed to: 0x[0-9a-f]{64}/);
    await notice.waitFor();
    const proposalId = Number(/Your proposal (\d+)/.exec((await notice.textContent())!)![1]);
    await proposer.locator('li', { hasText: `Proposal ${proposalId}: Suspend` }).getByText(`1 of ${consortium.threshold} approvals`).waitFor();
    await proposer.close();

    for (let index = 1; index < consortium.threshold; index++) {
      const desk = await authorityDesk(index);
      await desk.locator('li', { hasText: `Proposal ${proposalId}: Suspend` }).getByRole('button', { name: `Approve proposal ${proposalId}` }).click();
      await desk.getByText(`Your approval of proposal ${proposalId} is on chain`).waitFor();
      await desk.close();
    }
    const registry = gw.app.get(ChainClient).contract('ConsortiumRegistry', consortium.registry);
    expect(await gw.app.get(ChainClient).call(registry, 'isActiveHospital', [hospital.address])).toEqual([false]);
  });

  it('sent no private key (patient, doctor or authority), pseudonym, patient secret or Aadhaar number over the network', async () => {
    const { secret, pseudonym } = await unlockWallet(wallet, PASSWORD);
    const scope = AccessFactory.scope(gw);
    const secrets = {
      aadhaar: resident.aadhaar,
      'aadhaar, grouped': resident.aadhaar.replace(/(\d{4})(?=\d)/g, '$1 '),
      pseudonym: pseudonym.slice(2),
      'patient secret': Buffer.from(secret).toString('hex'),
      'persona key file': wallet.privateKey.split('\n')[1]!,
      'hospital relationship key': deriveRelationship(secret, scope, hospital.address).privateKey.slice(2),
      'doctor relationship key': deriveRelationship(secret, scope, doctor.address).privateKey.slice(2),
      'doctor key': doctor.key.key.slice(2),
      ...Object.fromEntries(consortium.authorityKeys.slice(0, consortium.threshold).map((key, i) => [`authority key ${i}`, key.slice(2)])),
    };
    expect(sent.length).toBeGreaterThan(20);
    const traffic = sent.map((r) => `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`).join('\n').toLowerCase();
    for (const [name, value] of Object.entries(secrets)) expect({ name, sent: traffic.includes(value.toLowerCase()) }).toEqual({ name, sent: false });
    // The Aadhaar number did travel, encrypted: the registration carried an enc1 envelope.
    expect(sent.some((r) => r.url.endsWith('/v1/patients/registrations') && /"aadhaar":"enc1\./.test(r.body))).toBe(true);
  });
});

const keystoreDirs: string[] = [];

/** A key as wallets export it (Web3 Secret Storage), in a file only this user reads (removed after the run). */
async function keystoreFile(privateKey: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ehr-keystore-'));
  keystoreDirs.push(dir);
  const path = join(dir, 'key.json');
  await writeFile(path, JSON.stringify(await eth.accounts.encrypt(privateKey, PASSWORD, { n: 1024 })), { mode: 0o600 });
  return path;
}

/** The doctor reads a record by its id, for care or in an emergency. */
async function readById(doctorPage: Page, recordId: string, purpose: 'Care' | 'Emergency'): Promise<void> {
  await doctorPage.getByLabel('Record id').fill(recordId);
  await doctorPage.getByLabel(new RegExp(`^${purpose}`)).check();
  await doctorPage.getByRole('button', { name: 'Read record' }).click();
}

function hba1cBundle() {
  const observation = (id: string, date: string, value: number) => ({
    resource: { resourceType: 'Observation', id, status: 'final', code: { text: 'HbA1c' }, subject: { reference: 'Patient/p' }, effectiveDateTime: date, valueQuantity: { value, unit: '%' } },
  });
  return {
    resourceType: 'Bundle', type: 'collection',
    entry: [
      { resource: { resourceType: 'Patient', id: 'p', gender: 'female', birthDate: '1984-05-06' } },
      observation('o1', '2026-06-02', 7.4), observation('o2', '2026-08-04', 6.8), observation('o3', '2026-10-02', 6.1),
      { resource: { resourceType: 'Condition', id: 'c', subject: { reference: 'Patient/p' }, code: { text: 'Type 2 diabetes mellitus' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } } },
      { resource: { resourceType: 'MedicationRequest', id: 'm', status: 'active', intent: 'order', subject: { reference: 'Patient/p' }, medicationCodeableConcept: { text: 'Metformin 500 mg' }, dosageInstruction: [{ text: 'One tablet twice a day' }] } },
    ],
  };
}

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
