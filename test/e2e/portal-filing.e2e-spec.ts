import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { Role } from '../../gateway/src/auth/permissions';
import { RecordEntity } from '../../gateway/src/records/record.entity';
import { AccessFactory, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { generatedBundle } from '../factories/fhir-bundle.factory';
import { PatientFactory } from '../factories/patient.factory';
import { accessibilityViolations, launchBrowser, screenshot } from '../support/browser';
import { registerInPortal } from '../support/portal-patient';
import { createTestApp, removeGatewayData, servedAt, TestApp } from '../support/test-app';

const SUITE = 'portal';
// Browser steps on a loaded two-core CI machine can take minutes (see portal-story).
jest.setTimeout(180_000);

/**
 * A doctor files a record in the browser for the patient at the desk: the patient shows the
 * filing token their portal made for this hospital, the doctor picks the file and the date of
 * care, and the patient sees the record in their own portal. A pharmacist is offered no filing.
 */
describe('filing a record in the doctor portal (e2e)', () => {
  let gw: TestApp;
  let url: string;
  let launched: Awaited<ReturnType<typeof launchBrowser>>;
  let patientPage: Page;
  let doctorPage: Page;
  let hospital: AdmittedHospital;
  let doctor: Practitioner;
  let filingToken: string;
  /** A scanned letter: a PDF, as the gateway types files by their bytes. */
  const letter = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2000), Buffer.from('\n%%EOF\n')]);

  beforeAll(async () => {
    gw = await createTestApp();
    url = await servedAt(gw);
    const adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccessFactory.hospital(gw, adminToken);
    doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
    launched = await launchBrowser();
    patientPage = await (await launched.context({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
    doctorPage = await (await launched.context({ viewport: { width: 1280, height: 900 } })).newPage();
  });
  afterEach(async () => screenshot(doctorPage, SUITE, 'last-filing'));
  afterAll(async () => {
    await launched?.browser.close();
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const signIn = async (page: Page, who: { username: string; password: string }) => {
    await page.goto(`${url}/#/doctor`);
    await page.getByLabel('User name').fill(who.username);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'My patients' }).waitFor();
  };
  const handleOf = async (recordId: string) => (await gw.app.get(DataSource).getRepository(RecordEntity).findOneByOrFail({ recordId, version: 1 })).patientHandle;

  it('the doctor files a scanned letter and a FHIR report with the token the patient shows; the patient sees both', async () => {
    await registerInPortal(patientPage, gw, url, { resident: PatientFactory.resident(10), password: 'correct horse battery staple', hospital: { name: 'City Hospital', address: hospital.address } });
    await patientPage.getByRole('button', { name: 'Show my filing token' }).click();
    filingToken = (await patientPage.getByTestId('filing-token').textContent())!;

    await signIn(doctorPage, doctor);
    await doctorPage.getByRole('tab', { name: 'File a record' }).click();
    const form = doctorPage.locator('form', { has: doctorPage.getByRole('button', { name: 'File this record' }) });
    // Something that is not a token: said in plain words, and nothing is filed.
    await doctorPage.getByLabel("Patient's filing token").fill('not-a-token');
    await doctorPage.getByLabel('File', { exact: true }).setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: letter });
    await doctorPage.getByRole('button', { name: 'File this record' }).click();
    await form.getByRole('alert').filter({ hasText: 'That is not a filing token.' }).waitFor();
    expect(await gw.app.get(DataSource).getRepository(RecordEntity).count()).toBe(0);

    // The token the patient showed: the letter is filed, under the patient's pseudonym at this hospital.
    await doctorPage.getByLabel("Patient's filing token").fill(filingToken);
    await doctorPage.getByLabel('Kind of record').selectOption({ label: 'Document' });
    await doctorPage.getByLabel('Date of care').fill('2026-11-30');
    await doctorPage.getByRole('button', { name: 'File this record' }).click();
    const filed = doctorPage.getByRole('region', { name: 'Records you filed' });
    await filed.getByText(/Document of 2026-11-30 \(application\/pdf\): record/).waitFor();
    // Ready for the next record, and never under this patient's token by mistake.
    expect(await doctorPage.getByLabel('File', { exact: true }).inputValue()).toBe('');
    expect(await doctorPage.getByLabel("Patient's filing token").inputValue()).toBe('');
    await screenshot(doctorPage, SUITE, '23-doctor-file-record');
    expect(await accessibilityViolations(doctorPage)).toEqual([]);

    // A FHIR report from the hospital's system, as a JSON file: validated and de-identified like any filing.
    const { bundle, clinical } = generatedBundle();
    await doctorPage.getByRole('button', { name: 'Another record for the same patient' }).click();
    expect(await doctorPage.getByLabel("Patient's filing token").inputValue()).toBe(filingToken);
    await doctorPage.getByLabel('Kind of record').selectOption({ label: 'Test report' });
    await doctorPage.getByLabel('Date of care').fill(clinical.encounterDate);
    await doctorPage.getByLabel('File', { exact: true }).setInputFiles({ name: 'report.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
    await doctorPage.getByRole('button', { name: 'File this record' }).click();
    await filed.getByText(new RegExp(`Test report of ${clinical.encounterDate} \\(application/fhir\\+json\\)`)).waitFor();

    const recordIds = (await filed.locator('.token').allTextContents()).map((id) => id.trim());
    expect(recordIds).toHaveLength(2);
    const records = gw.app.get(DataSource).getRepository(RecordEntity);
    expect(await records.count()).toBe(2); // each filed once
    expect(new Set(await Promise.all(recordIds.map(handleOf))).size).toBe(1);

    // The patient's portal lists both under City Hospital.
    await patientPage.getByRole('button', { name: 'Refresh records' }).click();
    await patientPage.getByRole('cell', { name: 'Document', exact: true }).waitFor();
    await patientPage.getByRole('cell', { name: 'Test report', exact: true }).waitFor();
  });

  it('offers a pharmacist no filing', async () => {
    const pharmacist = await AccessFactory.practitioner(gw, await AccountFactory.adminToken(gw), hospital, Role.Pharmacist);
    const desk = await (await launched.context({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(desk, pharmacist);
    expect(await desk.getByRole('tab', { name: 'Emergency access' }).count()).toBe(1);
    expect(await desk.getByRole('tab', { name: 'File a record' }).count()).toBe(0);
  });
});
