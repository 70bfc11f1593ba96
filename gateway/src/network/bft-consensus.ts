import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { BftNamespace, JsonRpcError, NodeRpc } from '../chain/node-rpc';
import { Consensus } from './network.dto';

export interface Bft {
  namespace: BftNamespace;
  consensus: Consensus;
}

const NAMESPACES: readonly Bft[] = [
  { namespace: 'ibft', consensus: 'ibft2' },
  { namespace: 'qbft', consensus: 'qbft' },
];

/** Byzantine fault tolerance of n validators (IBFT 2.0 / QBFT): f = floor((n-1)/3), quorum ceil(2n/3). */
export function bftThresholds(n: number): { faultTolerance: number; quorum: number } {
  return { faultTolerance: Math.max(0, Math.floor((n - 1) / 3)), quorum: Math.ceil((2 * n) / 3) };
}

/**
 * Validators whose votes carry a change to the validator set: more than half of the n current
 * ones (Besu's VoteTally adds or drops an address at floor(n/2) + 1 votes within an epoch).
 */
export function votesNeeded(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The call's result, or `fallback` when the node does not offer the method at all. */
export async function unlessUnsupported<T, F>(call: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof JsonRpcError && error.unsupported) return fallback;
    throw error;
  }
}

/**
 * Which BFT consensus the gateway's chain runs (IBFT 2.0: ibft_*, QBFT: qbft_*), found by asking
 * its node. On the embedded Anvil chain, or a node without a BFT API, there is none and the
 * validator operations answer 501 CONSENSUS_NOT_AVAILABLE.
 */
@Injectable()
export class BftConsensus {
  readonly embedded: boolean;
  // Remembered once found: a chain's consensus is fixed.
  private found: Bft | undefined;

  constructor(
    private readonly rpc: NodeRpc,
    @InjectConfig() config: AppConfig,
  ) {
    this.embedded = !config.chain.rpcUrl;
  }

  /** The consensus, or undefined when there is none (or on the embedded chain). */
  async find(): Promise<Bft | undefined> {
    if (this.embedded) return undefined;
    if (this.found) return this.found;
    for (const candidate of NAMESPACES) {
      const answered = await unlessUnsupported(this.rpc.validatorsAt(candidate.namespace, 'latest').then(() => true), false);
      if (answered) return (this.found = candidate);
    }
    return undefined;
  }

  async require(): Promise<Bft> {
    if (this.embedded) throw notAvailable('the embedded Anvil chain has no validators (set CHAIN_RPC_URL to a Besu node)');
    const bft = await this.find();
    if (!bft) throw notAvailable('the RPC node offers neither the IBFT nor the QBFT API (enable IBFT or QBFT in its rpc-http-api)');
    return bft;
  }

  /** The current validators (lower case), as the gateway's node sees them. */
  async validators(bft: Bft): Promise<string[]> {
    return (await this.rpc.validatorsAt(bft.namespace, 'latest')) ?? [];
  }
}

function notAvailable(reason: string): ApiError {
  return new ApiError(HttpStatus.NOT_IMPLEMENTED, 'CONSENSUS_NOT_AVAILABLE', `Validator management needs a BFT network: ${reason}`);
}
