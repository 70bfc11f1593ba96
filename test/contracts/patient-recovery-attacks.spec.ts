import { newKey, ZERO_ADDRESS } from './support/accounts';
import { revertOf } from './support/chain';
import { consentHelpers, consentRequestHelpers, Status } from './support/consent';
import { consentManagerTestbed } from './support/consent-manager';
import { patientHelpers } from './support/patients';
import { HOUR } from './support/rpc';

// Issue 9, point 4: a stolen consent key against the patient's guardians, and colluding guardians
// against the patient. Each ATTACK test performs the attack and fails if it succeeds.
describe('PatientRegistry: keys against guardians (contract, as deployed in ConsentManager)', () => {
  const bed = consentManagerTestbed('PatientRegistry recovery attacks');
  const { transact, view } = bed;
  const { signerOf, rotationArgs, delay, wait, setGuardians, guarded, startRecovery, pendingRecoveryOf, vetoArgs, recoverySignatures } = patientHelpers(bed);
  const { hospital, doctor, terms, grantArgs, mayRead, consentOf, pairNonce } = consentHelpers(bed);
  const { request, approvalArgs, status } = consentRequestHelpers(bed);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('the veto', () => {
    it('ATTACK: two colluding guardians of three start a recovery to their key; the patient vetoes within the delay and keeps the handle', async () => {
      const { handle, signer, guardians } = await guarded();
      const accomplice = newKey();
      await startRecovery(handle, accomplice.address, guardians.slice(0, 2));
      await wait((await delay('RECOVERY_DELAY')) - HOUR);

      const { events } = await transact(bed.sut, 'vetoRecovery', await vetoArgs(handle, signer));
      await wait(2 * HOUR);
      const complete = await revertOf(bed.relayer.send(bed.sut, 'completeRecovery', [handle]));

      expect(events).toEqual([{ name: 'RecoveryVetoed', args: { handle, newSigner: accomplice.address, recovery: 0n } }]);
      expect([complete.errorName, complete.args]).toEqual(['PatientRegistryNoRecoveryPending', [handle]]);
      expect(await signerOf(handle)).toBe(signer.address);
      expect(await view('signerEpochOf', [handle])).toEqual([0n]);
    });

    it('ATTACK: the colluders cannot replay their vetoed signatures, nor the patient\'s veto on their next recovery', async () => {
      const { handle, signer, guardians } = await guarded();
      const accomplice = newKey();
      const until = await bed.deadline(2 * 24 * HOUR);
      const signatures = await recoverySignatures(handle, accomplice.address, until, guardians.slice(0, 2));
      await transact(bed.sut, 'startRecovery', [handle, accomplice.address, until, signatures]);
      const veto = await vetoArgs(handle, signer);
      await transact(bed.sut, 'vetoRecovery', veto);

      const replayed = await revertOf(bed.relayer.send(bed.sut, 'startRecovery', [handle, accomplice.address, until, signatures]));
      await startRecovery(handle, accomplice.address, guardians.slice(0, 2));
      const oldVeto = await revertOf(bed.relayer.send(bed.sut, 'vetoRecovery', veto));

      expect(replayed.errorName).toBe('PatientRegistryNotGuardian');
      expect(oldVeto.errorName).toBe('PatientRegistryInvalidSigner');
      expect(await pendingRecoveryOf(handle)).toMatchObject({ newSigner: accomplice.address, recovery: 1n, vetoable: true });
    });

    it('refuses a veto by anyone but the current signer, and once the delay is over', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      await startRecovery(handle, next.address, guardians.slice(0, 2));
      const { executableAt } = await pendingRecoveryOf(handle);

      const byGuardian = await revertOf(bed.relayer.send(bed.sut, 'vetoRecovery', await vetoArgs(handle, guardians[2]!)));
      await wait(await delay('RECOVERY_DELAY'));
      const late = await revertOf(bed.relayer.send(bed.sut, 'vetoRecovery', await vetoArgs(handle, signer)));
      await transact(bed.sut, 'completeRecovery', [handle]);

      expect([byGuardian.errorName, byGuardian.args]).toEqual(['PatientRegistryInvalidSigner', [guardians[2]!.address, signer.address]]);
      expect([late.errorName, late.args]).toEqual(['PatientRegistryVetoTooLate', [handle, executableAt]]);
      expect(await signerOf(handle)).toBe(next.address);
    });

    it('ATTACK: guardians who restart a recovery after every veto cannot keep the patient from replacing them', async () => {
      const { handle, signer, guardians } = await guarded();
      const replacements = [newKey().address, newKey().address];
      await setGuardians(handle, signer, replacements, 2);
      // The colluders start at once, so this recovery's veto window closes before the proposal is due...
      await startRecovery(handle, newKey().address, guardians.slice(0, 2));
      await wait(HOUR);
      const first = await transact(bed.sut, 'vetoRecovery', await vetoArgs(handle, signer));
      // ...and at once again after the veto; this window contains the moment the proposal is due.
      await startRecovery(handle, newKey().address, guardians.slice(0, 2));
      await wait((await delay('GUARDIAN_CHANGE_DELAY')) - HOUR);

      const blocked = await revertOf(bed.relayer.send(bed.sut, 'applyGuardians', [handle]));
      // The proposal is due: the veto applies it, with no gap for the colluders to start again.
      const { events } = await transact(bed.sut, 'vetoRecovery', await vetoArgs(handle, signer));
      const next = newKey().address;
      const until = await bed.deadline();
      const restart = await revertOf(
        bed.relayer.send(bed.sut, 'startRecovery', [handle, next, until, await recoverySignatures(handle, next, until, guardians.slice(0, 2))]),
      );

      expect(first.events.map((event) => event.name)).toEqual(['RecoveryVetoed']);
      expect([blocked.errorName, blocked.args]).toEqual(['PatientRegistryRecoveryPending', [handle]]);
      expect(events.map((event) => event.name)).toEqual(['RecoveryVetoed', 'GuardiansChanged']);
      expect(await view('guardiansOf', [handle])).toEqual([replacements, 2n]);
      expect(restart.errorName).toBe('PatientRegistryNotGuardian');
      expect(await signerOf(handle)).toBe(signer.address);
    });
  });

  describe('a thief holding the key', () => {
    it('ATTACK: the thief proposes guardians of its own; the real guardians recover within the delay and the proposal never takes effect', async () => {
      const { handle, signer: stolen, guardians } = await guarded();
      const thiefGuardian = newKey();
      const patientsNewKey = newKey();
      await setGuardians(handle, stolen, [thiefGuardian.address], 1);
      await wait((await delay('GUARDIAN_CHANGE_DELAY')) - 2 * HOUR);
      await startRecovery(handle, patientsNewKey.address, guardians.slice(0, 2));
      await wait(4 * HOUR); // the thief's proposal is due now

      const held = await revertOf(bed.relayer.send(bed.sut, 'applyGuardians', [handle]));
      await wait(await delay('RECOVERY_DELAY'));
      const { events } = await transact(bed.sut, 'completeRecovery', [handle]);
      const afterwards = await revertOf(bed.relayer.send(bed.sut, 'applyGuardians', [handle]));
      const thiefAgain = await revertOf(setGuardians(handle, stolen, [thiefGuardian.address], 1));

      expect([held.errorName, held.args]).toEqual(['PatientRegistryRecoveryPending', [handle]]);
      expect(events.map((event) => event.name)).toEqual(['SignerRecovered', 'GuardianChangeDiscarded']);
      expect(afterwards.errorName).toBe('PatientRegistryNoGuardianChange');
      expect(thiefAgain.errorName).toBe('PatientRegistryInvalidSigner');
      expect(await signerOf(handle)).toBe(patientsNewKey.address);
      expect(await view('guardiansOf', [handle])).toEqual([guardians.map((g) => g.address), 2n]);
    });

    it('ATTACK: the thief rotates the key to its own and vetoes; every guardian together overrules it, with signatures the rotation could not spoil', async () => {
      const { handle, signer: stolen, guardians } = await guarded();
      const thiefsKey = newKey();
      const patientsNewKey = newKey();
      // The guardians sign first; the thief then spends the handle's nonce and takes the signer over.
      const until = await bed.deadline(12 * HOUR);
      const unanimous = await recoverySignatures(handle, patientsNewKey.address, until, guardians, 1n);
      await startRecovery(handle, patientsNewKey.address, guardians.slice(0, 2));
      await transact(bed.sut, 'rotateSigner', await rotationArgs(handle, stolen, thiefsKey));
      await setGuardians(handle, thiefsKey, [thiefsKey.address], 1);
      await transact(bed.sut, 'vetoRecovery', await vetoArgs(handle, thiefsKey));

      const { events } = await transact(bed.sut, 'startRecovery', [handle, patientsNewKey.address, until, unanimous]);
      const veto = await revertOf(bed.relayer.send(bed.sut, 'vetoRecovery', await vetoArgs(handle, thiefsKey)));
      await wait(await delay('RECOVERY_DELAY'));
      const held = await revertOf(bed.relayer.send(bed.sut, 'applyGuardians', [handle]));
      await transact(bed.sut, 'completeRecovery', [handle]);

      expect(events[0]).toMatchObject({ name: 'RecoveryStarted', args: { newSigner: patientsNewKey.address, recovery: 1n, vetoable: false } });
      expect([veto.errorName, veto.args]).toEqual(['PatientRegistryUnanimousRecovery', [handle]]);
      expect(held.errorName).toBe('PatientRegistryRecoveryPending');
      expect(await signerOf(handle)).toBe(patientsNewKey.address);
      expect(await view('guardiansOf', [handle])).toEqual([guardians.map((g) => g.address), 2n]);
      expect(await view('proposedGuardiansOf', [handle])).toEqual([[], 0n, 0n]);
    });
  });

  describe("consents granted before a recovery (the thief's)", () => {
    it('ATTACK: consents the thief granted with the stolen key stop working when the guardians recover; the new key grants again', async () => {
      const { handle, signer: stolen, guardians } = await guarded();
      const [accomplice, lateAccomplice] = [await hospital(), await hospital()];
      const patientsNewKey = newKey();
      await transact(bed.sut, 'grant', await grantArgs(handle, accomplice, await terms(), stolen));
      const before = await mayRead(handle, accomplice);
      await startRecovery(handle, patientsNewKey.address, guardians.slice(0, 2));
      // Granted while the recovery waits: still the old epoch.
      await transact(bed.sut, 'grant', await grantArgs(handle, lateAccomplice, await terms(), stolen));
      await wait(await delay('RECOVERY_DELAY'));

      await transact(bed.sut, 'completeRecovery', [handle]);
      const thiefAfter = await revertOf(bed.relayer.send(bed.sut, 'grant', await grantArgs(handle, accomplice, await terms(), stolen)));

      expect(before).toBe(true);
      expect(await mayRead(handle, accomplice)).toBe(false);
      expect(await mayRead(handle, lateAccomplice)).toBe(false);
      expect(await consentOf(handle, accomplice)).toMatchObject({ categories: 0n, expiry: 0n, requestId: 0n });
      expect(thiefAfter.errorName).toBe('ConsentManagerInvalidSigner');

      const scope = await terms();
      await transact(bed.sut, 'grant', await grantArgs(handle, accomplice, scope, patientsNewKey));
      expect(await mayRead(handle, accomplice)).toBe(true);
      expect(await consentOf(handle, accomplice)).toMatchObject({ categories: BigInt(scope.categories), expiry: BigInt(scope.expiry) });
      expect(await pairNonce(handle, accomplice)).toBe(2n);
    });

    it('a request granted before the recovery reads Revoked after it; a vetoed recovery ends nothing', async () => {
      const { handle, signer, guardians } = await guarded();
      const asking = await doctor();
      const requestId = await request(handle, asking);
      await transact(bed.sut, 'grantRequest', await approvalArgs(requestId, handle, asking.address, await terms(), signer));
      const kept = await hospital();
      await transact(bed.sut, 'grant', await grantArgs(handle, kept, await terms(), signer));
      await startRecovery(handle, newKey().address, guardians.slice(0, 2));
      await transact(bed.sut, 'vetoRecovery', await vetoArgs(handle, signer));
      const afterVeto = [await mayRead(handle, kept), await status(requestId)];

      await startRecovery(handle, newKey().address, guardians.slice(0, 2));
      await wait(await delay('RECOVERY_DELAY'));
      await transact(bed.sut, 'completeRecovery', [handle]);

      expect(afterVeto).toEqual([true, BigInt(Status.Granted)]);
      expect(await status(requestId)).toBe(BigInt(Status.Revoked));
      expect(await mayRead(handle, kept)).toBe(false);
      expect(await pendingRecoveryOf(handle)).toMatchObject({ newSigner: ZERO_ADDRESS });
    });
  });
});
