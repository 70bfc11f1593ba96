import { newKey } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { admit, deployRegistry, registerPractitioner } from './support/consortium';
import { EmergencyStatus, emergencyAccessTestbed, MAX_DURATION } from './support/emergency';
import { blockTimestamp, transact } from './support/rpc';

describe('EmergencyAccess approvals and review (contract)', () => {
  /** Backed by a 2-of-3 ConsortiumRegistry. */
  const bed = emergencyAccessTestbed();
  const { fileRequest, registeredDoctor, isGranted, requestOf } = bed;

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('approve and deny', () => {
    it('grants at the second of 2-of-3 approvals, for the requested duration from then', async () => {
      const { requestId, patient } = await fileRequest({ duration: 3_600 });

      const first = await transact(bed.authorities[2], bed.sut, 'approve', [requestId]);

      expect(first.events).toEqual([{ name: 'EmergencyApproved', args: { requestId, authority: bed.authorities[2].address, approvals: 1n } }]);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Pending));

      const second = await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);

      const startsAt = await blockTimestamp(bed.chain, second.receipt.blockNumber);
      const expiresAt = startsAt + 3_600n;
      expect(second.events).toEqual([
        { name: 'EmergencyApproved', args: { requestId, authority: bed.authorities[0].address, approvals: 2n } },
        { name: 'EmergencyGranted', args: { requestId, patient, doctor: bed.doctor.address, expiresAt } },
      ]);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([true, requestId]);
      expect(await isGranted(patient, newKey().address)).toEqual([false, 0n]);
      expect(await isGranted(randomBytes32(), bed.doctor.address)).toEqual([false, 0n]);
      expect(await requestOf(requestId)).toMatchObject({ status: BigInt(EmergencyStatus.Granted), approvals: 2n, startsAt, expiresAt });
      expect(await bed.deployer.call(bed.sut, 'hasApproved', [requestId, bed.authorities[2].address])).toEqual([true]);
      expect(await bed.deployer.call(bed.sut, 'hasApproved', [requestId, bed.authorities[1].address])).toEqual([false]);
    });

    it('needs three approvals when the directory is 3-of-4: two do not grant', async () => {
      const directory = await deployRegistry(bed.deployer, bed.authorities.map((a) => a.address), 3);
      await admit(directory, [bed.authorities[0], bed.authorities[1], bed.authorities[3]], bed.hospital.address);
      await registerPractitioner(bed.hospital, directory, bed.doctor.address);
      const deployed = await bed.deployer.deploy('EmergencyAccess', [directory.address, MAX_DURATION]);
      const strict = bed.deployer.contract('EmergencyAccess', deployed.address);
      const { requestId, patient } = await fileRequest({ contract: strict });

      await transact(bed.authorities[0], strict, 'approve', [requestId]);
      const second = await transact(bed.authorities[3], strict, 'approve', [requestId]);

      expect(second.events.map((e) => e.name)).toEqual(['EmergencyApproved']);
      expect(await isGranted(patient, bed.doctor.address, strict)).toEqual([false, 0n]);

      const third = await transact(bed.authorities[1], strict, 'approve', [requestId]);

      expect(third.events.map((e) => e.name)).toEqual(['EmergencyApproved', 'EmergencyGranted']);
      expect(await isGranted(patient, bed.doctor.address, strict)).toEqual([true, requestId]);
    });

    it('ends the access when its time box is over', async () => {
      const { requestId, patient } = await fileRequest({ duration: 600 });
      await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);
      await transact(bed.authorities[1], bed.sut, 'approve', [requestId]);

      await bed.chain.increaseTime(300);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([true, requestId]);
      await bed.chain.increaseTime(300);

      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Expired));
    });

    it('keeps the longest of two live grants for the same doctor and patient', async () => {
      const patient = randomBytes32();
      const long = await fileRequest({ patient, duration: 3_600 });
      const short = await fileRequest({ patient, duration: 600 });
      for (const { requestId } of [long, short]) {
        await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);
        await transact(bed.authorities[1], bed.sut, 'approve', [requestId]);
      }

      await bed.chain.increaseTime(600);

      expect(await isGranted(patient, bed.doctor.address)).toEqual([true, long.requestId]);
      expect((await requestOf(short.requestId)).status).toBe(BigInt(EmergencyStatus.Expired));
    });

    it('stops a granted access as soon as the doctor is deactivated, and refuses approvals for them', async () => {
      const mover = await registeredDoctor();
      const granted = await fileRequest({ signer: mover });
      const pending = await fileRequest({ signer: mover });
      await transact(bed.authorities[0], bed.sut, 'approve', [granted.requestId]);
      await transact(bed.authorities[1], bed.sut, 'approve', [granted.requestId]);
      expect(await isGranted(granted.patient, mover.address)).toEqual([true, granted.requestId]);

      await transact(bed.hospital, bed.registry, 'deactivatePractitioner', [mover.address]);

      expect(await isGranted(granted.patient, mover.address)).toEqual([false, 0n]);
      const error = await revertOf(bed.authorities[0].send(bed.sut, 'approve', [pending.requestId]));
      expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotActiveDoctor', [mover.address]]);
    });

    it('refuses approvals and denials from a non-authority', async () => {
      const { requestId } = await fileRequest();

      for (const method of ['approve', 'deny']) {
        const error = await revertOf(bed.relayer.send(bed.sut, method, [requestId]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotAuthority', [bed.relayer.address]]);
      }
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Pending));
    });

    it('refuses a second approval by the same authority', async () => {
      const { requestId, patient } = await fileRequest();
      await transact(bed.authorities[1], bed.sut, 'approve', [requestId]);

      const error = await revertOf(bed.authorities[1].send(bed.sut, 'approve', [requestId]));

      expect([error.errorName, error.args]).toEqual(['EmergencyAccessAlreadyApproved', [requestId, bed.authorities[1].address]]);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);
    });

    it('refuses to approve or deny an unknown request', async () => {
      for (const method of ['approve', 'deny']) {
        const error = await revertOf(bed.authorities[0].send(bed.sut, method, [10_000n]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessUnknownRequest', [10_000n]]);
      }
      expect((await requestOf(10_000n)).status).toBe(0n);
    });

    it('denies a pending request for good; a granted or denied one is no longer pending', async () => {
      const { requestId, patient } = await fileRequest();
      await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);

      const denied = await transact(bed.authorities[2], bed.sut, 'deny', [requestId]);

      expect(denied.events).toEqual([
        { name: 'EmergencyDenied', args: { requestId, patient, doctor: bed.doctor.address, authority: bed.authorities[2].address } },
      ]);
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Denied));
      for (const method of ['approve', 'deny']) {
        const error = await revertOf(bed.authorities[1].send(bed.sut, method, [requestId]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotPending', [requestId, BigInt(EmergencyStatus.Denied)]]);
      }
      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);

      const granted = await fileRequest();
      await transact(bed.authorities[0], bed.sut, 'approve', [granted.requestId]);
      await transact(bed.authorities[1], bed.sut, 'approve', [granted.requestId]);
      for (const [from, method] of [[bed.authorities[2], 'approve'], [bed.authorities[2], 'deny']] as const) {
        const error = await revertOf(from.send(bed.sut, method, [granted.requestId]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotPending', [granted.requestId, BigInt(EmergencyStatus.Granted)]]);
      }
    });
  });

  describe('approval deadline', () => {
    /** A pending request's approval deadline: its filing time plus maxDuration. */
    const deadlineOf = async (receipt: { blockNumber: bigint }) =>
      (await blockTimestamp(bed.chain, receipt.blockNumber)) + BigInt(MAX_DURATION);

    it('lets a pending request lapse once maxDuration has passed: approvals revert and it shows as Expired', async () => {
      const { requestId, patient, receipt } = await fileRequest();
      const approvalDeadline = await deadlineOf(receipt);
      await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);
      expect(await requestOf(requestId)).toMatchObject({ status: BigInt(EmergencyStatus.Pending), expiresAt: approvalDeadline });

      await bed.chain.increaseTime(MAX_DURATION + 1);

      const error = await revertOf(bed.authorities[1].send(bed.sut, 'approve', [requestId]));
      expect([error.errorName, error.args]).toEqual(['EmergencyAccessRequestLapsed', [requestId, approvalDeadline]]);
      expect(await requestOf(requestId)).toMatchObject({
        status: BigInt(EmergencyStatus.Expired), approvals: 1n, startsAt: 0n, expiresAt: approvalDeadline,
      });
      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);
    });

    it('still grants on an approval just inside the window, for the requested duration from then', async () => {
      const { requestId, patient, receipt } = await fileRequest({ duration: 600 });
      const approvalDeadline = await deadlineOf(receipt);
      await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);

      await bed.chain.increaseTime(Number(approvalDeadline - (await blockTimestamp(bed.chain))) - 5);
      const granting = await transact(bed.authorities[1], bed.sut, 'approve', [requestId]);

      const grantedAt = await blockTimestamp(bed.chain, granting.receipt.blockNumber);
      expect(grantedAt).toBeLessThan(approvalDeadline);
      expect(grantedAt).toBeGreaterThanOrEqual(approvalDeadline - 5n);
      expect(granting.events.map((e) => e.name)).toEqual(['EmergencyApproved', 'EmergencyGranted']);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([true, requestId]);
      expect(await requestOf(requestId)).toMatchObject({
        status: BigInt(EmergencyStatus.Granted), startsAt: grantedAt, expiresAt: grantedAt + 600n,
      });
    });

    it('refuses to deny a lapsed request the same way', async () => {
      const { requestId, receipt } = await fileRequest();
      const approvalDeadline = await deadlineOf(receipt);

      await bed.chain.increaseTime(MAX_DURATION + 1);

      const error = await revertOf(bed.authorities[2].send(bed.sut, 'deny', [requestId]));
      expect([error.errorName, error.args]).toEqual(['EmergencyAccessRequestLapsed', [requestId, approvalDeadline]]);
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Expired));
    });
  });

  describe('review', () => {
    it("lists every emergency request of a patient, whatever became of it, and no one else's", async () => {
      const patient = randomBytes32();
      const other = await registeredDoctor();
      const granted = await fileRequest({ patient });
      const denied = await fileRequest({ patient, signer: other });
      const pending = await fileRequest({ patient });
      await fileRequest();
      await transact(bed.authorities[0], bed.sut, 'approve', [granted.requestId]);
      await transact(bed.authorities[1], bed.sut, 'approve', [granted.requestId]);
      await transact(bed.authorities[0], bed.sut, 'deny', [denied.requestId]);

      const [ids] = (await bed.deployer.call(bed.sut, 'requestsOfPatient', [patient])) as bigint[][];

      expect(ids).toEqual([granted.requestId, denied.requestId, pending.requestId]);
      const reviewed = await Promise.all(ids.map((id) => requestOf(id)));
      expect(reviewed.map((r) => [r.doctor, r.status])).toEqual([
        [bed.doctor.address, BigInt(EmergencyStatus.Granted)],
        [other.address, BigInt(EmergencyStatus.Denied)],
        [bed.doctor.address, BigInt(EmergencyStatus.Pending)],
      ]);
      expect(await bed.deployer.call(bed.sut, 'requestsOfPatient', [randomBytes32()])).toEqual([[]]);
    });
  });
});
