import type { Browser, Page } from 'playwright-core';
import { AccessFactory, Practitioner } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { launchBrowser } from '../support/browser';
import { createTestApp, removeGatewayData, servedAt, TestApp } from '../support/test-app';

/**
 * Issue 15 (WCAG 2.2 AA, keyboard): the portal is usable without a pointer. The skip link leads
 * to the content, a doctor signs in with Tab and Enter, tabs move with the arrow keys, and the
 * Aadhaar field is shown and hidden again with the keyboard.
 */
describe('the portal with the keyboard alone (e2e)', () => {
  let gw: TestApp;
  let url: string;
  let browser: Browser;
  let page: Page;
  let doctor: Practitioner;

  beforeAll(async () => {
    gw = await createTestApp();
    url = await servedAt(gw);
    const launched = await launchBrowser();
    browser = launched.browser;
    page = await (await launched.context()).newPage();
    const adminToken = await AccountFactory.adminToken(gw);
    doctor = await AccessFactory.practitioner(gw, adminToken, await AccessFactory.hospital(gw, adminToken));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  /** What has the keyboard focus: its tag, accessible name bits and role. */
  const focused = () => page.evaluate<{ tag: string; text: string; label: string; role: string | null; selected: string | null }>(
    `(() => { const el = document.activeElement; const label = el.id ? (document.querySelector('label[for="' + el.id + '"]') || {}).textContent || '' : '';
      return { tag: el.tagName.toLowerCase(), text: (el.textContent || '').trim(), label: label.trim(), role: el.getAttribute('role'), selected: el.getAttribute('aria-selected') }; })()`,
  );

  it('the first Tab reaches the skip link, which moves focus to the content', async () => {
    await page.goto(`${url}/#/doctor`);
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'a', text: 'Skip to content' });
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');
    // The page stays the doctor's: the fragment that names it is untouched.
    expect(await page.evaluate<string>('location.hash')).toBe('#/doctor');
    await page.getByRole('heading', { name: 'Doctor sign-in' }).waitFor();
  });

  it('a doctor signs in with Tab, typing and Enter, and moves between tabs with the arrow keys', async () => {
    await page.goto(`${url}/#/doctor`);
    await page.getByRole('heading', { name: 'Doctor sign-in' }).waitFor();
    for (let i = 0; i < 20 && (await focused()).label !== 'User name'; i++) await page.keyboard.press('Tab');
    expect((await focused()).label).toBe('User name');
    await page.keyboard.type(doctor.username);
    await page.keyboard.press('Tab');
    expect((await focused()).label).toBe('Password');
    await page.keyboard.type(doctor.password);
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'My patients' }).waitFor();

    for (let i = 0; i < 20 && (await focused()).role !== 'tab'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ role: 'tab', text: 'My patients', selected: 'true' });
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toMatchObject({ role: 'tab', text: 'Consent requests', selected: 'true' });
    await page.getByRole('button', { name: 'Sign and send request' }).waitFor();
    // Left from the first tab wraps round to the last.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await focused()).toMatchObject({ role: 'tab', text: 'File a record', selected: 'true' });
    await page.getByRole('button', { name: 'File this record' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    expect(await focused()).toMatchObject({ role: 'tab', text: 'Emergency access', selected: 'true' });
    await page.getByRole('button', { name: 'Sign and send emergency request' }).waitFor();
  });

  it('the Aadhaar number stays masked until the patient shows it with the keyboard, and hides again', async () => {
    await page.goto(`${url}/#/patient`);
    // A device that holds a registered patient's file: the portal asks them to sign in with their Aadhaar number.
    await page.evaluate("localStorage.setItem('ehrchain.patient', JSON.stringify({ format: 'ehrchain-patient/1', publicKey: '', privateKey: '', encryptedSecret: '', encryptedPseudonym: '', personaId: 'x' }))");
    await page.reload();
    const field = page.getByLabel('Aadhaar number');
    await field.focus();
    await page.keyboard.type('9999 0000 0012');
    expect(await field.getAttribute('type')).toBe('password');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'button', text: 'Show' });
    await page.keyboard.press('Space');
    expect(await field.getAttribute('type')).toBe('text');
    expect(await page.getByRole('button', { name: 'Hide' }).getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Space');
    expect(await field.getAttribute('type')).toBe('password');
  });
});
