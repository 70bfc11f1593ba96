import { newKey } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { admit, deployRegistry, DOCTOR, registerPractitioner } from './support/consortium';
import { APPROVAL_WINDOW, EmergencyStatus, emergencyAccessTestbed, MAX_DURATION } from './support/emergency';
import { blockTimestamp, rpc, transact } from './support/rpc';

describe('EmergencyAccess approvals and review (contract)', () => {
  /** Backed by a 2-of-3 ConsortiumRegistry. */
  const bed = emergencyAccessTestbed();
  const { fileRequest, endArgs, approveBy, requestsOfPatient, registeredDoctor, isGranted, requestOf } = bed;

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
      const deployed = await bed.deployer.deploy('EmergencyAccess', [directory.address, MAX_DURATION, APPROVAL_WINDOW]);
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

    it("ATTACK: a suspended hospital's doctor requests, is approved, or reads under a grant: all refused while suspended (issue 9, point 6)", async () => {
      const hospital = await bed.admittedHospital();
      const doctor = newKey();
      await registerPractitioner(hospital, bed.registry, doctor.address);
      const granted = await fileRequest({ signer: doctor });
      const pending = await fileRequest({ signer: doctor });
      await approveBy(granted.requestId);
      expect(await isGranted(granted.patient, doctor.address)).toEqual([true, granted.requestId]);

      await bed.suspend(hospital.address);

      expect(await isGranted(granted.patient, doctor.address)).toEqual([false, 0n]);
      const approval = await revertOf(bed.authorities[0].send(bed.sut, 'approve', [pending.requestId]));
      expect([approval.errorName, approval.args]).toEqual(['EmergencyAccessNotActiveDoctor', [doctor.address]]);
      const request = await revertOf(bed.relayer.send(bed.sut, 'request', await bed.requestArgs({ signer: doctor })));
      expect([request.errorName, request.args]).toEqual(['EmergencyAccessNotActiveDoctor', [doctor.address]]);
    });

    it('refuses approvals, denials and revocations from a non-authority', async () => {
      const { requestId } = await fileRequest();

      for (const method of ['approve', 'deny', 'revoke']) {
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

    it('denies a pending request for good at the second of 2-of-3 denials; a granted or denied one is no longer pending', async () => {
      const { requestId, patient } = await fileRequest();

      const first = await transact(bed.authorities[2], bed.sut, 'deny', [requestId]);
      expect(first.events).toEqual([{ name: 'EmergencyObjected', args: { requestId, authority: bed.authorities[2].address, objections: 1n } }]);
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Pending));

      const denied = await transact(bed.authorities[0], bed.sut, 'deny', [requestId]);

      expect(denied.events).toEqual([
        { name: 'EmergencyObjected', args: { requestId, authority: bed.authorities[0].address, objections: 2n } },
        { name: 'EmergencyDenied', args: { requestId, patient, doctor: bed.doctor.address } },
      ]);
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Denied));
      expect(await bed.deployer.call(bed.sut, 'hasObjected', [requestId, bed.authorities[2].address])).toEqual([true]);
      expect(await bed.deployer.call(bed.sut, 'hasObjected', [requestId, bed.authorities[1].address])).toEqual([false]);
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
    /** A pending request's approval deadline: its filing time plus the approval window. */
    const deadlineOf = async (receipt: { blockNumber: bigint }) =>
      (await blockTimestamp(bed.chain, receipt.blockNumber)) + BigInt(APPROVAL_WINDOW);

    it('lets a pending request lapse once the approval window has passed: approvals revert and it shows as Expired', async () => {
      const { requestId, patient, receipt } = await fileRequest();
      const approvalDeadline = await deadlineOf(receipt);
      await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);
      expect(await requestOf(requestId)).toMatchObject({ status: BigInt(EmergencyStatus.Pending), expiresAt: approvalDeadline });

      await bed.chain.increaseTime(APPROVAL_WINDOW + 1);

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

      await bed.chain.increaseTime(APPROVAL_WINDOW + 1);

      const error = await revertOf(bed.authorities[2].send(bed.sut, 'deny', [requestId]));
      expect([error.errorName, error.args]).toEqual(['EmergencyAccessRequestLapsed', [requestId, approvalDeadline]]);
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Expired));
    });
  });

  describe('threshold both ways (issue 9, point 5)', () => {
    it('lets no single authority block an emergency: one denies, two others approve, the doctor reads', async () => {
      const { requestId, patient } = await fileRequest();

      // The attack: the first authority to see the request vetoes it.
      await transact(bed.authorities[2], bed.sut, 'deny', [requestId]);
      await approveBy(requestId, [bed.authorities[0], bed.authorities[1]]);

      expect(await isGranted(patient, bed.doctor.address)).toEqual([true, requestId]);
      expect(await requestOf(requestId)).toMatchObject({ status: BigInt(EmergencyStatus.Granted), approvals: 2n });
      expect(await bed.deployer.call(bed.sut, 'objectionsOf', [requestId])).toEqual([1n]);
    });

    it('lets an authority vote once: no approving after denying, no denying after approving, no second denial', async () => {
      const { requestId } = await fileRequest();
      await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);
      await transact(bed.authorities[1], bed.sut, 'deny', [requestId]);

      const cases: [number, string, string][] = [
        [0, 'deny', 'EmergencyAccessAlreadyApproved'],
        [1, 'approve', 'EmergencyAccessAlreadyObjected'],
        [1, 'deny', 'EmergencyAccessAlreadyObjected'],
      ];
      for (const [who, method, errorName] of cases) {
        const error = await revertOf(bed.authorities[who]!.send(bed.sut, method, [requestId]));
        expect([error.errorName, error.args]).toEqual([errorName, [requestId, bed.authorities[who]!.address]]);
      }
      expect(await requestOf(requestId)).toMatchObject({ status: BigInt(EmergencyStatus.Pending), approvals: 1n });
    });

    it('revokes a granted access at k revocations, not at one; an approver may change its mind', async () => {
      const { requestId, patient } = await fileRequest();
      await approveBy(requestId);

      const first = await transact(bed.authorities[2], bed.sut, 'revoke', [requestId]);

      expect(first.events).toEqual([{ name: 'EmergencyObjected', args: { requestId, authority: bed.authorities[2].address, objections: 1n } }]);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([true, requestId]);
      const again = await revertOf(bed.authorities[2].send(bed.sut, 'revoke', [requestId]));
      expect([again.errorName, again.args]).toEqual(['EmergencyAccessAlreadyObjected', [requestId, bed.authorities[2].address]]);

      const revoked = await transact(bed.authorities[0], bed.sut, 'revoke', [requestId]);

      expect(revoked.events).toEqual([
        { name: 'EmergencyObjected', args: { requestId, authority: bed.authorities[0].address, objections: 2n } },
        { name: 'EmergencyRevoked', args: { requestId, patient, doctor: bed.doctor.address } },
      ]);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);
      expect((await requestOf(requestId)).status).toBe(BigInt(EmergencyStatus.Revoked));
      const late = await revertOf(bed.authorities[1].send(bed.sut, 'revoke', [requestId]));
      expect([late.errorName, late.args]).toEqual(['EmergencyAccessNotGranted', [requestId, BigInt(EmergencyStatus.Revoked)]]);
    });

    it('refuses to revoke what is not a live grant: pending, expired, unknown', async () => {
      const pending = await fileRequest();
      const expired = await fileRequest({ duration: 60 });
      await approveBy(expired.requestId);
      await bed.chain.increaseTime(60);

      const cases: [bigint, number][] = [[pending.requestId, EmergencyStatus.Pending], [expired.requestId, EmergencyStatus.Expired], [10_000n, 0]];
      for (const [requestId, status] of cases) {
        const error = await revertOf(bed.authorities[2].send(bed.sut, 'revoke', [requestId]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotGranted', [requestId, BigInt(status)]]);
      }
    });
  });

  describe('self-approval (issue 9, point 5)', () => {
    it('refuses an authority that is also a registered doctor approving its own request: it and one other authority do not grant', async () => {
      // An authority whose account is also an active doctor. ConsortiumRegistry refuses to register
      // an authority as a practitioner (consortium-practitioners.spec.ts), so the directory here is
      // the mock: this check is EmergencyAccess's own, whatever directory it is given.
      const insider = newKey();
      const insiderAuthority = bed.chain.client(insider.key);
      const [a0, a1] = bed.authorities as [typeof bed.authorities[0], typeof bed.authorities[0]];
      const directory = bed.deployer.contract('ConsortiumDirectoryMock', (await bed.deployer.deploy('ConsortiumDirectoryMock')).address);
      for (const authority of [insider.address, a0.address, a1.address]) await transact(bed.deployer, directory, 'setAuthority', [authority, true]);
      await transact(bed.deployer, directory, 'setAuthorityThreshold', [2]);
      await transact(bed.deployer, directory, 'setActiveHospital', [bed.hospital.address, true]);
      await transact(bed.deployer, directory, 'setPractitioner', [insider.address, bed.hospital.address, DOCTOR]);
      const deployed = await bed.deployer.deploy('EmergencyAccess', [directory.address, MAX_DURATION, APPROVAL_WINDOW]);
      const sut = bed.deployer.contract('EmergencyAccess', deployed.address);
      const { requestId, patient } = await fileRequest({ contract: sut, signer: insider });

      // The attack: the insider approves its own request, then needs only one colleague.
      const error = await revertOf(insiderAuthority.send(sut, 'approve', [requestId]));
      await transact(a0, sut, 'approve', [requestId]);

      expect([error.errorName, error.args]).toEqual(['EmergencyAccessSelfApproval', [requestId, insider.address]]);
      expect(await isGranted(patient, insider.address, sut)).toEqual([false, 0n]);
      expect(await requestOf(requestId, sut)).toMatchObject({ status: BigInt(EmergencyStatus.Pending), approvals: 1n });

      // k authorities other than the doctor still grant it.
      await transact(a1, sut, 'approve', [requestId]);
      expect(await isGranted(patient, insider.address, sut)).toEqual([true, requestId]);
    });
  });

  describe('time box (issue 9, point 10)', () => {
    it('ends access at most approval window + maximum duration after the request, and at most the maximum after the grant', async () => {
      // The attack: hold a request nearly a whole maxDuration before the granting approval, so the
      // access runs until almost twice maxDuration after the request.
      const held = await fileRequest({ duration: MAX_DURATION });
      await transact(bed.authorities[0], bed.sut, 'approve', [held.requestId]);
      await bed.chain.increaseTime(MAX_DURATION - 10);
      const error = await revertOf(bed.authorities[1].send(bed.sut, 'approve', [held.requestId]));
      expect(error.errorName).toBe('EmergencyAccessRequestLapsed');
      expect(await isGranted(held.patient, bed.doctor.address)).toEqual([false, 0n]);

      // The latest possible grant still ends within approval window + maxDuration of the request.
      const { requestId, patient, receipt } = await fileRequest({ duration: MAX_DURATION });
      const requestedAt = await blockTimestamp(bed.chain, receipt.blockNumber);
      await transact(bed.authorities[0], bed.sut, 'approve', [requestId]);
      await bed.chain.increaseTime(APPROVAL_WINDOW - 10);
      const granting = await transact(bed.authorities[1], bed.sut, 'approve', [requestId]);
      const grantedAt = await blockTimestamp(bed.chain, granting.receipt.blockNumber);

      const { expiresAt } = await requestOf(requestId);
      expect(expiresAt).toBe(grantedAt + BigInt(MAX_DURATION));
      expect(expiresAt).toBeLessThanOrEqual(requestedAt + BigInt(APPROVAL_WINDOW + MAX_DURATION));
      await bed.chain.increaseTime(MAX_DURATION);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);
    });

    it("lets the doctor end a granted access early, by a signature anyone relays; the access stops in that block", async () => {
      const { requestId, patient } = await fileRequest({ duration: MAX_DURATION });
      await approveBy(requestId);
      const grantedExpiry = (await requestOf(requestId)).expiresAt;

      const ended = await transact(bed.relayer, bed.sut, 'end', await endArgs(requestId));

      expect(ended.events).toEqual([{ name: 'EmergencyEnded', args: { requestId, patient, doctor: bed.doctor.address } }]);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);
      expect(await requestOf(requestId)).toMatchObject({ status: BigInt(EmergencyStatus.Ended), expiresAt: grantedExpiry });
      const replay = await revertOf(bed.relayer.send(bed.sut, 'end', await endArgs(requestId)));
      expect([replay.errorName, replay.args]).toEqual(['EmergencyAccessNotGranted', [requestId, BigInt(EmergencyStatus.Ended)]]);
    });

    it("refuses to end someone else's access, a pending request, or with a signature past its deadline", async () => {
      const { requestId, patient } = await fileRequest();
      const pending = await fileRequest();
      await approveBy(requestId);
      const stranger = newKey();
      const colleague = await registeredDoctor();
      const deadline = (await blockTimestamp(bed.chain)) - 1n;

      for (const signer of [stranger, colleague]) {
        const error = await revertOf(bed.relayer.send(bed.sut, 'end', await endArgs(requestId, { signer })));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessInvalidSigner', [signer.address, bed.doctor.address]]);
      }
      const late = await revertOf(bed.relayer.send(bed.sut, 'end', await endArgs(requestId, { deadline })));
      expect([late.errorName, late.args]).toEqual(['EmergencyAccessExpiredSignature', [deadline]]);
      const notGranted = await revertOf(bed.relayer.send(bed.sut, 'end', await endArgs(pending.requestId)));
      expect([notGranted.errorName, notGranted.args]).toEqual(['EmergencyAccessNotGranted', [pending.requestId, BigInt(EmergencyStatus.Pending)]]);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([true, requestId]);
    });

    it('grants a new request for the same doctor and patient after an ended one, even a shorter one', async () => {
      const patient = randomBytes32();
      const long = await fileRequest({ patient, duration: MAX_DURATION });
      await approveBy(long.requestId);
      await transact(bed.relayer, bed.sut, 'end', await endArgs(long.requestId));

      const short = await fileRequest({ patient, duration: 600 });
      await approveBy(short.requestId);

      expect(await isGranted(patient, bed.doctor.address)).toEqual([true, short.requestId]);
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
      await approveBy(granted.requestId);
      await transact(bed.authorities[0], bed.sut, 'deny', [denied.requestId]);
      await transact(bed.authorities[1], bed.sut, 'deny', [denied.requestId]);

      const ids = await requestsOfPatient(patient);

      expect(ids).toEqual([granted.requestId, denied.requestId, pending.requestId]);
      expect(await bed.deployer.call(bed.sut, 'requestCountOfPatient', [patient])).toEqual([3n]);
      const reviewed = await Promise.all(ids.map((id) => requestOf(id)));
      expect(reviewed.map((r) => [r.doctor, r.status])).toEqual([
        [bed.doctor.address, BigInt(EmergencyStatus.Granted)],
        [other.address, BigInt(EmergencyStatus.Denied)],
        [bed.doctor.address, BigInt(EmergencyStatus.Pending)],
      ]);
      expect(await requestsOfPatient(randomBytes32())).toEqual([]);
      expect(await bed.deployer.call(bed.sut, 'requestCountOfPatient', [randomBytes32()])).toEqual([0n]);
    });

    it('pages through the list: offset and limit, a short last page, an empty page past the end', async () => {
      const patient = randomBytes32();
      const ids: bigint[] = [];
      for (let i = 0; i < 5; i++) ids.push((await fileRequest({ patient })).requestId);

      expect(await requestsOfPatient(patient, 0, 2)).toEqual(ids.slice(0, 2));
      expect(await requestsOfPatient(patient, 2, 2)).toEqual(ids.slice(2, 4));
      expect(await requestsOfPatient(patient, 4, 2)).toEqual(ids.slice(4));
      expect(await requestsOfPatient(patient, 5, 2)).toEqual([]);
      expect(await requestsOfPatient(patient, 2n ** 256n - 1n, 2)).toEqual([]);
      expect(await requestsOfPatient(patient, 1, 2n ** 256n - 1n)).toEqual(ids.slice(1));
      expect(await requestsOfPatient(patient, 0, 0)).toEqual([]);
    });

    it('costs the same for a page whatever the length of the list (issue 9, point 5)', async () => {
      const patient = randomBytes32();
      const pageGas = async (offset: number) =>
        BigInt(await rpc<string>(bed.chain, 'eth_estimateGas', [{ to: bed.sut.address, data: bed.sut.encodeCall('requestsOfPatient', [patient, offset, 10]) }]));
      for (let i = 0; i < 10; i++) await fileRequest({ patient });
      const short = await pageGas(0);

      // The attack: flood the patient's list (anyone may relay requests of a colleague doctor).
      for (let i = 0; i < 40; i++) await fileRequest({ patient });

      expect(await bed.deployer.call(bed.sut, 'requestCountOfPatient', [patient])).toEqual([50n]);
      // Equal up to eth_estimateGas's rounding and a few calldata bytes for offset 40; a 10-id page
      // costs about 2,100 gas per id read, so five times the list would be thousands more if it grew.
      const near = (gas: bigint) => (gas > short ? gas - short : short - gas) < 100n;
      expect([await pageGas(0), await pageGas(40)].map(near)).toEqual([true, true]);
    });
  });
});
