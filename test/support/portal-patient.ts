import type { Page } from 'playwright-core';
import type { SandboxResident } from '../../gateway/src/identity/sandbox-ekyc';
import { PatientFactory } from '../factories/patient.factory';
import { eventually } from './eventually';
import type { TestApp } from './test-app';

/**
 * A patient in the portal, as a person gets there: keys made in the browser under `password`,
 * registered with their Aadhaar number and the code sent to their mobile, and `hospital` added
 * (its relationship registered on chain). Leaves the page on the dashboard.
 */
export async function registerInPortal(page: Page, gw: TestApp, url: string, patient: { resident: SandboxResident; password: string; hospital: { name: string; address: string } }): Promise<void> {
  const { resident, password, hospital } = patient;
  await page.goto(`${url}/#/patient`);
  await page.getByLabel('Password for your keys').fill(password);
  await page.getByLabel('The same password again').fill(password);
  await page.getByRole('button', { name: 'Make my keys' }).click();
  await page.getByRole('button', { name: 'Continue to registration' }).click({ timeout: 60_000 });
  await page.getByLabel('Aadhaar number').fill(resident.aadhaar);
  await page.getByLabel('Name as on your Aadhaar record').fill(resident.name);
  await page.getByLabel('Year of birth').fill(String(resident.yearOfBirth));
  await page.getByLabel({ F: 'Female', M: 'Male', T: 'Transgender' }[resident.gender], { exact: true }).check();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByLabel('Six-digit code').fill(await eventually(() => PatientFactory.lastCode(gw, resident), { timeoutMs: 30_000 }));
  await page.getByRole('button', { name: 'Confirm registration' }).click();
  await page.getByLabel('Hospital name').fill(hospital.name);
  await page.getByLabel('Hospital address').fill(hospital.address);
  await page.getByRole('button', { name: 'Add hospital' }).click();
  await page.getByRole('button', { name: 'Show my filing token' }).waitFor();
}
