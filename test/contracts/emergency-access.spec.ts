import { eth } from 'web3';
import type { ChainClient, ChainContract } from '../../gateway/src/chain/chain-client';
import { randomBytes32, randomKey, revertOf, startTestChain, TestChain } from './support/chain';

const MAX_DURATION = 86_400;
const DOCTOR = 1;
const PHARMACIST = 2;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const enum Status {
  Pending = 1,
  Granted = 2,
  Denied = 3,
  Expired = 4,
}

interface Signer {
  key: string;
  address: string;
}

const newSigner = (): Signer => {
  const key = randomKey();
  return { key, address: eth.accounts.privateKeyToAddress(key) };
};

describe('EmergencyAccess (contract)', () => {
  let chain: TestChain;
  let chainId: number;
  let deployer: ChainClient;
  let authorities: ChainClient[];
  let hospital: ChainClient;
  let relayer: ChainClient;
  let registry: ChainContract;
  /** Backed by a 2-of-3 ConsortiumRegistry. */
  let sut: ChainContract;
  let doctor: Signer;

  /** Sends, requires success, and returns the decoded events (name and args only). */
  async function transact(from: ChainClient, contract: ChainContract, method: string, args: unknown[]) {
    const { txHash } = await from.send(contract, method, args);
    const receipt = await from.waitForReceipt(txHash, 10_000);
    expect(receipt.success).toBe(true);
    return { receipt, events: from.events(contract, receipt).map(({ name, args: decoded }) => ({ name, args: decoded })) };
  }

  async function rpc<T>(method: string, params: unknown[]): Promise<T> {
    const res = await fetch(chain.anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return ((await res.json()) as { result: T }).result;
  }

  async function blockTimestamp(block: bigint | 'latest' = 'latest'): Promise<bigint> {
    const tag = block === 'latest' ? block : `0x${block.toString(16)}`;
    return BigInt((await rpc<{ timestamp: string }>('eth_getBlockByNumber', [tag, false])).timestamp);
  }

  /** The doctor's EIP-712 signature of EmergencyRequest, as their device would make it. */
  function signRequest(
    contract: ChainContract,
    signer: Signer,
    message: { patient: string; reasonHash: string; duration: number; nonce: bigint; deadline: bigint },
  ): string {
    const digest = eth.abi.getEncodedEip712Data(
      {
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'version', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
          EmergencyRequest: [
            { name: 'patient', type: 'bytes32' },
            { name: 'reasonHash', type: 'bytes32' },
            { name: 'duration', type: 'uint64' },
            { name: 'nonce', type: 'uint256' },
            { name: 'deadline', type: 'uint256' },
          ],
        },
        primaryType: 'EmergencyRequest',
        domain: { name: 'EHRChain EmergencyAccess', version: '1', chainId, verifyingContract: String(contract.options.address) },
        message: { ...message, nonce: message.nonce.toString(), deadline: message.deadline.toString() },
      },
      true,
    );
    return eth.accounts.signMessageWithPrivateKey(digest, signer.key).signature;
  }

  interface RequestOptions {
    contract?: ChainContract;
    signer?: Signer;
    patient?: string;
    reasonHash?: string;
    duration?: number;
    deadline?: bigint;
    nonce?: bigint;
  }

  /** request() arguments signed by `signer` (the doctor by default) for `as` (the signer by default). */
  async function requestArgs(options: RequestOptions = {}, as?: string): Promise<unknown[]> {
    const contract = options.contract ?? sut;
    const signer = options.signer ?? doctor;
    const patient = options.patient ?? randomBytes32();
    const reasonHash = options.reasonHash ?? randomBytes32();
    const duration = options.duration ?? 3_600;
    const deadline = options.deadline ?? (await blockTimestamp()) + 600n;
    const nonce = options.nonce ?? ((await deployer.call(contract, 'nonces', [signer.address]))[0] as bigint);
    const signature = signRequest(contract, signer, { patient, reasonHash, duration, nonce, deadline });
    return [patient, reasonHash, duration, as ?? signer.address, deadline, signature];
  }

  async function fileRequest(options: RequestOptions = {}) {
    const contract = options.contract ?? sut;
    const args = await requestArgs(options);
    const result = await transact(relayer, contract, 'request', args);
    return { ...result, requestId: result.events[0].args.requestId as bigint, patient: args[0] as string };
  }

  /** A registered doctor of `hospital` (an active Doctor in the registry). */
  async function registeredDoctor(role = DOCTOR): Promise<Signer> {
    const signer = newSigner();
    await transact(hospital, registry, 'registerPractitioner', [signer.address, role, randomBytes32()]);
    return signer;
  }

  async function isGranted(patient: string, who: string, contract = sut): Promise<[boolean, bigint]> {
    return (await deployer.call(contract, 'isGranted', [patient, who])) as [boolean, bigint];
  }

  async function requestOf(requestId: bigint, contract = sut) {
    const [patient, doctorAddress, reasonHash, duration, status, approvals, startsAt, expiresAt] = await deployer.call(contract, 'requestOf', [requestId]);
    return { patient, doctor: doctorAddress, reasonHash, duration, status, approvals, startsAt, expiresAt };
  }

  beforeAll(async () => {
    chain = await startTestChain();
    deployer = chain.client();
    chainId = await deployer.chainId();
    authorities = [chain.client(), chain.client(), chain.client(), chain.client()];
    hospital = chain.client();
    relayer = chain.client();
    const deployed = await deployer.deploy('ConsortiumRegistry', [authorities.slice(0, 3).map((a) => a.address), 2, 86_400]);
    registry = deployer.contract('ConsortiumRegistry', deployed.address);
    const proposed = await transact(authorities[0], registry, 'proposeAdmission', [hospital.address, randomBytes32()]);
    await transact(authorities[1], registry, 'approve', [proposed.events[0].args.proposalId]);
    const { address } = await deployer.deploy('EmergencyAccess', [deployed.address, MAX_DURATION]);
    sut = deployer.contract('EmergencyAccess', address);
    doctor = await registeredDoctor();
  });

  afterAll(async () => {
    await chain?.stop();
  });

  describe('deployment', () => {
    it('exposes its EIP-712 domain, directory and maximum duration', async () => {
      const [fields, name, version, domainChainId, verifyingContract] = await deployer.call(sut, 'eip712Domain', []);

      expect([fields, name, version, domainChainId, verifyingContract]).toEqual(['0x0f', 'EHRChain EmergencyAccess', '1', BigInt(chainId), sut.options.address]);
      expect(await deployer.call(sut, 'directory', [])).toEqual([registry.options.address]);
      expect(await deployer.call(sut, 'maxDuration', [])).toEqual([BigInt(MAX_DURATION)]);
    });

    it('rejects a zero directory and a maximum duration of 0 or over 32 bits', async () => {
      const noDirectory = await revertOf(deployer.deploy('EmergencyAccess', [ZERO_ADDRESS, MAX_DURATION]));
      expect(noDirectory.errorName).toBe('EmergencyAccessInvalidDirectory');
      for (const max of [0n, 2n ** 32n]) {
        const error = await revertOf(deployer.deploy('EmergencyAccess', [registry.options.address, max]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessInvalidMaxDuration', [max]]);
      }
    });
  });

  describe('request', () => {
    it('files a request signed by an active doctor and relayed by another account', async () => {
      const patient = randomBytes32();
      const reasonHash = randomBytes32();
      const nonceBefore = (await deployer.call(sut, 'nonces', [doctor.address]))[0] as bigint;

      const { requestId, events } = await fileRequest({ patient, reasonHash, duration: MAX_DURATION });

      expect(events).toEqual([
        { name: 'EmergencyRequested', args: { requestId, patient, doctor: doctor.address, reasonHash, duration: BigInt(MAX_DURATION) } },
      ]);
      expect(await requestOf(requestId)).toEqual({
        patient, doctor: doctor.address, reasonHash, duration: BigInt(MAX_DURATION), status: BigInt(Status.Pending), approvals: 0n, startsAt: 0n, expiresAt: 0n,
      });
      expect(await deployer.call(sut, 'requestsOfPatient', [patient])).toEqual([[requestId]]);
      expect(await deployer.call(sut, 'nonces', [doctor.address])).toEqual([nonceBefore + 1n]);
      expect(await isGranted(patient, doctor.address)).toEqual([false, 0n]);
    });

    it('rejects a signature by someone other than the named doctor', async () => {
      const impostor = newSigner();
      const args = await requestArgs({ signer: impostor, nonce: (await deployer.call(sut, 'nonces', [doctor.address]))[0] as bigint }, doctor.address);

      const error = await revertOf(relayer.send(sut, 'request', args));

      expect(error.errorName).toBe('EmergencyAccessInvalidSigner');
      expect(error.args).toEqual([impostor.address, doctor.address]);
    });

    it('rejects a malformed signature', async () => {
      const args = await requestArgs();
      args[5] = (args[5] as string).slice(0, -2); // 64 bytes

      const error = await revertOf(relayer.send(sut, 'request', args));

      expect([error.errorName, error.args]).toEqual(['ECDSAInvalidSignatureLength', [64n]]);
    });

    it('rejects a replayed signature: its nonce is spent', async () => {
      const args = await requestArgs();
      await transact(relayer, sut, 'request', args);

      const error = await revertOf(relayer.send(sut, 'request', args));

      expect(error.errorName).toBe('EmergencyAccessInvalidSigner');
      expect(error.args[1]).toBe(doctor.address);
      expect(error.args[0]).not.toBe(doctor.address);
      expect((await deployer.call(sut, 'requestsOfPatient', [args[0]]))[0]).toHaveLength(1);
    });

    it('rejects a signature past its deadline', async () => {
      const deadline = (await blockTimestamp()) - 1n;
      const error = await revertOf(relayer.send(sut, 'request', await requestArgs({ deadline })));

      expect([error.errorName, error.args]).toEqual(['EmergencyAccessExpiredSignature', [deadline]]);
    });

    it('rejects a duration of 0 or over the maximum', async () => {
      for (const duration of [0, MAX_DURATION + 1]) {
        const error = await revertOf(relayer.send(sut, 'request', await requestArgs({ duration })));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessInvalidDuration', [BigInt(duration), BigInt(MAX_DURATION)]]);
      }
    });

    it('rejects a zero patient handle', async () => {
      const patient = `0x${'00'.repeat(32)}`;
      const error = await revertOf(relayer.send(sut, 'request', await requestArgs({ patient })));

      expect([error.errorName, error.args]).toEqual(['EmergencyAccessInvalidPatient', [patient]]);
    });

    it('rejects signers who are not active doctors: unregistered, pharmacist, deactivated', async () => {
      const deactivated = await registeredDoctor();
      await transact(hospital, registry, 'deactivatePractitioner', [deactivated.address]);
      const signers = [newSigner(), await registeredDoctor(PHARMACIST), deactivated];

      for (const signer of signers) {
        const error = await revertOf(relayer.send(sut, 'request', await requestArgs({ signer })));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotActiveDoctor', [signer.address]]);
      }
    });
  });

  describe('approve and deny', () => {
    it('grants at the second of 2-of-3 approvals, for the requested duration from then', async () => {
      const { requestId, patient } = await fileRequest({ duration: 3_600 });

      const first = await transact(authorities[2], sut, 'approve', [requestId]);

      expect(first.events).toEqual([{ name: 'EmergencyApproved', args: { requestId, authority: authorities[2].address, approvals: 1n } }]);
      expect(await isGranted(patient, doctor.address)).toEqual([false, 0n]);
      expect((await requestOf(requestId)).status).toBe(BigInt(Status.Pending));

      const second = await transact(authorities[0], sut, 'approve', [requestId]);

      const startsAt = await blockTimestamp(second.receipt.blockNumber);
      const expiresAt = startsAt + 3_600n;
      expect(second.events).toEqual([
        { name: 'EmergencyApproved', args: { requestId, authority: authorities[0].address, approvals: 2n } },
        { name: 'EmergencyGranted', args: { requestId, patient, doctor: doctor.address, expiresAt } },
      ]);
      expect(await isGranted(patient, doctor.address)).toEqual([true, requestId]);
      expect(await isGranted(patient, newSigner().address)).toEqual([false, 0n]);
      expect(await isGranted(randomBytes32(), doctor.address)).toEqual([false, 0n]);
      expect(await requestOf(requestId)).toMatchObject({ status: BigInt(Status.Granted), approvals: 2n, startsAt, expiresAt });
      expect(await deployer.call(sut, 'hasApproved', [requestId, authorities[2].address])).toEqual([true]);
      expect(await deployer.call(sut, 'hasApproved', [requestId, authorities[1].address])).toEqual([false]);
    });

    it('needs three approvals when the directory is 3-of-4: two do not grant', async () => {
      const strictRegistry = await deployer.deploy('ConsortiumRegistry', [authorities.map((a) => a.address), 3, 86_400]);
      const directory = deployer.contract('ConsortiumRegistry', strictRegistry.address);
      const proposed = await transact(authorities[0], directory, 'proposeAdmission', [hospital.address, randomBytes32()]);
      await transact(authorities[1], directory, 'approve', [proposed.events[0].args.proposalId]);
      await transact(authorities[3], directory, 'approve', [proposed.events[0].args.proposalId]);
      await transact(hospital, directory, 'registerPractitioner', [doctor.address, DOCTOR, randomBytes32()]);
      const deployed = await deployer.deploy('EmergencyAccess', [strictRegistry.address, MAX_DURATION]);
      const strict = deployer.contract('EmergencyAccess', deployed.address);
      const { requestId, patient } = await fileRequest({ contract: strict });

      await transact(authorities[0], strict, 'approve', [requestId]);
      const second = await transact(authorities[3], strict, 'approve', [requestId]);

      expect(second.events.map((e) => e.name)).toEqual(['EmergencyApproved']);
      expect(await isGranted(patient, doctor.address, strict)).toEqual([false, 0n]);

      const third = await transact(authorities[1], strict, 'approve', [requestId]);

      expect(third.events.map((e) => e.name)).toEqual(['EmergencyApproved', 'EmergencyGranted']);
      expect(await isGranted(patient, doctor.address, strict)).toEqual([true, requestId]);
    });

    it('ends the access when its time box is over', async () => {
      const { requestId, patient } = await fileRequest({ duration: 600 });
      await transact(authorities[0], sut, 'approve', [requestId]);
      await transact(authorities[1], sut, 'approve', [requestId]);

      await chain.increaseTime(300);
      expect(await isGranted(patient, doctor.address)).toEqual([true, requestId]);
      await chain.increaseTime(300);

      expect(await isGranted(patient, doctor.address)).toEqual([false, 0n]);
      expect((await requestOf(requestId)).status).toBe(BigInt(Status.Expired));
    });

    it('keeps the longest of two live grants for the same doctor and patient', async () => {
      const patient = randomBytes32();
      const long = await fileRequest({ patient, duration: 3_600 });
      const short = await fileRequest({ patient, duration: 600 });
      for (const { requestId } of [long, short]) {
        await transact(authorities[0], sut, 'approve', [requestId]);
        await transact(authorities[1], sut, 'approve', [requestId]);
      }

      await chain.increaseTime(600);

      expect(await isGranted(patient, doctor.address)).toEqual([true, long.requestId]);
      expect((await requestOf(short.requestId)).status).toBe(BigInt(Status.Expired));
    });

    it('stops a granted access as soon as the doctor is deactivated, and refuses approvals for them', async () => {
      const mover = await registeredDoctor();
      const granted = await fileRequest({ signer: mover });
      const pending = await fileRequest({ signer: mover });
      await transact(authorities[0], sut, 'approve', [granted.requestId]);
      await transact(authorities[1], sut, 'approve', [granted.requestId]);
      expect(await isGranted(granted.patient, mover.address)).toEqual([true, granted.requestId]);

      await transact(hospital, registry, 'deactivatePractitioner', [mover.address]);

      expect(await isGranted(granted.patient, mover.address)).toEqual([false, 0n]);
      const error = await revertOf(authorities[0].send(sut, 'approve', [pending.requestId]));
      expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotActiveDoctor', [mover.address]]);
    });

    it('refuses approvals and denials from a non-authority', async () => {
      const { requestId } = await fileRequest();

      for (const method of ['approve', 'deny']) {
        const error = await revertOf(relayer.send(sut, method, [requestId]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotAuthority', [relayer.address]]);
      }
      expect((await requestOf(requestId)).status).toBe(BigInt(Status.Pending));
    });

    it('refuses a second approval by the same authority', async () => {
      const { requestId, patient } = await fileRequest();
      await transact(authorities[1], sut, 'approve', [requestId]);

      const error = await revertOf(authorities[1].send(sut, 'approve', [requestId]));

      expect([error.errorName, error.args]).toEqual(['EmergencyAccessAlreadyApproved', [requestId, authorities[1].address]]);
      expect(await isGranted(patient, doctor.address)).toEqual([false, 0n]);
    });

    it('refuses to approve or deny an unknown request', async () => {
      for (const method of ['approve', 'deny']) {
        const error = await revertOf(authorities[0].send(sut, method, [10_000n]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessUnknownRequest', [10_000n]]);
      }
      expect((await requestOf(10_000n)).status).toBe(0n);
    });

    it('denies a pending request for good; a granted or denied one is no longer pending', async () => {
      const { requestId, patient } = await fileRequest();
      await transact(authorities[0], sut, 'approve', [requestId]);

      const denied = await transact(authorities[2], sut, 'deny', [requestId]);

      expect(denied.events).toEqual([
        { name: 'EmergencyDenied', args: { requestId, patient, doctor: doctor.address, authority: authorities[2].address } },
      ]);
      expect((await requestOf(requestId)).status).toBe(BigInt(Status.Denied));
      for (const method of ['approve', 'deny']) {
        const error = await revertOf(authorities[1].send(sut, method, [requestId]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotPending', [requestId, BigInt(Status.Denied)]]);
      }
      expect(await isGranted(patient, doctor.address)).toEqual([false, 0n]);

      const granted = await fileRequest();
      await transact(authorities[0], sut, 'approve', [granted.requestId]);
      await transact(authorities[1], sut, 'approve', [granted.requestId]);
      for (const [from, method] of [[authorities[2], 'approve'], [authorities[2], 'deny']] as const) {
        const error = await revertOf(from.send(sut, method, [granted.requestId]));
        expect([error.errorName, error.args]).toEqual(['EmergencyAccessNotPending', [granted.requestId, BigInt(Status.Granted)]]);
      }
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
      await transact(authorities[0], sut, 'approve', [granted.requestId]);
      await transact(authorities[1], sut, 'approve', [granted.requestId]);
      await transact(authorities[0], sut, 'deny', [denied.requestId]);

      const [ids] = (await deployer.call(sut, 'requestsOfPatient', [patient])) as bigint[][];

      expect(ids).toEqual([granted.requestId, denied.requestId, pending.requestId]);
      const reviewed = await Promise.all(ids.map((id) => requestOf(id)));
      expect(reviewed.map((r) => [r.doctor, r.status])).toEqual([
        [doctor.address, BigInt(Status.Granted)],
        [other.address, BigInt(Status.Denied)],
        [doctor.address, BigInt(Status.Pending)],
      ]);
      expect(await deployer.call(sut, 'requestsOfPatient', [randomBytes32()])).toEqual([[]]);
    });
  });
});
