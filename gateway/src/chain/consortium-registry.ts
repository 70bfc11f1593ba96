import { ChainClient } from './chain-client';
import { ChainContract } from './chain-contract';

/** ConsortiumRegistry.HospitalStatus, by index. */
export const HOSPITAL_STATUSES = ['none', 'admitted', 'suspended'] as const;
export type HospitalStatus = (typeof HOSPITAL_STATUSES)[number];

/**
 * Typed access to the ConsortiumRegistry contract (contracts/ConsortiumRegistry.sol): which
 * hospitals the authorities admitted, and which they suspended. Answers are the latest block's.
 */
export class ConsortiumRegistry {
  static readonly artifactName = 'ConsortiumRegistry';
  readonly contract: ChainContract;

  constructor(
    private readonly chain: ChainClient,
    readonly address: string,
    readonly deployedAt = 0n,
  ) {
    this.contract = chain.contract(ConsortiumRegistry.artifactName, address);
  }

  /** Whether the authorities admitted `hospital`, suspended it, or never admitted it. */
  async hospitalStatus(hospital: string): Promise<HospitalStatus> {
    const [status] = await this.chain.call(this.contract, 'hospitalStatus', [hospital]);
    const named = HOSPITAL_STATUSES[Number(status)];
    if (!named) throw new Error(`ConsortiumRegistry.hospitalStatus returned ${String(status)}; is the ABI current?`);
    return named;
  }
}
