import { randomBytes } from 'node:crypto';
import type { ChainClient, ChainContract } from '../../gateway/src/chain/chain-client';
import { randomBytes32, revertOf, startTestChain, TestChain } from './support/chain';

const DAY = 86_400;
const DOCTOR = 1;
const PHARMACIST = 2;
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

/** A fresh address that holds nothing (a practitioner's device key, a hospital never admitted). */
const randomAddress = (): string => `0x${randomBytes(20).toString('hex')}`;

describe('ConsortiumRegistry (contract)', () => {
  let chain: TestChain;
  let deployer: ChainClient;
  let authorities: ChainClient[];
  let stranger: ChainClient;
  /** 2-of-3 registry shared by the tests; each test uses hospitals of its own. */
  let sut: ChainContract;

  async function deployRegistry(members: string[], threshold: number, ttl = DAY): Promise<ChainContract> {
    const { address } = await deployer.deploy('ConsortiumRegistry', [members, threshold, ttl]);
    return deployer.contract('ConsortiumRegistry', address);
  }

  /** Sends, requires success, and returns the decoded events (name and args only). */
  async function transact(from: ChainClient, contract: ChainContract, method: string, args: unknown[]) {
    const { txHash } = await from.send(contract, method, args);
    const receipt = await from.waitForReceipt(txHash, 10_000);
    expect(receipt.success).toBe(true);
    return {
      receipt,
      events: from.events(contract, receipt).map(({ name, args: decoded }) => ({ name, args: decoded })),
    };
  }

  async function view(contract: ChainContract, method: string, args: unknown[]): Promise<unknown[]> {
    return deployer.call(contract, method, args);
  }

  async function propose(from: ChainClient, contract: ChainContract, method: string, hospital: string, hash = randomBytes32()) {
    const { events } = await transact(from, contract, method, [hospital, hash]);
    return { proposalId: events[0].args.proposalId as bigint, events };
  }

  /** A hospital client admitted in `sut` by authorities 0 and 1. */
  async function admittedHospital(): Promise<ChainClient> {
    const hospital = chain.client();
    const { proposalId } = await propose(authorities[0], sut, 'proposeAdmission', hospital.address);
    await transact(authorities[1], sut, 'approve', [proposalId]);
    return hospital;
  }

  async function blockTimestamp(blockNumber: bigint): Promise<bigint> {
    const res = await fetch(chain.anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: [`0x${blockNumber.toString(16)}`, false] }),
    });
    const body = (await res.json()) as { result: { timestamp: string } };
    return BigInt(body.result.timestamp);
  }

  beforeAll(async () => {
    chain = await startTestChain();
    deployer = chain.client();
    authorities = [chain.client(), chain.client(), chain.client(), chain.client()];
    stranger = chain.client();
    sut = await deployRegistry(authorities.slice(0, 3).map((a) => a.address), 2);
  });

  afterAll(async () => {
    await chain?.stop();
  });

  describe('deployment', () => {
    it('records the authorities, the threshold and the proposal lifetime', async () => {
      expect(await view(sut, 'authorities', [])).toEqual([authorities.slice(0, 3).map((a) => a.address)]);
      expect(await view(sut, 'authorityThreshold', [])).toEqual([2n]);
      expect(await view(sut, 'proposalTtl', [])).toEqual([BigInt(DAY)]);
      expect(await view(sut, 'isAuthority', [authorities[2].address])).toEqual([true]);
      expect(await view(sut, 'isAuthority', [authorities[3].address])).toEqual([false]);
    });

    it.each([
      ['0', 0],
      ['more than the authorities', 4],
    ])('rejects a threshold of %s', async (_label, threshold) => {
      const error = await revertOf(deployRegistry(authorities.slice(0, 3).map((a) => a.address), threshold));

      expect(error.errorName).toBe('ConsortiumRegistryInvalidThreshold');
      expect(error.args).toEqual([BigInt(threshold), 3n]);
    });

    it('rejects no authorities and more than 96', async () => {
      const none = await revertOf(deployRegistry([], 1));
      const many = await revertOf(deployRegistry(Array.from({ length: 97 }, randomAddress), 1));

      expect([none.errorName, none.args]).toEqual(['ConsortiumRegistryInvalidAuthorityCount', [0n, 96n]]);
      expect([many.errorName, many.args]).toEqual(['ConsortiumRegistryInvalidAuthorityCount', [97n, 96n]]);
    });

    it('rejects a zero or duplicate authority and a zero proposal lifetime', async () => {
      const [a, b] = [authorities[0].address, authorities[1].address];
      const zero = await revertOf(deployRegistry([a, '0x0000000000000000000000000000000000000000'], 1));
      const duplicate = await revertOf(deployRegistry([a, b, a], 2));
      const noTtl = await revertOf(deployRegistry([a, b], 2, 0));

      expect([zero.errorName, zero.args]).toEqual(['ConsortiumRegistryInvalidAuthority', ['0x0000000000000000000000000000000000000000']]);
      expect([duplicate.errorName, duplicate.args]).toEqual(['ConsortiumRegistryDuplicateAuthority', [a]]);
      expect([noTtl.errorName, noTtl.args]).toEqual(['ConsortiumRegistryInvalidProposalTtl', [0n]]);
    });
  });

  describe('threshold governance', () => {
    it('admits a hospital at the second of 2-of-3 approvals, not at the first', async () => {
      const hospital = randomAddress();
      const detailsHash = randomBytes32();
      const proposed = await transact(authorities[0], sut, 'proposeAdmission', [hospital, detailsHash]);
      const proposalId = proposed.events[0].args.proposalId as bigint;

      expect(proposed.events).toEqual([
        {
          name: 'ProposalCreated',
          args: { proposalId, action: BigInt(Action.Admit), subject: expect.stringMatching(new RegExp(`^${hospital}$`, 'i')), dataHash: detailsHash, proposer: authorities[0].address },
        },
        { name: 'ProposalApproved', args: { proposalId, authority: authorities[0].address, approvals: 1n } },
      ]);
      expect(await view(sut, 'isActiveHospital', [hospital])).toEqual([false]);
      expect(await view(sut, 'hospitalStatus', [hospital])).toEqual([BigInt(HospitalStatus.None)]);

      const approved = await transact(authorities[1], sut, 'approve', [proposalId]);

      expect(approved.events).toEqual([
        { name: 'ProposalApproved', args: { proposalId, authority: authorities[1].address, approvals: 2n } },
        { name: 'HospitalAdmitted', args: { hospital: expect.stringMatching(new RegExp(`^${hospital}$`, 'i')), proposalId, detailsHash } },
      ]);
      expect(await view(sut, 'isActiveHospital', [hospital])).toEqual([true]);
      expect(await view(sut, 'isActiveMember', [hospital])).toEqual([true]);
      expect(await view(sut, 'hospitalStatus', [hospital])).toEqual([BigInt(HospitalStatus.Admitted)]);
      const expiresAt = (await blockTimestamp(proposed.receipt.blockNumber)) + BigInt(DAY);
      const [action, subject, dataHash, proposer, approvals, storedExpiry, executed] = await view(sut, 'proposal', [proposalId]);
      expect([action, String(subject).toLowerCase(), dataHash, proposer, approvals, storedExpiry, executed]).toEqual([
        BigInt(Action.Admit), hospital.toLowerCase(), detailsHash, authorities[0].address, 2n, expiresAt, true,
      ]);
      expect(await view(sut, 'hasApproved', [proposalId, authorities[1].address])).toEqual([true]);
      expect(await view(sut, 'hasApproved', [proposalId, authorities[2].address])).toEqual([false]);
    });

    it('needs all three approvals under 3-of-4: two do not suffice', async () => {
      const strict = await deployRegistry(authorities.map((a) => a.address), 3);
      const hospital = randomAddress();
      const { proposalId } = await propose(authorities[3], strict, 'proposeAdmission', hospital);

      const second = await transact(authorities[0], strict, 'approve', [proposalId]);

      expect(second.events.map((e) => e.name)).toEqual(['ProposalApproved']);
      expect(await view(strict, 'isActiveHospital', [hospital])).toEqual([false]);
      expect((await view(strict, 'proposal', [proposalId]))[6]).toBe(false);

      const third = await transact(authorities[2], strict, 'approve', [proposalId]);

      expect(third.events.map((e) => [e.name, e.args.approvals])).toEqual([['ProposalApproved', 3n], ['HospitalAdmitted', undefined]]);
      expect(await view(strict, 'isActiveHospital', [hospital])).toEqual([true]);
    });

    it('executes at proposal time when the threshold is 1', async () => {
      const solo = await deployRegistry([authorities[0].address, authorities[1].address], 1);
      const hospital = randomAddress();

      const { events } = await propose(authorities[1], solo, 'proposeAdmission', hospital);

      expect(events.map((e) => e.name)).toEqual(['ProposalCreated', 'ProposalApproved', 'HospitalAdmitted']);
      expect(await view(solo, 'isActiveHospital', [hospital])).toEqual([true]);
    });

    it('suspends and reinstates a hospital with 2-of-3 approvals; its practitioners follow', async () => {
      const hospital = await admittedHospital();
      const doctor = randomAddress();
      await transact(hospital, sut, 'registerPractitioner', [doctor, DOCTOR, randomBytes32()]);
      const reasonHash = randomBytes32();

      const { proposalId: suspension } = await propose(authorities[2], sut, 'proposeSuspension', hospital.address, reasonHash);
      expect(await view(sut, 'isActiveHospital', [hospital.address])).toEqual([true]);
      const suspended = await transact(authorities[0], sut, 'approve', [suspension]);

      expect(suspended.events[1]).toEqual({ name: 'HospitalSuspended', args: { hospital: hospital.address, proposalId: suspension, reasonHash } });
      expect(await view(sut, 'hospitalStatus', [hospital.address])).toEqual([BigInt(HospitalStatus.Suspended)]);
      expect(await view(sut, 'isActiveHospital', [hospital.address])).toEqual([false]);
      expect(await view(sut, 'isActiveMember', [hospital.address])).toEqual([false]);
      expect(await view(sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([false]);
      expect(await view(sut, 'isActiveMember', [doctor])).toEqual([false]);
      const refused = await revertOf(hospital.send(sut, 'registerPractitioner', [randomAddress(), DOCTOR, randomBytes32()]));
      expect([refused.errorName, refused.args]).toEqual(['ConsortiumRegistryHospitalNotActive', [hospital.address]]);

      const { proposalId: reinstatement, events } = await propose(authorities[1], sut, 'proposeReinstatement', hospital.address, reasonHash);
      expect(events[0].args.action).toBe(BigInt(Action.Reinstate));
      const reinstated = await transact(authorities[2], sut, 'approve', [reinstatement]);

      expect(reinstated.events[1]).toEqual({ name: 'HospitalReinstated', args: { hospital: hospital.address, proposalId: reinstatement, reasonHash } });
      expect(await view(sut, 'isActiveHospital', [hospital.address])).toEqual([true]);
      expect(await view(sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([true]);
      expect(await view(sut, 'isActiveMember', [doctor])).toEqual([true]);
    });

    it('refuses proposals and approvals from a non-authority', async () => {
      const { proposalId } = await propose(authorities[0], sut, 'proposeAdmission', randomAddress());

      for (const attempt of [
        stranger.send(sut, 'proposeAdmission', [randomAddress(), randomBytes32()]),
        stranger.send(sut, 'approve', [proposalId]),
        authorities[3].send(sut, 'approve', [proposalId]), // an authority of another registry
      ]) {
        const error = await revertOf(attempt);
        expect(error.errorName).toBe('ConsortiumRegistryNotAuthority');
      }
      const error = await revertOf(stranger.send(sut, 'approve', [proposalId]));
      expect(error.args).toEqual([stranger.address]);
      expect((await view(sut, 'proposal', [proposalId]))[4]).toBe(1n);
    });

    it('refuses a second approval by the same authority, the proposer included', async () => {
      const hospital = randomAddress();
      const { proposalId } = await propose(authorities[0], sut, 'proposeAdmission', hospital);

      const error = await revertOf(authorities[0].send(sut, 'approve', [proposalId]));

      expect(error.errorName).toBe('ConsortiumRegistryAlreadyApproved');
      expect(error.args).toEqual([proposalId, authorities[0].address]);
      expect(await view(sut, 'isActiveHospital', [hospital])).toEqual([false]);
    });

    it('refuses to approve an unknown or an executed proposal', async () => {
      const hospital = await admittedHospital();
      const { proposalId } = await propose(authorities[2], sut, 'proposeSuspension', hospital.address);
      await transact(authorities[1], sut, 'approve', [proposalId]);

      const unknown = await revertOf(authorities[0].send(sut, 'approve', [proposalId + 1000n]));
      const executed = await revertOf(authorities[0].send(sut, 'approve', [proposalId]));

      expect([unknown.errorName, unknown.args]).toEqual(['ConsortiumRegistryUnknownProposal', [proposalId + 1000n]]);
      expect((await view(sut, 'proposal', [proposalId + 1000n]))[0]).toBe(0n);
      expect([executed.errorName, executed.args]).toEqual(['ConsortiumRegistryProposalAlreadyExecuted', [proposalId]]);
    });

    it('refuses approvals once the proposal expired', async () => {
      const hospital = randomAddress();
      const { proposalId } = await propose(authorities[0], sut, 'proposeAdmission', hospital);
      const expiresAt = (await view(sut, 'proposal', [proposalId]))[5] as bigint;

      await chain.increaseTime(DAY);
      const error = await revertOf(authorities[1].send(sut, 'approve', [proposalId]));

      expect(error.errorName).toBe('ConsortiumRegistryProposalExpired');
      expect(error.args).toEqual([proposalId, expiresAt]);
      expect(await view(sut, 'isActiveHospital', [hospital])).toEqual([false]);
    });

    it('refuses proposals that conflict with the hospital status', async () => {
      const admitted = await admittedHospital();
      const never = randomAddress();
      const zero = '0x0000000000000000000000000000000000000000';

      const cases: [string, string, string][] = [
        ['proposeAdmission', admitted.address, 'ConsortiumRegistryHospitalAlreadyAdmitted'],
        ['proposeSuspension', never, 'ConsortiumRegistryHospitalNotActive'],
        ['proposeReinstatement', admitted.address, 'ConsortiumRegistryHospitalNotSuspended'],
        ['proposeReinstatement', never, 'ConsortiumRegistryHospitalNotSuspended'],
        ['proposeAdmission', zero, 'ConsortiumRegistryInvalidHospital'],
      ];
      for (const [method, hospital, errorName] of cases) {
        const error = await revertOf(authorities[0].send(sut, method, [hospital, randomBytes32()]));
        expect([method, error.errorName, String(error.args[0]).toLowerCase()]).toEqual([method, errorName, hospital.toLowerCase()]);
      }
    });

    it('refuses to suspend a hospital twice', async () => {
      const hospital = await admittedHospital();
      const { proposalId } = await propose(authorities[0], sut, 'proposeSuspension', hospital.address);
      await transact(authorities[1], sut, 'approve', [proposalId]);

      const error = await revertOf(authorities[2].send(sut, 'proposeSuspension', [hospital.address, randomBytes32()]));

      expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryHospitalNotActive', [hospital.address]]);
    });

    it('refuses an approval that no longer fits: a rival admission already executed', async () => {
      const hospital = randomAddress();
      const { proposalId: first } = await propose(authorities[0], sut, 'proposeAdmission', hospital);
      const { proposalId: rival } = await propose(authorities[1], sut, 'proposeAdmission', hospital);
      await transact(authorities[2], sut, 'approve', [first]);

      const error = await revertOf(authorities[2].send(sut, 'approve', [rival]));

      expect(error.errorName).toBe('ConsortiumRegistryHospitalAlreadyAdmitted');
      expect((await view(sut, 'proposal', [rival]))[4]).toBe(1n);
    });
  });

  describe('practitioners', () => {
    it('registers a doctor and a pharmacist with their role and council registration hash', async () => {
      const hospital = await admittedHospital();
      const [doctor, pharmacist] = [randomAddress(), randomAddress()];
      const councilHash = randomBytes32();

      const { events } = await transact(hospital, sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);
      await transact(hospital, sut, 'registerPractitioner', [pharmacist, PHARMACIST, randomBytes32()]);

      expect(events).toEqual([
        {
          name: 'PractitionerRegistered',
          args: { practitioner: expect.stringMatching(new RegExp(`^${doctor}$`, 'i')), hospital: hospital.address, role: BigInt(DOCTOR), councilRegistrationHash: councilHash },
        },
      ]);
      expect(await view(sut, 'practitioner', [doctor])).toEqual([hospital.address, BigInt(DOCTOR), true, councilHash]);
      expect(await view(sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([true]);
      expect(await view(sut, 'isActivePractitioner', [doctor, PHARMACIST])).toEqual([false]);
      expect(await view(sut, 'isActivePractitioner', [pharmacist, PHARMACIST])).toEqual([true]);
      expect(await view(sut, 'isActivePractitioner', [pharmacist, 0])).toEqual([false]);
      expect(await view(sut, 'isActiveMember', [pharmacist])).toEqual([true]);
      expect(await view(sut, 'isActiveMember', [randomAddress()])).toEqual([false]);
    });

    it('refuses registrations from an account that is not an admitted hospital', async () => {
      const error = await revertOf(stranger.send(sut, 'registerPractitioner', [randomAddress(), DOCTOR, randomBytes32()]));

      expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryHospitalNotActive', [stranger.address]]);
    });

    it('refuses an unknown role and the zero address', async () => {
      const hospital = await admittedHospital();
      for (const role of [0, 3]) {
        const error = await revertOf(hospital.send(sut, 'registerPractitioner', [randomAddress(), role, randomBytes32()]));
        expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryInvalidRole', [BigInt(role)]]);
      }
      const zero = '0x0000000000000000000000000000000000000000';
      const error = await revertOf(hospital.send(sut, 'registerPractitioner', [zero, DOCTOR, randomBytes32()]));
      expect([error.errorName, error.args]).toEqual(['ConsortiumRegistryInvalidPractitioner', [zero]]);
    });

    it('treats an identical re-registration as a no-op and refuses a different one', async () => {
      const [hospital, other] = [await admittedHospital(), await admittedHospital()];
      const doctor = randomAddress();
      const councilHash = randomBytes32();
      await transact(hospital, sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);

      const again = await transact(hospital, sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);
      expect(again.receipt.logs).toEqual([]);

      for (const [from, role, hash] of [
        [other, DOCTOR, councilHash],
        [hospital, PHARMACIST, councilHash],
        [hospital, DOCTOR, randomBytes32()],
      ] as const) {
        const error = await revertOf(from.send(sut, 'registerPractitioner', [doctor, role, hash]));
        expect(error.errorName).toBe('ConsortiumRegistryPractitionerAlreadyRegistered');
        expect(String(error.args[0]).toLowerCase()).toBe(doctor);
        expect(error.args[1]).toBe(hospital.address);
      }
      expect(await view(sut, 'practitioner', [doctor])).toEqual([hospital.address, BigInt(DOCTOR), true, councilHash]);
    });

    it('lets only its own hospital deactivate a practitioner; a deactivated one is inactive', async () => {
      const [hospital, other] = [await admittedHospital(), await admittedHospital()];
      const doctor = randomAddress();
      const councilHash = randomBytes32();
      await transact(hospital, sut, 'registerPractitioner', [doctor, DOCTOR, councilHash]);

      for (const from of [other, stranger]) {
        const error = await revertOf(from.send(sut, 'deactivatePractitioner', [doctor]));
        expect(error.errorName).toBe('ConsortiumRegistryNotPractitionerHospital');
        expect(error.args[1]).toBe(from.address);
      }
      const unknown = await revertOf(hospital.send(sut, 'deactivatePractitioner', [randomAddress()]));
      expect(unknown.errorName).toBe('ConsortiumRegistryNotPractitionerHospital');
      expect(await view(sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([true]);

      const { events } = await transact(hospital, sut, 'deactivatePractitioner', [doctor]);

      expect(events).toEqual([
        { name: 'PractitionerDeactivated', args: { practitioner: expect.stringMatching(new RegExp(`^${doctor}$`, 'i')), hospital: hospital.address } },
      ]);
      expect(await view(sut, 'practitioner', [doctor])).toEqual([hospital.address, BigInt(DOCTOR), false, councilHash]);
      expect(await view(sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([false]);
      expect(await view(sut, 'isActiveMember', [doctor])).toEqual([false]);
      const again = await transact(hospital, sut, 'deactivatePractitioner', [doctor]);
      expect(again.receipt.logs).toEqual([]);
    });

    it('lets another hospital register a practitioner after deactivation', async () => {
      const [hospital, other] = [await admittedHospital(), await admittedHospital()];
      const doctor = randomAddress();
      await transact(hospital, sut, 'registerPractitioner', [doctor, DOCTOR, randomBytes32()]);
      await transact(hospital, sut, 'deactivatePractitioner', [doctor]);
      const councilHash = randomBytes32();

      await transact(other, sut, 'registerPractitioner', [doctor, PHARMACIST, councilHash]);

      expect(await view(sut, 'practitioner', [doctor])).toEqual([other.address, BigInt(PHARMACIST), true, councilHash]);
      expect(await view(sut, 'isActivePractitioner', [doctor, PHARMACIST])).toEqual([true]);
      const error = await revertOf(hospital.send(sut, 'deactivatePractitioner', [doctor]));
      expect(error.errorName).toBe('ConsortiumRegistryNotPractitionerHospital');
    });

    it('lets a suspended hospital deactivate, and the practitioner stays inactive after reinstatement', async () => {
      const hospital = await admittedHospital();
      const doctor = randomAddress();
      await transact(hospital, sut, 'registerPractitioner', [doctor, DOCTOR, randomBytes32()]);
      const { proposalId: suspension } = await propose(authorities[0], sut, 'proposeSuspension', hospital.address);
      await transact(authorities[1], sut, 'approve', [suspension]);

      await transact(hospital, sut, 'deactivatePractitioner', [doctor]);
      const { proposalId: reinstatement } = await propose(authorities[0], sut, 'proposeReinstatement', hospital.address);
      await transact(authorities[1], sut, 'approve', [reinstatement]);

      expect(await view(sut, 'isActiveHospital', [hospital.address])).toEqual([true]);
      expect(await view(sut, 'isActivePractitioner', [doctor, DOCTOR])).toEqual([false]);
    });
  });
});
