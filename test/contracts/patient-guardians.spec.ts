import { newKey, ZERO_ADDRESS } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { consentManagerTestbed } from './support/consent-manager';
import { patientHelpers } from './support/patients';
import { blockTimestamp, HOUR } from './support/rpc';

// PatientRegistry is abstract: the deployed contract that carries it is ConsentManager.
describe('PatientRegistry guardians and recovery (contract, as deployed in ConsentManager)', () => {
  const bed = consentManagerTestbed('PatientRegistry guardians and recovery');
  const { transact, view, deadline } = bed;
  const { sign, signerOf, registered, delay, wait, setGuardians, guardiansInForce, guarded, recoverySignatures, startRecovery, pendingRecoveryOf } = patientHelpers(bed);
  const proposedGuardiansOf = (handle: string) => view('proposedGuardiansOf', [handle]);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('setGuardians and applyGuardians', () => {
    it('proposes the guardians the patient signed, in force only once GUARDIAN_CHANGE_DELAY has passed', async () => {
      const { handle, signer } = await registered();
      const guardians = [newKey(), newKey(), newKey()].map((g) => g.address);
      const proposedAt = BigInt(await bed.chainTime());
      const changeDelay = await delay('GUARDIAN_CHANGE_DELAY');

      const events = await setGuardians(handle, signer, guardians, 2);
      const effectiveAt = (events[0]!.args as { effectiveAt: bigint }).effectiveAt;
      const early = await revertOf(bed.relayer.send(bed.sut, 'applyGuardians', [handle]));
      const inForceMeanwhile = await view('guardiansOf', [handle]);
      await wait(changeDelay);
      const applied = await transact(bed.sut, 'applyGuardians', [handle]);

      expect(changeDelay).toBe(3 * 24 * HOUR);
      expect(effectiveAt).toBeGreaterThanOrEqual(proposedAt + BigInt(changeDelay));
      expect(events).toEqual([{ name: 'GuardiansProposed', args: { handle, guardians, threshold: 2n, effectiveAt } }]);
      expect([early.errorName, early.args]).toEqual(['PatientRegistryGuardianChangeNotDue', [handle, effectiveAt]]);
      expect(inForceMeanwhile).toEqual([[], 0n]);
      expect(applied.events).toEqual([{ name: 'GuardiansChanged', args: { handle, threshold: 2n } }]);
      expect(await view('guardiansOf', [handle])).toEqual([guardians, 2n]);
      expect(await proposedGuardiansOf(handle)).toEqual([[], 0n, 0n]);
    });

    it('replaces a previous set entirely, also with a smaller one, and a proposal replaces a proposal', async () => {
      const { handle, signer } = await registered();
      await guardiansInForce(handle, signer, [newKey(), newKey(), newKey()].map((g) => g.address), 3);
      await setGuardians(handle, signer, [newKey().address, newKey().address], 2);
      const replacement = [newKey().address];

      await guardiansInForce(handle, signer, replacement, 1);

      expect(await view('guardiansOf', [handle])).toEqual([replacement, 1n]);
    });

    it('refuses to apply when nothing is proposed, and once applied', async () => {
      const { handle, signer } = await guarded();

      const none = await revertOf(bed.relayer.send(bed.sut, 'applyGuardians', [handle]));
      await guardiansInForce(handle, signer, [newKey().address], 1);
      const again = await revertOf(bed.relayer.send(bed.sut, 'applyGuardians', [handle]));

      expect([none.errorName, none.args]).toEqual(['PatientRegistryNoGuardianChange', [handle]]);
      expect(again.errorName).toBe('PatientRegistryNoGuardianChange');
    });

    it('empties the guardian set (none, threshold 0) after the same delay; the guardians in force can recover until then (point 4)', async () => {
      const { handle, signer, guardians } = await guarded();

      const events = await setGuardians(handle, signer, [], 0);
      const stillGuarded = await view('guardiansOf', [handle]);
      await wait(await delay('GUARDIAN_CHANGE_DELAY'));
      await transact(bed.sut, 'applyGuardians', [handle]);
      const next = newKey();
      const until = await deadline();
      const refused = await revertOf(
        bed.relayer.send(bed.sut, 'startRecovery', [handle, next.address, until, await recoverySignatures(handle, next.address, until, guardians)]),
      );

      expect(events[0]).toMatchObject({ name: 'GuardiansProposed', args: { handle, guardians: [], threshold: 0n } });
      expect(stillGuarded).toEqual([guardians.map((g) => g.address), 2n]);
      expect(await view('guardiansOf', [handle])).toEqual([[], 0n]);
      expect([refused.errorName, refused.args]).toEqual(['PatientRegistryNoGuardians', [handle]]);
    });

    it.each([
      ['threshold 0', 3, 0],
      ['threshold above the count', 2, 3],
      ['no guardians with threshold 1', 0, 1],
      ['more than ten guardians', 11, 2],
    ])('rejects %s', async (_case, count, threshold) => {
      const { handle, signer } = await registered();
      const guardians = Array.from({ length: count }, () => newKey().address);

      const error = await revertOf(setGuardians(handle, signer, guardians, threshold));

      expect(error.errorName).toBe('PatientRegistryInvalidGuardianThreshold');
      expect(error.args).toEqual([BigInt(count), BigInt(threshold)]);
    });

    it('accepts exactly ten guardians', async () => {
      const { handle, signer } = await registered();
      const guardians = Array.from({ length: 10 }, () => newKey().address);

      await guardiansInForce(handle, signer, guardians, 10);

      expect(await view('guardiansOf', [handle])).toEqual([guardians, 10n]);
    });

    it('rejects a guardian named twice', async () => {
      const { handle, signer } = await registered();
      const [a, b] = [newKey().address, newKey().address];

      const error = await revertOf(setGuardians(handle, signer, [a, b, a], 2));

      expect(error.errorName).toBe('PatientRegistryDuplicateGuardian');
      expect(error.args).toEqual([a]);
    });

    it('rejects the zero address as a guardian', async () => {
      const { handle, signer } = await registered();

      const error = await revertOf(setGuardians(handle, signer, [newKey().address, ZERO_ADDRESS], 1));

      expect(error.errorName).toBe('PatientRegistryInvalidGuardian');
      expect(error.args).toEqual([ZERO_ADDRESS]);
    });

    it('rejects guardians not signed by the current signer', async () => {
      const { handle, signer } = await registered();
      const impostor = newKey();

      const error = await revertOf(setGuardians(handle, impostor, [impostor.address], 1));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args).toEqual([impostor.address, signer.address]);
      expect(await proposedGuardiansOf(handle)).toEqual([[], 0n, 0n]);
    });

    it('refuses a replayed guardian set: its nonce is used', async () => {
      const { handle, signer } = await registered();
      const first = [newKey().address];
      const until = await deadline();
      const replay = [handle, first, 1, until, sign('GuardianSet', signer, { handle, guardians: first, threshold: 1, nonce: 1n, deadline: until })];
      await transact(bed.sut, 'setGuardians', replay);
      const second = [newKey().address, newKey().address];
      await setGuardians(handle, signer, second, 2);

      const error = await revertOf(bed.relayer.send(bed.sut, 'setGuardians', replay));

      expect(error.errorName).toBe('PatientRegistryInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect((await proposedGuardiansOf(handle)).slice(0, 2)).toEqual([second, 2n]);
    });

    it('rejects guardians after the deadline, and for an unknown handle', async () => {
      const { handle, signer } = await registered();
      const guardians = [newKey().address];
      const past = (await blockTimestamp(bed.chain)) - 1n;
      const late = sign('GuardianSet', signer, { handle, guardians, threshold: 1, nonce: 1n, deadline: past });
      const unknown = randomBytes32();
      const until = await deadline();
      const forUnknown = sign('GuardianSet', signer, { handle: unknown, guardians, threshold: 1, nonce: 0n, deadline: until });

      const expired = await revertOf(bed.relayer.send(bed.sut, 'setGuardians', [handle, guardians, 1, past, late]));
      const missing = await revertOf(bed.relayer.send(bed.sut, 'setGuardians', [unknown, guardians, 1, until, forUnknown]));

      expect([expired.errorName, expired.args]).toEqual(['PatientRegistryExpiredSignature', [past]]);
      expect([missing.errorName, missing.args]).toEqual(['PatientRegistryUnknownHandle', [unknown]]);
    });
  });

  describe('startRecovery and completeRecovery', () => {
    it('starts a recovery on threshold guardian signatures, and anyone completes it after RECOVERY_DELAY', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const recoveryDelay = await delay('RECOVERY_DELAY');

      const started = await startRecovery(handle, next.address, [guardians[2]!, guardians[0]!]);
      const { executableAt } = await pendingRecoveryOf(handle);
      const early = await revertOf(bed.relayer.send(bed.sut, 'completeRecovery', [handle]));
      const signerMeanwhile = await signerOf(handle);
      await wait(recoveryDelay);
      const { events } = await transact(bed.sut, 'completeRecovery', [handle]);

      expect(recoveryDelay).toBe(3 * 24 * HOUR);
      expect(started).toEqual([{ name: 'RecoveryStarted', args: { handle, newSigner: next.address, recovery: 0n, executableAt, vetoable: true } }]);
      expect([early.errorName, early.args]).toEqual(['PatientRegistryRecoveryNotDue', [handle, executableAt]]);
      expect(signerMeanwhile).toBe(signer.address);
      expect(events).toEqual([{ name: 'SignerRecovered', args: { handle, previousSigner: signer.address, newSigner: next.address } }]);
      expect(await signerOf(handle)).toBe(next.address);
      expect(await view('signerEpochOf', [handle])).toEqual([1n]);
      expect(await view('guardiansOf', [handle])).toEqual([guardians.map((g) => g.address), 2n]);
      expect(await pendingRecoveryOf(handle)).toEqual({ newSigner: ZERO_ADDRESS, recovery: 0n, executableAt: 0n, vetoable: false });
    });

    it('hands control to the recovered key and takes it from the lost one', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      await startRecovery(handle, next.address, guardians.slice(0, 2));
      await wait(await delay('RECOVERY_DELAY'));
      await transact(bed.sut, 'completeRecovery', [handle]);

      const lost = await revertOf(setGuardians(handle, signer, [signer.address], 1));
      await guardiansInForce(handle, next, [guardians[0]!.address], 1);

      expect(lost.errorName).toBe('PatientRegistryInvalidSigner');
      expect(await view('guardiansOf', [handle])).toEqual([[guardians[0]!.address], 1n]);
    });

    it('refuses a second recovery while one waits, and completing when none waits', async () => {
      const { handle, guardians } = await guarded();
      await startRecovery(handle, newKey().address, guardians.slice(0, 2));
      const other = newKey().address;
      const until = await deadline();

      const second = await revertOf(bed.relayer.send(bed.sut, 'startRecovery', [handle, other, until, await recoverySignatures(handle, other, until, guardians)]));
      const none = await revertOf(bed.relayer.send(bed.sut, 'completeRecovery', [(await registered()).handle]));

      expect([second.errorName, second.args]).toEqual(['PatientRegistryRecoveryPending', [handle]]);
      expect(none.errorName).toBe('PatientRegistryNoRecoveryPending');
    });

    it('refuses threshold minus one guardian signatures', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();

      const error = await revertOf(
        bed.relayer.send(bed.sut, 'startRecovery', [handle, next.address, until, await recoverySignatures(handle, next.address, until, [guardians[1]!])]),
      );

      expect(error.errorName).toBe('PatientRegistryNotEnoughGuardians');
      expect(error.args).toEqual([1n, 2n]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses one guardian signing twice to reach the threshold', async () => {
      const { handle, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      const [once] = await recoverySignatures(handle, next.address, until, [guardians[0]!]);

      const error = await revertOf(bed.relayer.send(bed.sut, 'startRecovery', [handle, next.address, until, [once, once]]));

      expect(error.errorName).toBe('PatientRegistryDuplicateGuardian');
      expect(error.args).toEqual([guardians[0]!.address]);
      expect((await pendingRecoveryOf(handle)).newSigner).toBe(ZERO_ADDRESS);
    });

    it("refuses a signature by someone who is not a guardian (here the gateway's own key)", async () => {
      const { handle, guardians } = await guarded();
      const outsider = bed.gatewayKey;
      const until = await deadline();
      const signatures = await recoverySignatures(handle, outsider.address, until, [guardians[0]!, outsider]);

      const error = await revertOf(bed.relayer.send(bed.sut, 'startRecovery', [handle, outsider.address, until, signatures]));

      expect(error.errorName).toBe('PatientRegistryNotGuardian');
      expect(error.args).toEqual([outsider.address]);
      expect((await pendingRecoveryOf(handle)).newSigner).toBe(ZERO_ADDRESS);
    });

    it('refuses to redirect guardian signatures to another new key', async () => {
      const { handle, guardians } = await guarded();
      const until = await deadline();
      const signatures = await recoverySignatures(handle, newKey().address, until, guardians.slice(0, 2));

      const error = await revertOf(bed.relayer.send(bed.sut, 'startRecovery', [handle, newKey().address, until, signatures]));

      expect(error.errorName).toBe('PatientRegistryNotGuardian');
      expect((await pendingRecoveryOf(handle)).newSigner).toBe(ZERO_ADDRESS);
    });

    it('refuses a replayed recovery: its recovery nonce is used', async () => {
      const { handle, guardians } = await guarded();
      const [first, second] = [newKey(), newKey()];
      const until = await deadline(10 * 24 * HOUR); // outlives both recoveries' delays
      const replay = [handle, first.address, until, await recoverySignatures(handle, first.address, until, guardians.slice(0, 2))];
      await transact(bed.sut, 'startRecovery', replay);
      await wait(await delay('RECOVERY_DELAY'));
      await transact(bed.sut, 'completeRecovery', [handle]);
      await startRecovery(handle, second.address, guardians.slice(1));
      await wait(await delay('RECOVERY_DELAY'));
      await transact(bed.sut, 'completeRecovery', [handle]);

      const error = await revertOf(bed.relayer.send(bed.sut, 'startRecovery', replay));

      expect(error.errorName).toBe('PatientRegistryNotGuardian');
      expect(await signerOf(handle)).toBe(second.address);
    });

    it('refuses recovery of a handle without guardians, to the zero address, and after the deadline', async () => {
      const bare = await registered();
      const { handle, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      const past = (await blockTimestamp(bed.chain)) - 1n;

      const noGuardians = await revertOf(
        bed.relayer.send(bed.sut, 'startRecovery', [bare.handle, next.address, until, await recoverySignatures(bare.handle, next.address, until, guardians)]),
      );
      const toZero = await revertOf(
        bed.relayer.send(bed.sut, 'startRecovery', [handle, ZERO_ADDRESS, until, await recoverySignatures(handle, ZERO_ADDRESS, until, guardians)]),
      );
      const late = await revertOf(
        bed.relayer.send(bed.sut, 'startRecovery', [handle, next.address, past, await recoverySignatures(handle, next.address, past, guardians)]),
      );
      const unknown = randomBytes32();
      const missing = await revertOf(
        bed.relayer.send(bed.sut, 'startRecovery', [unknown, next.address, until, await recoverySignatures(unknown, next.address, until, guardians, 0n)]),
      );

      expect([noGuardians.errorName, noGuardians.args]).toEqual(['PatientRegistryNoGuardians', [bare.handle]]);
      expect([toZero.errorName, toZero.args]).toEqual(['PatientRegistryInvalidNewSigner', [ZERO_ADDRESS]]);
      expect([late.errorName, late.args]).toEqual(['PatientRegistryExpiredSignature', [past]]);
      expect([missing.errorName, missing.args]).toEqual(['PatientRegistryUnknownHandle', [unknown]]);
    });
  });
});
