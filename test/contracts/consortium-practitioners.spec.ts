import { randomAddress, ZERO_ADDRESS, ZERO_BYTES32 } from './support/accounts';
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

  it('lets the same hospital register a practitioner again after deactivation, with new details', async () => {
    const hospital = await bed.admittedHospital();
    const doctor = randomAddress();
    await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, randomBytes32()]);
    await transact(hospital, bed.sut, 'deactivatePractitioner', [doctor]);
    const councilHash = randomBytes32();

    await transact(hospital, bed.sut, 'registerPractitioner', [doctor, PHARMACIST, councilHash]);

    expect(await view(bed.sut, 'practitioner', [doctor])).toEqual([hospital.address, BigInt(PHARMACIST), true, councilHash]);
    expect(await view(bed.sut, 'isActivePractitioner', [doctor, PHARMACIST])).toEqual([true]);
  });

  describe('one role per account (issue 9, point 6)', () => {
    it("ATTACK: a hospital registers another hospital's account, admitted or suspended, as its practitioner: refused", async () => {
      const [attacker, victim, suspended] = [await bed.admittedHospital(), await bed.admittedHospital(), await bed.admittedHospital()];
      await bed.suspend(suspended.address);

      for (const target of [victim.address, suspended.address]) {
        const error = await revertOf(attacker.send(bed.sut, 'registerPractitioner', [target, DOCTOR, randomBytes32()]));
        expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryAccountIsHospital', [target]]);
      }
      // Had it worked, the suspended hospital would still be an active member (as a practitioner).
      expect(await view(bed.sut, 'isActiveMember', [suspended.address])).toEqual([false]);
      expect(await view(bed.sut, 'practitioner', [victim.address])).toEqual([ZERO_ADDRESS, 0n, false, ZERO_BYTES32]);
    });

    it("ATTACK: a hospital registers an authority's account as its practitioner: refused", async () => {
      const hospital = await bed.admittedHospital();
      const authority = bed.authorities[1].address;

      const error = await revertOf(hospital.send(bed.sut, 'registerPractitioner', [authority, DOCTOR, randomBytes32()]));

      expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryAccountIsAuthority', [authority]]);
      expect(await view(bed.sut, 'isActivePractitioner', [authority, DOCTOR])).toEqual([false]);
    });

    it("ATTACK: a hospital registers another hospital's practitioner, active or deactivated: refused, the key stays with its hospital", async () => {
      const [first, attacker] = [await bed.admittedHospital(), await bed.admittedHospital()];
      const doctor = randomAddress();
      const councilHash = randomBytes32();
      await transact(first, bed.sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);

      const whileActive = await revertOf(attacker.send(bed.sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]));
      await transact(first, bed.sut, 'deactivatePractitioner', [doctor]);
      const afterDeactivation = await revertOf(attacker.send(bed.sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]));

      expect([whileActive.errorName, String(whileActive.args[1])]).toEqual(['ConsortiumRegistryPractitionerAlreadyRegistered', first.address]);
      expect([afterDeactivation.errorName, String(afterDeactivation.args[1])]).toEqual(['ConsortiumRegistryPractitionerBoundToHospital', first.address]);
      expect(String(afterDeactivation.args[0]).toLowerCase()).toBe(doctor);
      expect(await view(bed.sut, 'practitioner', [doctor])).toEqual([first.address, BigInt(DOCTOR), false, councilHash]);
      expect(await view(bed.sut, 'isActiveMember', [doctor])).toEqual([false]);
      // The practitioner who moves is registered at the new hospital with a new key.
      const movedKey = randomAddress();
      await transact(attacker, bed.sut, 'registerPractitioner', [movedKey, DOCTOR, councilHash]);
      expect(await view(bed.sut, 'isActivePractitioner', [movedKey, DOCTOR])).toEqual([true]);
    });

    it('ATTACK: authorities admit a practitioner, or an authority, as a hospital: refused at proposal, and at execution when registered meanwhile', async () => {
      const hospital = await bed.admittedHospital();
      const [doctor, later] = [randomAddress(), randomAddress()];
      await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, randomBytes32()]);

      const practitioner = await revertOf(bed.authorities[0].send(bed.sut, 'proposeAdmission', [doctor, randomBytes32()]));
      const authority = await revertOf(bed.authorities[0].send(bed.sut, 'proposeAdmission', [bed.authorities[2].address, randomBytes32()]));
      const { proposalId } = await propose(bed.authorities[0], bed.sut, 'proposeAdmission', later);
      await transact(hospital, bed.sut, 'registerPractitioner', [later, DOCTOR, randomBytes32()]);
      const execution = await revertOf(bed.authorities[1].send(bed.sut, 'approve', [proposalId]));

      expect([practitioner.errorName, String(practitioner.args[0]).toLowerCase(), practitioner.args[1]]).toEqual(['ConsortiumRegistryAccountIsPractitioner', doctor, hospital.address]);
      expect([authority.errorName, authority.args]).toEqual(['ConsortiumRegistryAccountIsAuthority', [bed.authorities[2].address]]);
      expect([execution.errorName, String(execution.args[0]).toLowerCase()]).toEqual(['ConsortiumRegistryAccountIsPractitioner', later]);
      expect(await view(bed.sut, 'hospitalStatus', [later])).toEqual([0n]);
    });
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
