import { randomAddress, ZERO_ADDRESS } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { consortiumTestbed, DOCTOR, PHARMACIST, propose } from './support/consortium';
import { transact } from './support/rpc';

describe('ConsortiumRegistry practitioners (contract)', () => {
  const bed = consortiumTestbed();
  const { view } = bed;
  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  it('registers a doctor and a pharmacist with their role and council registration hash', async () => {
    const hospital = await bed.admittedHospital();
    const [doctor, pharmacist] = [randomAddress(), randomAddress()];
    const councilHash = randomBytes32();

    const { events } = await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);
    await transact(hospital, bed.sut, 'registerPractitioner', [pharmacist, PHARMACIST, randomBytes32()]);

    expect(events).toEqual([
      {
        name: 'PractitionerRegistered',
        args: { practitioner: expect.stringMatching(new RegExp(`^${doctor}$`, 'i')), hospital: hospital.address, role: BigInt(DOCTOR), councilRegistrationHash: councilHash },
      },
    ]);
    expect(await view(bed.sut, 'practitioner', [doctor])).toEqual([hospital.address, BigInt(DOCTOR), true, councilHash]);
    expect(await view(bed.sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([true]);
    expect(await view(bed.sut, 'isActivePractitioner', [doctor, PHARMACIST])).toEqual([false]);
    expect(await view(bed.sut, 'isActivePractitioner', [pharmacist, PHARMACIST])).toEqual([true]);
    expect(await view(bed.sut, 'isActivePractitioner', [pharmacist, 0])).toEqual([false]);
    expect(await view(bed.sut, 'isActiveMember', [pharmacist])).toEqual([true]);
    expect(await view(bed.sut, 'isActiveMember', [randomAddress()])).toEqual([false]);
  });

  it('refuses registrations from an account that is not an admitted hospital', async () => {
    const error = await revertOf(bed.stranger.send(bed.sut, 'registerPractitioner', [randomAddress(), DOCTOR, randomBytes32()]));

    expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryHospitalNotActive', [bed.stranger.address]]);
  });

  it('refuses an unknown role and the zero address', async () => {
    const hospital = await bed.admittedHospital();
    for (const role of [0, 3]) {
      const error = await revertOf(hospital.send(bed.sut, 'registerPractitioner', [randomAddress(), role, randomBytes32()]));
      expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryInvalidRole', [BigInt(role)]]);
    }
    const zero = ZERO_ADDRESS;
    const error = await revertOf(hospital.send(bed.sut, 'registerPractitioner', [zero, DOCTOR, randomBytes32()]));
    expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryInvalidPractitioner', [zero]]);
  });

  it('treats an identical re-registration as a no-op and refuses a different one', async () => {
    const [hospital, other] = [await bed.admittedHospital(), await bed.admittedHospital()];
    const doctor = randomAddress();
    const councilHash = randomBytes32();
    await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);

    const again = await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);
    expect(again.receipt.logs).toEqual([]);

    for (const [from, role, hash] of [
      [other, DOCTOR, councilHash],
      [hospital, PHARMACIST, councilHash],
      [hospital, DOCTOR, randomBytes32()],
    ] as const) {
      const error = await revertOf(from.send(bed.sut, 'registerPractitioner', [doctor, role, hash]));
      expect(error.errorName).toBe('ConsortiumRegistryPractitionerAlreadyRegistered');
      expect(String(error.args[0]).toLowerCase()).toBe(doctor);
      expect(error.args[1]).toBe(hospital.address);
    }
    expect(await view(bed.sut, 'practitioner', [doctor])).toEqual([hospital.address, BigInt(DOCTOR), true, councilHash]);
  });

  it('lets only its own hospital deactivate a practitioner; a deactivated one is inactive', async () => {
    const [hospital, other] = [await bed.admittedHospital(), await bed.admittedHospital()];
    const doctor = randomAddress();
    const councilHash = randomBytes32();
    await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);

    for (const from of [other, bed.stranger]) {
      const error = await revertOf(from.send(bed.sut, 'deactivatePractitioner', [doctor]));
      expect(error.errorName).toBe('ConsortiumRegistryNotPractitionerHospital');
      expect(error.args[1]).toBe(from.address);
    }
    const unknown = await revertOf(hospital.send(bed.sut, 'deactivatePractitioner', [randomAddress()]));
    expect(unknown.errorName).toBe('ConsortiumRegistryNotPractitionerHospital');
    expect(await view(bed.sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([true]);

    const { events } = await transact(hospital, bed.sut, 'deactivatePractitioner', [doctor]);

    expect(events).toEqual([
      { name: 'PractitionerDeactivated', args: { practitioner: expect.stringMatching(new RegExp(`^${doctor}$`, 'i')), hospital: hospital.address } },
    ]);
    expect(await view(bed.sut, 'practitioner', [doctor])).toEqual([hospital.address, BigInt(DOCTOR), false, councilHash]);
    expect(await view(bed.sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([false]);
    expect(await view(bed.sut, 'isActiveMember', [doctor])).toEqual([false]);
    const again = await transact(hospital, bed.sut, 'deactivatePractitioner', [doctor]);
    expect(again.receipt.logs).toEqual([]);
  });

  it('lets another hospital register a practitioner after deactivation', async () => {
    const [hospital, other] = [await bed.admittedHospital(), await bed.admittedHospital()];
    const doctor = randomAddress();
    await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, randomBytes32()]);
    await transact(hospital, bed.sut, 'deactivatePractitioner', [doctor]);
    const councilHash = randomBytes32();

    await transact(other, bed.sut, 'registerPractitioner', [doctor, PHARMACIST, councilHash]);

    expect(await view(bed.sut, 'practitioner', [doctor])).toEqual([other.address, BigInt(PHARMACIST), true, councilHash]);
    expect(await view(bed.sut, 'isActivePractitioner', [doctor, PHARMACIST])).toEqual([true]);
    const error = await revertOf(hospital.send(bed.sut, 'deactivatePractitioner', [doctor]));
    expect(error.errorName).toBe('ConsortiumRegistryNotPractitionerHospital');
  });

  it('lets a suspended hospital deactivate, and the practitioner stays inactive after reinstatement', async () => {
    const hospital = await bed.admittedHospital();
    const doctor = randomAddress();
    await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, randomBytes32()]);
    const { proposalId: suspension } = await propose(bed.authorities[0], bed.sut, 'proposeSuspension', hospital.address);
    await transact(bed.authorities[1], bed.sut, 'approve', [suspension]);

    await transact(hospital, bed.sut, 'deactivatePractitioner', [doctor]);
    const { proposalId: reinstatement } = await propose(bed.authorities[0], bed.sut, 'proposeReinstatement', hospital.address);
    await transact(bed.authorities[1], bed.sut, 'approve', [reinstatement]);

    expect(await view(bed.sut, 'isActiveHospital', [hospital.address])).toEqual([true]);
    expect(await view(bed.sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([false]);
  });
});
