import { randomAddress, ZERO_ADDRESS } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { consortiumTestbed, deployRegistry, DOCTOR, propose } from './support/consortium';
import { blockTimestamp, DAY, transact } from './support/rpc';

const enum Action {
  Admit = 1,
  Suspend = 2,
  Reinstate = 3,
}
const enum HospitalStatus {
  None = 0,
  Admitted = 1,
  Suspended = 2,
}

describe('ConsortiumRegistry governance (contract)', () => {
  const bed = consortiumTestbed();
  const { view } = bed;
  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('deployment', () => {
    it('records the authorities, the threshold and the proposal lifetime', async () => {
      expect(await view(bed.sut, 'authorities', [])).toEqual([bed.authorities.slice(0, 3).map((a) => a.address)]);
      expect(await view(bed.sut, 'authorityThreshold', [])).toEqual([2n]);
      expect(await view(bed.sut, 'proposalTtl', [])).toEqual([BigInt(DAY)]);
      expect(await view(bed.sut, 'isAuthority', [bed.authorities[2].address])).toEqual([true]);
      expect(await view(bed.sut, 'isAuthority', [bed.authorities[3].address])).toEqual([false]);
    });

    it.each([
      ['0', 0],
      ['more than the authorities', 4],
    ])('rejects a threshold of %s', async (_label, threshold) => {
      const error = await revertOf(deployRegistry(bed.deployer, bed.authorities.slice(0, 3).map((a) => a.address), threshold));

      expect(error.errorName).toBe('ConsortiumRegistryInvalidThreshold');
      expect(error.args).toEqual([BigInt(threshold), 3n]);
    });

    it('rejects no authorities and more than 96', async () => {
      const none = await revertOf(deployRegistry(bed.deployer, [], 1));
      const many = await revertOf(deployRegistry(bed.deployer, Array.from({ length: 97 }, randomAddress), 1));

      expect([none.errorName, none.args]).toEqual(['ConsortiumRegistryInvalidAuthorityCount', [0n, 96n]]);
      expect([many.errorName, many.args]).toEqual(['ConsortiumRegistryInvalidAuthorityCount', [97n, 96n]]);
    });

    it('rejects a zero or duplicate authority and a zero proposal lifetime', async () => {
      const [a, b] = [bed.authorities[0].address, bed.authorities[1].address];
      const zero = await revertOf(deployRegistry(bed.deployer, [a, ZERO_ADDRESS], 1));
      const duplicate = await revertOf(deployRegistry(bed.deployer, [a, b, a], 2));
      const noTtl = await revertOf(deployRegistry(bed.deployer, [a, b], 2, 0));

      expect([zero.errorName, zero.args]).toEqual(['ConsortiumRegistryInvalidAuthority', [ZERO_ADDRESS]]);
      expect([duplicate.errorName, duplicate.args]).toEqual(['ConsortiumRegistryDuplicateAuthority', [a]]);
      expect([noTtl.errorName, noTtl.args]).toEqual(['ConsortiumRegistryInvalidProposalTtl', [0n, BigInt(30 * DAY)]]);
    });

    it('bounds the proposal lifetime at 30 days: longer, or one that would overflow every expiry, is refused', async () => {
      const authorities = bed.authorities.slice(0, 2).map((a) => a.address);
      for (const ttl of [30 * DAY + 1, 2n ** 64n - 1n]) {
        const error = await revertOf(deployRegistry(bed.deployer, authorities, 2, ttl));
        expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryInvalidProposalTtl', [BigInt(ttl), BigInt(30 * DAY)]]);
      }
      const longest = await deployRegistry(bed.deployer, authorities, 2, 30 * DAY);
      expect(await view(longest, 'MAX_PROPOSAL_TTL', [])).toEqual([BigInt(30 * DAY)]);
      expect(await view(longest, 'proposalTtl', [])).toEqual([BigInt(30 * DAY)]);
    });
  });

  describe('threshold governance', () => {
    it('admits a hospital at the second of 2-of-3 approvals, not at the first', async () => {
      const hospital = randomAddress();
      const detailsHash = randomBytes32();
      const proposed = await transact(bed.authorities[0], bed.sut, 'proposeAdmission', [hospital, detailsHash]);
      const proposalId = proposed.events[0].args.proposalId as bigint;

      expect(proposed.events).toEqual([
        {
          name: 'ProposalCreated',
          args: { proposalId, action: BigInt(Action.Admit), subject: expect.stringMatching(new RegExp(`^${hospital}$`, 'i')), dataHash: detailsHash, proposer: bed.authorities[0].address },
        },
        { name: 'ProposalApproved', args: { proposalId, authority: bed.authorities[0].address, approvals: 1n } },
      ]);
      expect(await view(bed.sut, 'isActiveHospital', [hospital])).toEqual([false]);
      expect(await view(bed.sut, 'hospitalStatus', [hospital])).toEqual([BigInt(HospitalStatus.None)]);

      const approved = await transact(bed.authorities[1], bed.sut, 'approve', [proposalId]);

      expect(approved.events).toEqual([
        { name: 'ProposalApproved', args: { proposalId, authority: bed.authorities[1].address, approvals: 2n } },
        { name: 'HospitalAdmitted', args: { hospital: expect.stringMatching(new RegExp(`^${hospital}$`, 'i')), proposalId, detailsHash } },
      ]);
      expect(await view(bed.sut, 'isActiveHospital', [hospital])).toEqual([true]);
      expect(await view(bed.sut, 'isActiveMember', [hospital])).toEqual([true]);
      expect(await view(bed.sut, 'hospitalStatus', [hospital])).toEqual([BigInt(HospitalStatus.Admitted)]);
      const expiresAt = (await blockTimestamp(bed.chain, proposed.receipt.blockNumber)) + BigInt(DAY);
      const [action, subject, dataHash, proposer, approvals, storedExpiry, executed, cancelled] = await view(bed.sut, 'proposal', [proposalId]);
      expect([action, String(subject).toLowerCase(), dataHash, proposer, approvals, storedExpiry, executed, cancelled]).toEqual([
        BigInt(Action.Admit), hospital.toLowerCase(), detailsHash, bed.authorities[0].address, 2n, expiresAt, true, false,
      ]);
      expect(await view(bed.sut, 'hasApproved', [proposalId, bed.authorities[1].address])).toEqual([true]);
      expect(await view(bed.sut, 'hasApproved', [proposalId, bed.authorities[2].address])).toEqual([false]);
    });

    it('needs all three approvals under 3-of-4: two do not suffice', async () => {
      const strict = await deployRegistry(bed.deployer, bed.authorities.map((a) => a.address), 3);
      const hospital = randomAddress();
      const { proposalId } = await propose(bed.authorities[3], strict, 'proposeAdmission', hospital);

      const second = await transact(bed.authorities[0], strict, 'approve', [proposalId]);

      expect(second.events.map((e) => e.name)).toEqual(['ProposalApproved']);
      expect(await view(strict, 'isActiveHospital', [hospital])).toEqual([false]);
      expect((await view(strict, 'proposal', [proposalId]))[6]).toBe(false);

      const third = await transact(bed.authorities[2], strict, 'approve', [proposalId]);

      expect(third.events.map((e) => [e.name, e.args.approvals])).toEqual([['ProposalApproved', 3n], ['HospitalAdmitted', undefined]]);
      expect(await view(strict, 'isActiveHospital', [hospital])).toEqual([true]);
    });

    it('executes at proposal time when the threshold is 1', async () => {
      const solo = await deployRegistry(bed.deployer, [bed.authorities[0].address, bed.authorities[1].address], 1);
      const hospital = randomAddress();

      const { events } = await propose(bed.authorities[1], solo, 'proposeAdmission', hospital);

      expect(events.map((e) => e.name)).toEqual(['ProposalCreated', 'ProposalApproved', 'HospitalAdmitted']);
      expect(await view(solo, 'isActiveHospital', [hospital])).toEqual([true]);
    });

    it('suspends and reinstates a hospital with 2-of-3 approvals; its practitioners follow', async () => {
      const hospital = await bed.admittedHospital();
      const doctor = randomAddress();
      await transact(hospital, bed.sut, 'registerPractitioner', [doctor, DOCTOR, randomBytes32()]);
      const reasonHash = randomBytes32();

      const { proposalId: suspension } = await propose(bed.authorities[2], bed.sut, 'proposeSuspension', hospital.address, reasonHash);
      expect(await view(bed.sut, 'isActiveHospital', [hospital.address])).toEqual([true]);
      const suspended = await transact(bed.authorities[0], bed.sut, 'approve', [suspension]);

      expect(suspended.events[1]).toEqual({ name: 'HospitalSuspended', args: { hospital: hospital.address, proposalId: suspension, reasonHash } });
      expect(await view(bed.sut, 'hospitalStatus', [hospital.address])).toEqual([BigInt(HospitalStatus.Suspended)]);
      expect(await view(bed.sut, 'isActiveHospital', [hospital.address])).toEqual([false]);
      expect(await view(bed.sut, 'isActiveMember', [hospital.address])).toEqual([false]);
      expect(await view(bed.sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([false]);
      expect(await view(bed.sut, 'isActiveMember', [doctor])).toEqual([false]);
      const refused = await revertOf(hospital.send(bed.sut, 'registerPractitioner', [randomAddress(), DOCTOR, randomBytes32()]));
      expect([refused.errorName, refused.args]).toEqual(['ConsortiumRegistryHospitalNotActive', [hospital.address]]);

      const { proposalId: reinstatement, events } = await propose(bed.authorities[1], bed.sut, 'proposeReinstatement', hospital.address, reasonHash);
      expect(events[0].args.action).toBe(BigInt(Action.Reinstate));
      const reinstated = await transact(bed.authorities[2], bed.sut, 'approve', [reinstatement]);

      expect(reinstated.events[1]).toEqual({ name: 'HospitalReinstated', args: { hospital: hospital.address, proposalId: reinstatement, reasonHash } });
      expect(await view(bed.sut, 'isActiveHospital', [hospital.address])).toEqual([true]);
      expect(await view(bed.sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([true]);
      expect(await view(bed.sut, 'isActiveMember', [doctor])).toEqual([true]);
    });

    it('refuses proposals and approvals from a non-authority', async () => {
      const { proposalId } = await propose(bed.authorities[0], bed.sut, 'proposeAdmission', randomAddress());

      for (const attempt of [
        bed.stranger.send(bed.sut, 'proposeAdmission', [randomAddress(), randomBytes32()]),
        bed.stranger.send(bed.sut, 'approve', [proposalId]),
        bed.authorities[3].send(bed.sut, 'approve', [proposalId]), // an authority of another registry
      ]) {
        const error = await revertOf(attempt);
        expect(error.errorName).toBe('ConsortiumRegistryNotAuthority');
      }
      const error = await revertOf(bed.stranger.send(bed.sut, 'approve', [proposalId]));
      expect(error.args).toEqual([bed.stranger.address]);
      expect((await view(bed.sut, 'proposal', [proposalId]))[4]).toBe(1n);
    });

    it('refuses a second approval by the same authority, the proposer included', async () => {
      const hospital = randomAddress();
      const { proposalId } = await propose(bed.authorities[0], bed.sut, 'proposeAdmission', hospital);

      const error = await revertOf(bed.authorities[0].send(bed.sut, 'approve', [proposalId]));

      expect(error.errorName).toBe('ConsortiumRegistryAlreadyApproved');
      expect(error.args).toEqual([proposalId, bed.authorities[0].address]);
      expect(await view(bed.sut, 'isActiveHospital', [hospital])).toEqual([false]);
    });

    it('refuses to approve an unknown or an executed proposal', async () => {
      const hospital = await bed.admittedHospital();
      const { proposalId } = await propose(bed.authorities[2], bed.sut, 'proposeSuspension', hospital.address);
      await transact(bed.authorities[1], bed.sut, 'approve', [proposalId]);

      const unknown = await revertOf(bed.authorities[0].send(bed.sut, 'approve', [proposalId + 1000n]));
      const executed = await revertOf(bed.authorities[0].send(bed.sut, 'approve', [proposalId]));

      expect([unknown.errorName, unknown.args]).toEqual(['ConsortiumRegistryUnknownProposal', [proposalId + 1000n]]);
      expect((await view(bed.sut, 'proposal', [proposalId + 1000n]))[0]).toBe(0n);
      expect([executed.errorName, executed.args]).toEqual(['ConsortiumRegistryProposalAlreadyExecuted', [proposalId]]);
    });

    it('refuses approvals once the proposal expired', async () => {
      const hospital = randomAddress();
      const { proposalId } = await propose(bed.authorities[0], bed.sut, 'proposeAdmission', hospital);
      const expiresAt = (await view(bed.sut, 'proposal', [proposalId]))[5] as bigint;

      await bed.chain.increaseTime(DAY);
      const error = await revertOf(bed.authorities[1].send(bed.sut, 'approve', [proposalId]));

      expect(error.errorName).toBe('ConsortiumRegistryProposalExpired');
      expect(error.args).toEqual([proposalId, expiresAt]);
      expect(await view(bed.sut, 'isActiveHospital', [hospital])).toEqual([false]);
    });

    it('refuses proposals that conflict with the hospital status', async () => {
      const admitted = await bed.admittedHospital();
      const never = randomAddress();
      const zero = ZERO_ADDRESS;

      const cases: [string, string, string][] = [
        ['proposeAdmission', admitted.address, 'ConsortiumRegistryHospitalAlreadyAdmitted'],
        ['proposeSuspension', never, 'ConsortiumRegistryHospitalNotActive'],
        ['proposeReinstatement', admitted.address, 'ConsortiumRegistryHospitalNotSuspended'],
        ['proposeReinstatement', never, 'ConsortiumRegistryHospitalNotSuspended'],
        ['proposeAdmission', zero, 'ConsortiumRegistryInvalidHospital'],
      ];
      for (const [method, hospital, errorName] of cases) {
        const error = await revertOf(bed.authorities[0].send(bed.sut, method, [hospital, randomBytes32()]));
        expect([method, error.errorName, String(error.args[0]).toLowerCase()]).toEqual([method, errorName, hospital.toLowerCase()]);
      }
    });

    it('refuses to suspend a hospital twice', async () => {
      const hospital = await bed.admittedHospital();
      const { proposalId } = await propose(bed.authorities[0], bed.sut, 'proposeSuspension', hospital.address);
      await transact(bed.authorities[1], bed.sut, 'approve', [proposalId]);

      const error = await revertOf(bed.authorities[2].send(bed.sut, 'proposeSuspension', [hospital.address, randomBytes32()]));

      expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryHospitalNotActive', [hospital.address]]);
    });

    it('refuses an approval that no longer fits: a rival admission already executed', async () => {
      const hospital = randomAddress();
      const { proposalId: first } = await propose(bed.authorities[0], bed.sut, 'proposeAdmission', hospital);
      const { proposalId: rival } = await propose(bed.authorities[1], bed.sut, 'proposeAdmission', hospital);
      await transact(bed.authorities[2], bed.sut, 'approve', [first]);

      const error = await revertOf(bed.authorities[2].send(bed.sut, 'approve', [rival]));

      expect(error.errorName).toBe('ConsortiumRegistryHospitalAlreadyAdmitted');
      expect((await view(bed.sut, 'proposal', [rival]))[4]).toBe(1n);
    });
  });

  describe('cancellation (issue 9, point 10)', () => {
    it('lets the proposer cancel before execution: the approval that would have executed it is refused', async () => {
      const hospital = randomAddress();
      const { proposalId } = await propose(bed.authorities[0], bed.sut, 'proposeAdmission', hospital);

      const cancelled = await transact(bed.authorities[0], bed.sut, 'cancel', [proposalId]);

      expect(cancelled.events).toEqual([{ name: 'ProposalCancelled', args: { proposalId, proposer: bed.authorities[0].address } }]);
      expect((await view(bed.sut, 'proposal', [proposalId]))[7]).toBe(true);
      // The attack this closes: a proposal its proposer regrets stays one approval from executing.
      const error = await revertOf(bed.authorities[1].send(bed.sut, 'approve', [proposalId]));
      expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryProposalCancelled', [proposalId]]);
      expect(await view(bed.sut, 'isActiveHospital', [hospital])).toEqual([false]);
      expect((await view(bed.sut, 'proposal', [proposalId]))[6]).toBe(false);
    });

    it('refuses cancellation by anyone but the proposer, and of an executed, cancelled or unknown proposal', async () => {
      const { proposalId } = await propose(bed.authorities[0], bed.sut, 'proposeAdmission', randomAddress());
      const executed = (await propose(bed.authorities[1], bed.sut, 'proposeAdmission', randomAddress())).proposalId;
      await transact(bed.authorities[2], bed.sut, 'approve', [executed]);

      for (const from of [bed.authorities[1], bed.authorities[2], bed.stranger]) {
        const error = await revertOf(from.send(bed.sut, 'cancel', [proposalId]));
        expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryNotProposer', [proposalId, from.address]]);
      }
      const done = await revertOf(bed.authorities[1].send(bed.sut, 'cancel', [executed]));
      expect([done.errorName, done.args]).toEqual(['ConsortiumRegistryProposalAlreadyExecuted', [executed]]);
      const unknown = await revertOf(bed.authorities[0].send(bed.sut, 'cancel', [proposalId + 1000n]));
      expect([unknown.errorName, unknown.args]).toEqual(['ConsortiumRegistryUnknownProposal', [proposalId + 1000n]]);
      await transact(bed.authorities[0], bed.sut, 'cancel', [proposalId]);
      const twice = await revertOf(bed.authorities[0].send(bed.sut, 'cancel', [proposalId]));
      expect([twice.errorName, twice.args]).toEqual(['ConsortiumRegistryProposalCancelled', [proposalId]]);
    });

    it('leaves a rival proposal for the same hospital untouched', async () => {
      const hospital = randomAddress();
      const { proposalId: cancelled } = await propose(bed.authorities[0], bed.sut, 'proposeAdmission', hospital);
      const { proposalId: rival } = await propose(bed.authorities[1], bed.sut, 'proposeAdmission', hospital);
      await transact(bed.authorities[0], bed.sut, 'cancel', [cancelled]);

      await transact(bed.authorities[2], bed.sut, 'approve', [rival]);

      expect(await view(bed.sut, 'isActiveHospital', [hospital])).toEqual([true]);
    });
  });
});
