import { patientHandle } from '../../../gateway/src/chain/patient-handle';
import { CONSENT_MANAGER_TYPES } from '../../../gateway/src/chain/typed-messages';
import { Key, newKey } from './accounts';
import { randomBytes32 } from './chain';
import { ConsentManagerTestbed } from './consent-manager';

// The patient registry's EIP-712 types, as the patient SDK signs them.
const { Registration, Rotation, GuardianSet, Recovery } = CONSENT_MANAGER_TYPES;
export const PATIENT_TYPES = { Registration, Rotation, GuardianSet, Recovery };
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

  /** Sets the guardians as `signer` signed them; the decoded events. */
  async function setGuardians(handle: string, signer: Key, guardians: string[], threshold: number) {
    const until = await bed.deadline();
    const message = { handle, guardians, threshold, nonce: await nonceOf(handle), deadline: until };
    return (await bed.transact(bed.sut, 'setGuardians', [handle, guardians, threshold, until, sign('GuardianSet', signer, message)])).events;
  }

  /** A registered handle with a 2-of-3 guardian set. */
  async function guarded(): Promise<{ handle: string; signer: Key; guardians: Key[] }> {
    const { handle, signer } = await registered();
    const guardians = [newKey(), newKey(), newKey()];
    await setGuardians(handle, signer, guardians.map((g) => g.address), 2);
    return { handle, signer, guardians };
  }

  /** Each guardian's signature of a recovery of `handle` to `newSigner`. */
  async function recoverySignatures(handle: string, newSigner: string, until: bigint, guardians: Key[], nonce?: bigint) {
    const message = { handle, newSigner, nonce: nonce ?? (await nonceOf(handle)), deadline: until };
    return guardians.map((guardian) => sign('Recovery', guardian, message));
  }

  return { sign, nonceOf, signerOf, registrationArgs, fresh, registered, rotationArgs, setGuardians, guarded, recoverySignatures };
}
