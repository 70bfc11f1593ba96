import { patientHandle } from '../../../gateway/src/chain/patient-handle';
import { CONSENT_MANAGER_TYPES } from '../../../gateway/src/chain/typed-messages';
import { Key, newKey } from './accounts';
import { randomBytes32 } from './chain';
import { ConsentManagerTestbed } from './consent-manager';

// The patient registry's EIP-712 types, as the patient SDK signs them.
const { Registration, Rotation, GuardianSet, Recovery, RecoveryVeto } = CONSENT_MANAGER_TYPES;
export const PATIENT_TYPES = { Registration, Rotation, GuardianSet, Recovery, RecoveryVeto };
export type PatientMessage = keyof typeof PATIENT_TYPES;

/** Patients of the testbed's registry: handles, their signing keys and guardians, as the patient SDK signs for them. */
export function patientHelpers(bed: ConsentManagerTestbed) {
  const sign = (type: PatientMessage, key: Key, message: Record<string, unknown>): string => bed.sign(type, PATIENT_TYPES[type], key, message);
  const nonceOf = async (handle: string): Promise<bigint> => (await bed.view('patientNonces', [handle]))[0] as bigint;
  const signerOf = async (handle: string): Promise<string> => (await bed.view('signerOf', [handle]))[0] as string;

  /**
   * Arguments of `register` binding `patientHandle(signer, salt)` to `signer`, signed by `signer`
   * unless `signedBy` is given; nonce 0 unless given; `handle` to name another handle than the salt makes.
   */
  async function registrationArgs(salt: string, signer: Key, options: { signedBy?: Key; nonce?: bigint; until?: bigint; handle?: string } = {}) {
    const until = options.until ?? (await bed.deadline());
    const handle = options.handle ?? patientHandle(signer.address, salt);
    const message = { handle, signer: signer.address, nonce: options.nonce ?? 0n, deadline: until };
    return [handle, signer.address, salt, until, sign('Registration', options.signedBy ?? signer, message)];
  }

  /** A new patient's key, salt and the handle they make, not registered yet. */
  function fresh(): { handle: string; salt: string; signer: Key } {
    const signer = newKey();
    const salt = randomBytes32();
    return { handle: patientHandle(signer.address, salt), salt, signer };
  }

  /** A registered handle and its signer's key. */
  async function registered(): Promise<{ handle: string; signer: Key }> {
    const { handle, salt, signer } = fresh();
    await bed.transact(bed.sut, 'register', await registrationArgs(salt, signer));
    return { handle, signer };
  }

  /** Arguments of `rotateSigner` from `current` to `next`, signed by both. */
  async function rotationArgs(handle: string, current: Key, next: Key, options: { nonce?: bigint; until?: bigint } = {}) {
    const until = options.until ?? (await bed.deadline());
    const message = { handle, newSigner: next.address, nonce: options.nonce ?? (await nonceOf(handle)), deadline: until };
    return [handle, next.address, until, sign('Rotation', current, message), sign('Rotation', next, message)];
  }

  /** The contract's delay `name` (RECOVERY_DELAY, GUARDIAN_CHANGE_DELAY), in seconds. */
  const delay = async (name: 'RECOVERY_DELAY' | 'GUARDIAN_CHANGE_DELAY'): Promise<number> => Number((await bed.view(name, []))[0] as bigint);
  /** Moves the chain's clock on by `seconds`. */
  const wait = (seconds: number): Promise<void> => bed.chain.increaseTime(seconds);

  /** Proposes the guardians as `signer` signed them; the decoded events. */
  async function setGuardians(handle: string, signer: Key, guardians: string[], threshold: number) {
    const until = await bed.deadline();
    const message = { handle, guardians, threshold, nonce: await nonceOf(handle), deadline: until };
    return (await bed.transact(bed.sut, 'setGuardians', [handle, guardians, threshold, until, sign('GuardianSet', signer, message)])).events;
  }

  /** Proposes the guardians, waits GUARDIAN_CHANGE_DELAY and applies them. */
  async function guardiansInForce(handle: string, signer: Key, guardians: string[], threshold: number): Promise<void> {
    await setGuardians(handle, signer, guardians, threshold);
    await wait(await delay('GUARDIAN_CHANGE_DELAY'));
    await bed.transact(bed.sut, 'applyGuardians', [handle]);
  }

  /** A registered handle with a 2-of-3 guardian set in force. */
  async function guarded(): Promise<{ handle: string; signer: Key; guardians: Key[] }> {
    const { handle, signer } = await registered();
    const guardians = [newKey(), newKey(), newKey()];
    await guardiansInForce(handle, signer, guardians.map((g) => g.address), 2);
    return { handle, signer, guardians };
  }

  const recoveryNonceOf = async (handle: string): Promise<bigint> => (await bed.view('recoveryNonces', [handle]))[0] as bigint;

  /** Each guardian's signature of a recovery of `handle` to `newSigner`, at the handle's recovery nonce unless given. */
  async function recoverySignatures(handle: string, newSigner: string, until: bigint, guardians: Key[], nonce?: bigint) {
    const message = { handle, newSigner, nonce: nonce ?? (await recoveryNonceOf(handle)), deadline: until };
    return guardians.map((guardian) => sign('Recovery', guardian, message));
  }

  /** `guardians` start a recovery of `handle` to `newSigner`; the decoded events. */
  async function startRecovery(handle: string, newSigner: string, guardians: Key[]) {
    const until = await bed.deadline();
    return (await bed.transact(bed.sut, 'startRecovery', [handle, newSigner, until, await recoverySignatures(handle, newSigner, until, guardians)])).events;
  }

  /** The recovery of `handle` waiting for its delay, as `pendingRecoveryOf` answers. */
  async function pendingRecoveryOf(handle: string) {
    const [newSigner, recovery, executableAt, vetoable] = await bed.view('pendingRecoveryOf', [handle]);
    return { newSigner: newSigner as string, recovery: recovery as bigint, executableAt: executableAt as bigint, vetoable: vetoable as boolean };
  }

  /** Arguments of `vetoRecovery` of the recovery waiting on `handle`, signed by `key`. */
  async function vetoArgs(handle: string, key: Key) {
    const until = await bed.deadline();
    const { newSigner, recovery } = await pendingRecoveryOf(handle);
    return [handle, until, sign('RecoveryVeto', key, { handle, newSigner, recovery, nonce: await nonceOf(handle), deadline: until })];
  }

  return {
    sign, nonceOf, signerOf, registrationArgs, fresh, registered, rotationArgs, delay, wait, setGuardians, guardiansInForce, guarded,
    recoveryNonceOf, recoverySignatures, startRecovery, pendingRecoveryOf, vetoArgs,
  };
}
