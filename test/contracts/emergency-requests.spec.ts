import { newKey, ZERO_ADDRESS, ZERO_BYTES32 } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { PHARMACIST } from './support/consortium';
import { APPROVAL_WINDOW, EmergencyStatus, emergencyAccessTestbed, MAX_DURATION } from './support/emergency';
import { blockTimestamp, transact } from './support/rpc';

describe('EmergencyAccess requests (contract)', () => {
  /** Backed by a 2-of-3 ConsortiumRegistry. */
  const bed = emergencyAccessTestbed();
  const { requestArgs, fileRequest, registeredDoctor, isGranted, requestOf, requestsOfPatient } = bed;

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('deployment', () => {
    it('exposes its EIP-712 domain, directory, maximum duration and approval window', async () => {
      const [fields, name, version, domainChainId, verifyingContract] = await bed.deployer.call(bed.sut, 'eip712Domain', []);

      expect([fields, name, version, domainChainId, verifyingContract]).toEqual(['0x0f', 'EHRChain EmergencyAccess', '1', BigInt(bed.chainId), bed.sut.address]);
      expect(await bed.deployer.call(bed.sut, 'directory', [])).toEqual([bed.registry.address]);
      expect(await bed.deployer.call(bed.sut, 'maxDuration', [])).toEqual([BigInt(MAX_DURATION)]);
      expect(await bed.deployer.call(bed.sut, 'approvalWindow', [])).toEqual([BigInt(APPROVAL_WINDOW)]);
    });

    it('rejects a zero directory and a maximum duration of 0 or over 32 bits', async () => {
      const noDirectory = await revertOf(bed.deployer.deploy('EmergencyAccess', [ZERO_ADDRESS, MAX_DURATION, APPROVAL_WINDOW]));
      expect(noDirectory.errorName).toBe('EmergencyAccessInvalidDirectory');
      for (const max of [0n, 2n ** 32n]) {
        const error = await revertOf(bed.deployer.deploy('EmergencyAccess', [bed.registry.address, max, 1]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessInvalidMaxDuration', [max]]);
      }
    });

    it('bounds the approval window: 1 s up to the maximum duration and at most a day, so an emergency ends by window + maximum', async () => {
      const day = 86_400n;
      const cases: [number | bigint, number | bigint, bigint][] = [
        [MAX_DURATION, 0, day], // no window at all
        [3 * MAX_DURATION, day + 1n, day], // more than a day even though the maximum access is longer
        [3_600, 3_601, 3_600n], // longer than the longest access
      ];
      for (const [max, window, bound] of cases) {
        const error = await revertOf(bed.deployer.deploy('EmergencyAccess', [bed.registry.address, max, window]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessInvalidApprovalWindow', [BigInt(window), bound]]);
      }
      expect(await bed.deployer.call(bed.sut, 'MAX_APPROVAL_WINDOW', [])).toEqual([day]);
      await bed.deployer.deploy('EmergencyAccess', [bed.registry.address, 3 * MAX_DURATION, day]);
      await bed.deployer.deploy('EmergencyAccess', [bed.registry.address, 3_600, 3_600]);
    });
  });

  describe('request', () => {
    it('files a request signed by an active doctor and relayed by another account', async () => {
      const patient = randomBytes32();
      const reasonHash = randomBytes32();
      const nonceBefore = (await bed.deployer.call(bed.sut, 'nonces', [bed.doctor.address]))[0] as bigint;

      const { requestId, events, receipt } = await fileRequest({ patient, reasonHash, duration: MAX_DURATION });

      expect(events).toEqual([
        { name: 'EmergencyRequested', args: { requestId, patient, doctor: bed.doctor.address, reasonHash, duration: BigInt(MAX_DURATION) } },
      ]);
      expect(await requestOf(requestId)).toEqual({
        patient, doctor: bed.doctor.address, reasonHash, duration: BigInt(MAX_DURATION), status: BigInt(EmergencyStatus.Pending), approvals: 0n, startsAt: 0n,
        // While pending, expiresAt is the approval deadline: the request lapses after the approval window.
        expiresAt: (await blockTimestamp(bed.chain, receipt.blockNumber)) + BigInt(APPROVAL_WINDOW),
      });
      expect(await requestsOfPatient(patient)).toEqual([requestId]);
      expect(await bed.deployer.call(bed.sut, 'nonces', [bed.doctor.address])).toEqual([nonceBefore + 1n]);
      expect(await isGranted(patient, bed.doctor.address)).toEqual([false, 0n]);
    });

    it('rejects a signature by someone other than the named doctor', async () => {
      const impostor = newKey();
      const args = await requestArgs({ signer: impostor, nonce: (await bed.deployer.call(bed.sut, 'nonces', [bed.doctor.address]))[0] as bigint }, bed.doctor.address);

      const error = await revertOf(bed.relayer.send(bed.sut, 'request', args));

      expect(error.errorName).toBe('EmergencyAccessInvalidSigner');
      expect(error.args).toEqual([impostor.address, bed.doctor.address]);
    });

    it('rejects a malformed signature', async () => {
      const args = await requestArgs();
      args[5] = (args[5] as string).slice(0, -2); // 64 bytes

      const error = await revertOf(bed.relayer.send(bed.sut, 'request', args));

      expect([error.errorName, error.args]).toEqual(['ECDSAInvalidSignatureLength', [64n]]);
    });

    it('rejects a replayed signature: its nonce is spent', async () => {
      const args = await requestArgs();
      await transact(bed.relayer, bed.sut, 'request', args);

      const error = await revertOf(bed.relayer.send(bed.sut, 'request', args));

      expect(error.errorName).toBe('EmergencyAccessInvalidSigner');
      expect(error.args[1]).toBe(bed.doctor.address);
      expect(error.args[0]).not.toBe(bed.doctor.address);
      expect(await requestsOfPatient(args[0] as string)).toHaveLength(1);
    });

    it('rejects a signature past its deadline', async () => {
      const deadline = (await blockTimestamp(bed.chain)) - 1n;
      const error = await revertOf(bed.relayer.send(bed.sut, 'request', await requestArgs({ deadline })));

      expect([error.errorName, error.args]).toEqual(['EmergencyAccessExpiredSignature', [deadline]]);
    });

    it('rejects a duration of 0 or over the maximum', async () => {
      for (const duration of [0, MAX_DURATION + 1]) {
        const error = await revertOf(bed.relayer.send(bed.sut, 'request', await requestArgs({ duration })));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessInvalidDuration', [BigInt(duration), BigInt(MAX_DURATION)]]);
      }
    });

    it('rejects a zero patient handle', async () => {
      const patient = ZERO_BYTES32;
      const error = await revertOf(bed.relayer.send(bed.sut, 'request', await requestArgs({ patient })));

      expect([error.errorName, error.args]).toEqual(['EmergencyAccessInvalidPatient', [patient]]);
    });

    it('rejects signers who are not active doctors: unregistered, pharmacist, deactivated', async () => {
      const deactivated = await registeredDoctor();
      await transact(bed.hospital, bed.registry, 'deactivatePractitioner', [deactivated.address]);
      const signers = [newKey(), await registeredDoctor(PHARMACIST), deactivated];

      for (const signer of signers) {
        const error = await revertOf(bed.relayer.send(bed.sut, 'request', await requestArgs({ signer })));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotActiveDoctor', [signer.address]]);
      }
    });
  });
});
