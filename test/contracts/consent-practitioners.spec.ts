import { newKey } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { consentHelpers } from './support/consent';
import { consentManagerTestbed } from './support/consent-manager';
import { DOCTOR, propose, registerPractitioner } from './support/consortium';
import { transact as sendFrom } from './support/rpc';

// Issue 9, point 6: consents to practitioners, against the real ConsortiumRegistry and its k-of-n
// governance (not the directory mock), as the gateway deploys them.
describe('ConsentManager consents to practitioners (contract, ConsortiumRegistry)', () => {
  const bed = consentManagerTestbed('ConsentManager practitioners', { directory: 'registry' });
  const { transact } = bed;
  const { patient, terms, grantArgs, mayRead } = consentHelpers(bed);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  /** A doctor of a new admitted hospital, and a patient's consent in force to that doctor. */
  async function consentToDoctorOfNewHospital() {
    const { registry, admittedHospital } = bed.consortium!;
    const hospital = await admittedHospital();
    const doctor = newKey();
    await registerPractitioner(hospital, registry, doctor.address);
    const { handle, signer } = await patient();
    await transact(bed.sut, 'grant', await grantArgs(handle, doctor.address, await terms(), signer));
    expect(await mayRead(handle, doctor.address)).toBe(true);
    return { hospital, doctor, handle };
  }

  it("ATTACK: a suspended hospital's doctor reads under a patient's consent: refused from the suspension, allowed again on reinstatement", async () => {
    const { registry, authorities, suspend } = bed.consortium!;
    const { hospital, doctor, handle } = await consentToDoctorOfNewHospital();

    await suspend(hospital.address);
    const whileSuspended = await mayRead(handle, doctor.address);
    const { proposalId } = await propose(authorities[1], registry, 'proposeReinstatement', hospital.address);
    await sendFrom(authorities[2], registry, 'approve', [proposalId]);

    expect(whileSuspended).toBe(false);
    expect(await mayRead(handle, doctor.address)).toBe(true);
  });

  it('ATTACK: a suspended hospital deactivates its doctor so that an accomplice hospital registers the same key: refused, no read', async () => {
    const { registry, admittedHospital, suspend } = bed.consortium!;
    const { hospital, doctor, handle } = await consentToDoctorOfNewHospital();
    const accomplice = await admittedHospital();

    await suspend(hospital.address);
    await sendFrom(hospital, registry, 'deactivatePractitioner', [doctor.address]);
    const error = await revertOf(accomplice.send(registry, 'registerPractitioner', [doctor.address, DOCTOR, randomBytes32()]));

    expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryPractitionerBoundToHospital', [doctor.address, hospital.address]]);
    expect(await mayRead(handle, doctor.address)).toBe(false);
  });

  it('ATTACK: a doctor consented to at hospital A moves to hospital B with the same key and reads for B: refused', async () => {
    const { registry, admittedHospital } = bed.consortium!;
    const { hospital: a, doctor, handle } = await consentToDoctorOfNewHospital();
    const b = await admittedHospital();

    await sendFrom(a, registry, 'deactivatePractitioner', [doctor.address]);
    const moved = await revertOf(b.send(registry, 'registerPractitioner', [doctor.address, DOCTOR, randomBytes32()]));

    expect([moved.errorName, moved.args]).toEqual(['ConsortiumRegistryPractitionerBoundToHospital', [doctor.address, a.address]]);
    expect(await mayRead(handle, doctor.address)).toBe(false);
    // At B the doctor has a new key, which the patient never consented to.
    const atB = newKey();
    await registerPractitioner(b, registry, atB.address);
    expect(await mayRead(handle, atB.address)).toBe(false);
    // The consent was to the doctor at A: it applies again only if A registers the doctor again.
    await registerPractitioner(a, registry, doctor.address);
    expect(await mayRead(handle, doctor.address)).toBe(true);
  });

  it("ATTACK: a hospital registers a suspended hospital's account as its practitioner to keep the consents to it: refused, no read", async () => {
    const { registry, admittedHospital, suspend } = bed.consortium!;
    const [suspended, accomplice] = [await admittedHospital(), await admittedHospital()];
    const { handle, signer } = await patient();
    await transact(bed.sut, 'grant', await grantArgs(handle, suspended.address, await terms(), signer));

    await suspend(suspended.address);
    const error = await revertOf(accomplice.send(registry, 'registerPractitioner', [suspended.address, DOCTOR, randomBytes32()]));

    expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryAccountIsHospital', [suspended.address]]);
    expect(await mayRead(handle, suspended.address)).toBe(false);
  });
});
