import { ChainClient } from './chain-client';
import { ChainContract, ChainLog } from './chain-contract';

/** What `requestOf` answers as a request's status (EmergencyAccess.RequestStatus). */
export const EMERGENCY_STATUSES = ['none', 'pending', 'granted', 'denied', 'expired', 'ended', 'revoked'] as const;
export type EmergencyStatus = (typeof EMERGENCY_STATUSES)[number];

export interface EmergencyOnChain {
  patient: string;
  doctor: string;
  reasonHash: string;
  duration: number;
  status: EmergencyStatus;
  approvals: number;
  /** Unix seconds; 0 unless granted. */
  startsAt: number;
  /** When access ends once granted; a pending request's approval deadline. */
  expiresAt: number;
}

/**
 * Typed access to the EmergencyAccess contract (contracts/EmergencyAccess.sol): break-glass
 * requests doctors sign, k-of-n authority approvals, time-boxed access.
 */
export class EmergencyAccess {
  static readonly artifactName = 'EmergencyAccess';
  readonly contract: ChainContract;

  constructor(
    private readonly chain: ChainClient,
    readonly address: string,
    readonly deployedAt = 0n,
  ) {
    this.contract = chain.contract(EmergencyAccess.artifactName, address);
  }

  /** The nonce the doctor's next request must be signed at (OpenZeppelin Nonces). */
  async nonceOf(doctor: string): Promise<bigint> {
    const [nonce] = await this.chain.call(this.contract, 'nonces', [doctor]);
    return BigInt(nonce as bigint);
  }

  /** Whether `doctor` may read `patient`'s records now under an emergency, and under which request. */
  async isGranted(patient: string, doctor: string): Promise<{ granted: boolean; requestId: bigint }> {
    const [granted, requestId] = await this.chain.call(this.contract, 'isGranted', [patient, doctor]);
    return { granted: granted === true, requestId: BigInt(requestId as bigint) };
  }

  async requestOf(requestId: bigint): Promise<EmergencyOnChain> {
    const [patient, doctor, reasonHash, duration, status, approvals, startsAt, expiresAt] = await this.chain.call(this.contract, 'requestOf', [requestId]);
    return {
      patient: String(patient), doctor: String(doctor), reasonHash: String(reasonHash), duration: Number(duration), status: EMERGENCY_STATUSES[Number(status)] ?? 'none',
      approvals: Number(approvals), startsAt: Number(startsAt), expiresAt: Number(expiresAt),
    };
  }

  /** The request id an EmergencyRequested log among `logs` carries, for `patient`. */
  requestIdIn(logs: readonly ChainLog[], patient: string): bigint | null {
    const event = this.contract.events(logs).find((e) => e.name === 'EmergencyRequested' && String(e.args.patient).toLowerCase() === patient.toLowerCase());
    return event ? BigInt(event.args.requestId as bigint) : null;
  }

  /** The contract's logs of event `name` whose indexed arguments match `topics` (null: any), oldest first. */
  logsOf(name: string, topics: (string | null)[]): Promise<ChainLog[]> {
    return this.chain.logs({ address: this.address, topics: [this.contract.eventTopic(name), ...topics], fromBlock: this.deployedAt });
  }
}
