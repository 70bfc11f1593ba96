import type { ChainContract } from '../../../gateway/src/chain/chain-contract';
import { buildTypedData, signTypedData } from '../../../gateway/src/chain/eip712';
import { EMERGENCY_ACCESS_DOMAIN, EMERGENCY_ACCESS_TYPES } from '../../../gateway/src/chain/typed-messages';
import { Key, newKey } from './accounts';
import { randomBytes32 } from './chain';
import { DOCTOR, deployConsortium, registerPractitioner } from './consortium';
import { blockTimestamp, transact } from './rpc';
import { testbed } from './testbed';

/** The longest emergency access the testbed's EmergencyAccess grants: a day. */
export const MAX_DURATION = 86_400;
/** How long the testbed's requests wait for approvals: two hours, as the gateway deploys it by default. */
export const APPROVAL_WINDOW = 7_200;
/** What `requestOf` answers as a request's status. */
export const EmergencyStatus = { Pending: 1, Granted: 2, Denied: 3, Expired: 4, Ended: 5, Revoked: 6 } as const;

export interface RequestOptions {
  contract?: ChainContract;
  signer?: Key;
  patient?: string;
  reasonHash?: string;
  duration?: number;
  deadline?: bigint;
  nonce?: bigint;
}

/**
 * An EmergencyAccess whose directory is a 2-of-3 ConsortiumRegistry (`authorities[0..2]`; the
 * fourth governs no registry unless a test deploys one) with one admitted `hospital` and its
 * active `doctor`; `relayer` is the account that relays the doctors' signed requests.
 */
export function emergencyAccessTestbed() {
  const bed = testbed(async (chain) => {
    const consortium = await deployConsortium(chain);
    const hospital = await consortium.admittedHospital();
    const { address } = await consortium.deployer.deploy('EmergencyAccess', [consortium.registry.address, MAX_DURATION, APPROVAL_WINDOW]);
    const doctor = newKey();
    await registerPractitioner(hospital, consortium.registry, doctor.address);
    return {
      ...consortium,
      chainId: await consortium.deployer.chainId(),
      hospital,
      relayer: chain.client(),
      sut: consortium.deployer.contract('EmergencyAccess', address),
      /** An active doctor of `hospital`, the signer of requests unless a test says otherwise. */
      doctor,
    };
  });

  /** The doctor's EIP-712 signature of an EmergencyAccess message, as their device would make it. */
  const sign = (contract: ChainContract, signer: Key, type: keyof typeof EMERGENCY_ACCESS_TYPES, message: Record<string, unknown>): string => {
    const domain = { ...EMERGENCY_ACCESS_DOMAIN, chainId: bed.chainId, verifyingContract: contract.address };
    return signTypedData(signer.key, buildTypedData(domain, type, EMERGENCY_ACCESS_TYPES, message));
  };

  /** request() arguments signed by `signer` (the doctor by default) for `as` (the signer by default). */
  async function requestArgs(options: RequestOptions = {}, as?: string): Promise<unknown[]> {
    const contract = options.contract ?? bed.sut;
    const signer = options.signer ?? bed.doctor;
    const patient = options.patient ?? randomBytes32();
    const reasonHash = options.reasonHash ?? randomBytes32();
    const duration = options.duration ?? 3_600;
    const deadline = options.deadline ?? (await blockTimestamp(bed.chain)) + 600n;
    const nonce = options.nonce ?? ((await bed.deployer.call(contract, 'nonces', [signer.address]))[0] as bigint);
    const signature = sign(contract, signer, 'EmergencyRequest', { patient, reasonHash, duration, nonce, deadline });
    return [patient, reasonHash, duration, as ?? signer.address, deadline, signature];
  }

  /** Relays a signed request (see requestArgs); its id, patient, receipt and events. */
  async function fileRequest(options: RequestOptions = {}) {
    const args = await requestArgs(options);
    const result = await transact(bed.relayer, options.contract ?? bed.sut, 'request', args);
    return { ...result, requestId: result.events[0].args.requestId as bigint, patient: args[0] as string };
  }

  /** end() arguments: `signer` (the doctor by default) ends `requestId`. */
  async function endArgs(requestId: bigint, options: { contract?: ChainContract; signer?: Key; deadline?: bigint } = {}): Promise<unknown[]> {
    const deadline = options.deadline ?? (await blockTimestamp(bed.chain)) + 600n;
    return [requestId, deadline, sign(options.contract ?? bed.sut, options.signer ?? bed.doctor, 'EmergencyEnd', { requestId, deadline })];
  }

  /** `approvers` (authorities) approve `requestId` in turn; with 2 of the testbed's they grant it. */
  async function approveBy(requestId: bigint, approvers = [bed.authorities[0], bed.authorities[1]], contract = bed.sut): Promise<void> {
    for (const authority of approvers) await transact(authority, contract, 'approve', [requestId]);
  }

  /** A page of the patient's request ids. */
  async function requestsOfPatient(patient: string, offset: number | bigint = 0, limit: number | bigint = 100, contract = bed.sut): Promise<bigint[]> {
    return ((await bed.deployer.call(contract, 'requestsOfPatient', [patient, offset, limit])) as bigint[][])[0]!;
  }

  /** A new practitioner of `hospital` in the registry, a doctor unless `role` says otherwise. */
  async function registeredDoctor(role = DOCTOR): Promise<Key> {
    const signer = newKey();
    await registerPractitioner(bed.hospital, bed.registry, signer.address, role);
    return signer;
  }

  async function isGranted(patient: string, who: string, contract = bed.sut): Promise<[boolean, bigint]> {
    return (await bed.deployer.call(contract, 'isGranted', [patient, who])) as [boolean, bigint];
  }

  async function requestOf(requestId: bigint, contract = bed.sut) {
    const [patient, doctorAddress, reasonHash, duration, status, approvals, startsAt, expiresAt] = await bed.deployer.call(contract, 'requestOf', [requestId]);
    return { patient, doctor: doctorAddress, reasonHash, duration, status, approvals, startsAt, expiresAt };
  }

  return Object.assign(bed, { requestArgs, fileRequest, endArgs, approveBy, requestsOfPatient, registeredDoctor, isGranted, requestOf });
}
