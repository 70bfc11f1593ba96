import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ConsentManager } from '../../gateway/src/chain/consent-manager';
import { signRecovery } from '../../gateway/src/chain/patient-messages';
import { deriveGuardianKey, deriveRelationship, LedgerScope } from '../../gateway/src/chain/relationships';
import { unlockWallet, Wallet } from '../../gateway/sdk/wallet-format';
import { AccessFactory } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { PatientFactory } from '../factories/patient.factory';
import { accessibilityViolations, launchBrowser, screenshot } from '../support/browser';
import { registerInPortal } from '../support/portal-patient';
import { chainClock } from '../support/chain-clock';
import { createTestApp, embeddedChain, removeGatewayData, servedAt, TestApp } from '../support/test-app';

const SUITE = 'portal';
const PASSWORD = 'correct horse battery staple';
// Browser steps on a loaded two-core CI machine can take minutes (see portal-story).
jest.setTimeout(180_000);

/**
 * Guardian recovery, as the patient meets it in the portal: they name guardians; if someone holding
 * a guardian's key starts moving their records to another key, the patient sees it (Account, and
 * the notifications) and stops it with one click while it waits; a recovery every guardian signed
 * is said to be beyond their veto.
 */
describe('guardian recovery in the portal (e2e)', () => {
  let gw: TestApp;
  let url: string;
  let browser: Browser;
  let patientPage: Page;
  let hospital: { name: string; address: string };
  let scope: LedgerScope;
  let handle: string;
  const guardianSecrets = [0, 1].map(() => new Uint8Array(randomBytes(32)));

  beforeAll(async () => {
    gw = await createTestApp();
    url = await servedAt(gw);
    const launched = await launchBrowser();
    browser = launched.browser;
    patientPage = await (await launched.context({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
    hospital = { name: 'City Hospital', address: (await AccessFactory.hospital(gw, await AccountFactory.adminToken(gw))).address };
    scope = AccessFactory.scope(gw);
  });
  afterEach(async () => screenshot(patientPage, SUITE, 'last-recovery'));
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('the patient names two guardians, one of whom may start a recovery; none waits', async () => {
    await registerInPortal(patientPage, gw, url, { resident: PatientFactory.resident(9), password: PASSWORD, hospital });
    const wallet = JSON.parse(await patientPage.evaluate<string>("localStorage.getItem('ehrchain.patient')")) as Wallet;
    handle = deriveRelationship((await unlockWallet(wallet, PASSWORD)).secret, scope, hospital.address).handle;
    const guardians = guardianSecrets.map((secret) => deriveGuardianKey(secret, scope, handle).address);

    await patientPage.getByRole('tab', { name: 'Account' }).click();
    await patientPage.getByLabel('Guardian addresses').fill(guardians.join('\n'));
    await patientPage.getByLabel('How many must agree to a recovery').fill('1');
    await patientPage.getByRole('button', { name: 'Name these guardians' }).click();
    await patientPage.getByText(/New guardians \(1 of 2\) take effect on/).waitFor();
    expect(await patientPage.getByRole('region', { name: 'A recovery is waiting' }).count()).toBe(0);
  });

  // Guardians come into force three days after they are named, and a recovery waits three more:
  // the chain's clock (this file's own Anvil) and the phone's are moved, which a shared network's is not.
  const onEmbeddedChain = embeddedChain() ? it : () => undefined;
  onEmbeddedChain('a guardian\'s key starts a recovery: the patient sees it and stops it with one click; one all guardians signed cannot be stopped', async () => {
    const chain = gw.app.get(ChainClient);
    const consentManager = gw.app.get(ConsentManager);
    const { now: chainNow, passDays } = chainClock(gw);
    const signer = await consentManager.signerOf(handle);
    await passDays(3);
    await patientPage.clock.setSystemTime(new Date((await chainNow()) * 1000));
    await chain.send(consentManager.contract, 'applyGuardians', [handle]);

    // Whoever holds one guardian's key moves the records to a key of theirs.
    const thief = deriveGuardianKey(new Uint8Array(randomBytes(32)), scope, handle).address;
    const start = async (secrets: Uint8Array[]) => {
      const [nonce] = await chain.call(consentManager.contract, 'recoveryNonces', [handle]);
      const recovery = { handle, newSigner: thief, nonce: Number(nonce), deadline: (await chainNow()) + 3600 };
      const signatures = secrets.map((secret) => signRecovery(deriveGuardianKey(secret, scope, handle).privateKey, scope, recovery));
      await chain.send(consentManager.contract, 'startRecovery', [handle, thief, recovery.deadline, signatures]);
    };
    await start(guardianSecrets.slice(0, 1));

    // The dashboard says so above every tab, and so do the notifications; the banner leads to
    // Account, which shows the way to stop it.
    await patientPage.getByRole('tab', { name: 'Hospitals and records' }).click();
    const banner = patientPage.getByRole('alert').filter({ hasText: `Your guardians started a recovery of your records from ${hospital.name}.` });
    await banner.waitFor();
    await screenshot(patientPage, SUITE, '22-patient-recovery-banner');
    expect(await accessibilityViolations(patientPage)).toEqual([]);
    await patientPage.getByRole('tab', { name: 'Who read what' }).click();
    await patientPage.getByText(/Your guardians started a recovery: from .* signs for you instead of your key, unless you veto it/).waitFor();
    await banner.getByRole('button', { name: 'Review it in Account' }).click();
    expect(await patientPage.getByRole('tab', { name: 'Account' }).getAttribute('aria-selected')).toBe('true');
    const waiting = patientPage.getByRole('region', { name: 'A recovery is waiting' });
    await waiting.getByText('Your guardians started a recovery of these records.').waitFor();
    expect(await waiting.getByLabel(thief).count()).toBe(1);
    await screenshot(patientPage, SUITE, '21-patient-recovery-waiting');
    expect(await accessibilityViolations(patientPage)).toEqual([]);
    await waiting.getByRole('button', { name: 'Stop this recovery' }).click();
    await patientPage.getByText('You stopped the recovery. The keys on this device still sign for these records.').waitFor();
    await waiting.waitFor({ state: 'detached' });
    const [stopped] = await chain.call(consentManager.contract, 'pendingRecoveryOf', [handle]);
    expect(stopped).toBe('0x0000000000000000000000000000000000000000');
    expect(await consentManager.signerOf(handle)).toBe(signer);
    await patientPage.getByRole('tab', { name: 'Hospitals and records' }).click();
    await banner.waitFor({ state: 'detached' });

    // Both guardians signed this one: the page says it cannot be stopped, and offers no button.
    await start(guardianSecrets);
    await patientPage.getByRole('tab', { name: 'Who read what' }).click();
    await patientPage.getByRole('tab', { name: 'Account' }).click();
    await patientPage.getByRole('region', { name: 'A recovery is waiting' }).getByText(/Every one of your guardians signed it, so it cannot be stopped from here/).waitFor();
    expect(await patientPage.getByRole('button', { name: 'Stop this recovery' }).count()).toBe(0);
  });
});
