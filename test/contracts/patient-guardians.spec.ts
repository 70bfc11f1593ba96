import { newKey, ZERO_ADDRESS } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { consentManagerTestbed } from './support/consent-manager';
import { patientHelpers } from './support/patients';
import { blockTimestamp } from './support/rpc';

// PatientRegistry is abstract: the deployed contract that carries it is ConsentManager.
describe('PatientRegistry guardians and recovery (contract, as deployed in ConsentManager)', () => {
  const bed = consentManagerTestbed('PatientRegistry guardians and recovery');
  const { transact, view, deadline } = bed;
  const { sign, signerOf, registered, setGuardians, guarded, recoverySignatures } = patientHelpers(bed);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('setGuardians', () => {
    it('records the guardians and threshold the patient signed and emits GuardiansSet', async () => {
      const { handle, signer } = await registered();
      const guardians = [newKey(), newKey(), newKey()].map((g) => g.address);

      const events = await setGuardians(handle, signer, guardians, 2);

      expect(events).toEqual([{ name: 'GuardiansSet', args: { handle, guardians, threshold: 2n } }]);
      expect(await view('guardiansOf', [handle])).toEqual([guardians, 2n]);
    });

    it('replaces a previous set entirely, also with a smaller one', async () => {
      const { handle, signer } = await registered();
      await setGuardians(handle, signer, [newKey(), newKey(), newKey()].map((g) => g.address), 3);
      const replacement = [newKey().address];

      await setGuardians(handle, signer, replacement, 1);

      expect(await view('guardiansOf', [handle])).toEqual([replacement, 1n]);
    });

    it.each([
      ['threshold 0', 3, 0],
      ['threshold above the count', 2, 3],
      ['no guardians', 0, 1],
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

      await setGuardians(handle, signer, guardians, 10);

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
      expect(await view('guardiansOf', [handle])).toEqual([[], 0n]);
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
      expect(await view('guardiansOf', [handle])).toEqual([second, 2n]);
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

  describe('recover', () => {
    it('restores the handle to a new key on threshold guardian signatures and emits SignerRecovered', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      const signatures = await recoverySignatures(handle, next.address, until, [guardians[2], guardians[0]]);

      const { events } = await transact(bed.sut, 'recover', [handle, next.address, until, signatures]);

      expect(events).toEqual([{ name: 'SignerRecovered', args: { handle, previousSigner: signer.address, newSigner: next.address } }]);
      expect(await signerOf(handle)).toBe(next.address);
      expect(await view('guardiansOf', [handle])).toEqual([guardians.map((g) => g.address), 2n]);
    });

    it('hands control to the recovered key and takes it from the lost one', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      await transact(bed.sut, 'recover', [handle, next.address, until, await recoverySignatures(handle, next.address, until, guardians.slice(0, 2))]);

      const lost = await revertOf(setGuardians(handle, signer, [signer.address], 1));
      await setGuardians(handle, next, [guardians[0].address], 1);

      expect(lost.errorName).toBe('PatientRegistryInvalidSigner');
      expect(await view('guardiansOf', [handle])).toEqual([[guardians[0].address], 1n]);
    });

    it('refuses threshold minus one guardian signatures', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();

      const error = await revertOf(
        bed.relayer.send(bed.sut, 'recover', [handle, next.address, until, await recoverySignatures(handle, next.address, until, [guardians[1]])]),
      );

      expect(error.errorName).toBe('PatientRegistryNotEnoughGuardians');
      expect(error.args).toEqual([1n, 2n]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses one guardian signing twice to reach the threshold', async () => {
      const { handle, signer, guardians } = await guarded();
      const next = newKey();
      const until = await deadline();
      const [once] = await recoverySignatures(handle, next.address, until, [guardians[0]]);

      const error = await revertOf(bed.relayer.send(bed.sut, 'recover', [handle, next.address, until, [once, once]]));

      expect(error.errorName).toBe('PatientRegistryDuplicateGuardian');
      expect(error.args).toEqual([guardians[0].address]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it("refuses a signature by someone who is not a guardian (here the gateway's own key)", async () => {
      const { handle, signer, guardians } = await guarded();
      const outsider = bed.gatewayKey;
      const until = await deadline();
      const signatures = await recoverySignatures(handle, outsider.address, until, [guardians[0], outsider]);

      const error = await revertOf(bed.relayer.send(bed.sut, 'recover', [handle, outsider.address, until, signatures]));

      expect(error.errorName).toBe('PatientRegistryNotGuardian');
      expect(error.args).toEqual([outsider.address]);
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses to redirect guardian signatures to another new key', async () => {
      const { handle, signer, guardians } = await guarded();
      const until = await deadline();
      const signatures = await recoverySignatures(handle, newKey().address, until, guardians.slice(0, 2));

      const error = await revertOf(bed.relayer.send(bed.sut, 'recover', [handle, newKey().address, until, signatures]));

      expect(error.errorName).toBe('PatientRegistryNotGuardian');
      expect(await signerOf(handle)).toBe(signer.address);
    });

    it('refuses a replayed recovery: its nonce is used', async () => {
      const { handle, guardians } = await guarded();
      const [first, second] = [newKey(), newKey()];
      const until = await deadline();
      const replay = [handle, first.address, until, await recoverySignatures(handle, first.address, until, guardians.slice(0, 2))];
      await transact(bed.sut, 'recover', replay);
      await transact(bed.sut, 'recover', [handle, second.address, until, await recoverySignatures(handle, second.address, until, guardians.slice(1))]);

      const error = await revertOf(bed.relayer.send(bed.sut, 'recover', replay));

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
        bed.relayer.send(bed.sut, 'recover', [bare.handle, next.address, until, await recoverySignatures(bare.handle, next.address, until, guardians)]),
      );
      const toZero = await revertOf(
        bed.relayer.send(bed.sut, 'recover', [handle, ZERO_ADDRESS, until, await recoverySignatures(handle, ZERO_ADDRESS, until, guardians)]),
      );
      const late = await revertOf(
        bed.relayer.send(bed.sut, 'recover', [handle, next.address, past, await recoverySignatures(handle, next.address, past, guardians)]),
      );
      const unknown = randomBytes32();
      const missing = await revertOf(
        bed.relayer.send(bed.sut, 'recover', [unknown, next.address, until, await recoverySignatures(unknown, next.address, until, guardians, 0n)]),
      );

      expect([noGuardians.errorName, noGuardians.args]).toEqual(['PatientRegistryNoGuardians', [bare.handle]]);
      expect([toZero.errorName, toZero.args]).toEqual(['PatientRegistryInvalidNewSigner', [ZERO_ADDRESS]]);
      expect([late.errorName, late.args]).toEqual(['PatientRegistryExpiredSignature', [past]]);
      expect([missing.errorName, missing.args]).toEqual(['PatientRegistryUnknownHandle', [unknown]]);
    });
  });
});
