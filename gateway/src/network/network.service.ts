import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { utils } from 'web3';
import { AccountPrincipal } from '../auth/principal';
import { ApiError, NotFoundError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { BftNamespace, NodeRpc, JsonRpcError } from '../chain/node-rpc';
import {
  Consensus,
  CONSENSUS_EMBEDDED,
  CONSENSUS_UNAVAILABLE,
  ConsensusReport,
  NetworkStatusResponseDto,
  NetworkValidatorsResponseDto,
  NetworkVoteCreateDto,
  NetworkVotesResponseDto,
} from './network.dto';

/** How many block intervals the observed block period averages over. */
export const PERIOD_SAMPLE_BLOCKS = 20;

const NAMESPACES: readonly { namespace: BftNamespace; consensus: Consensus }[] = [
  { namespace: 'ibft', consensus: 'ibft2' },
  { namespace: 'qbft', consensus: 'qbft' },
];

/** Byzantine fault tolerance of n validators (IBFT 2.0 / QBFT): f = floor((n-1)/3), quorum ceil(2n/3). */
export function bftThresholds(n: number): { faultTolerance: number; quorum: number } {
  return { faultTolerance: Math.max(0, Math.floor((n - 1) / 3)), quorum: Math.ceil((2 * n) / 3) };
}

function consensusNotAvailable(reason: string): ApiError {
  return new ApiError(HttpStatus.NOT_IMPLEMENTED, 'CONSENSUS_NOT_AVAILABLE', `Validator management needs a BFT network: ${reason}`);
}

const checksum = (address: string): string => utils.toChecksumAddress(address);

/**
 * The consortium network as administrators see it: validators at any block, this node's
 * validator votes (IBFT 2.0 / QBFT, ibft_* or qbft_*), chain head, peers and the block period
 * actually observed. On the embedded Anvil chain, or a node without a BFT API, the validator
 * operations answer 501 CONSENSUS_NOT_AVAILABLE while the status still works.
 */
@Injectable()
export class NetworkService {
  private readonly logger = new Logger(NetworkService.name);
  private readonly embedded: boolean;
  // The node's BFT namespace, found by asking; remembered once found (a node's consensus is fixed).
  private bft: { namespace: BftNamespace; consensus: Consensus } | undefined;

  constructor(
    private readonly rpc: NodeRpc,
    @InjectConfig() config: AppConfig,
  ) {
    this.embedded = !config.chain.rpcUrl;
  }

  async status(): Promise<NetworkStatusResponseDto> {
    const [chainId, headNumber, peers] = await Promise.all([
      this.rpc.chainId(),
      this.rpc.blockNumber(),
      // Anvil has no peers and no net_peerCount.
      this.unlessUnsupported(this.rpc.peerCount(), this.embedded ? 0 : null),
    ]);
    const sampleBlocks = Math.min(PERIOD_SAMPLE_BLOCKS, headNumber);
    const [head, earlier] = await Promise.all([this.rpc.block(headNumber), sampleBlocks > 0 ? this.rpc.block(headNumber - sampleBlocks) : null]);
    if (!head) throw new NotFoundError('BLOCK_NOT_FOUND', `The node reported block ${headNumber} as its head but cannot return it`);
    const bft = await this.findBft();
    const validators = bft ? await this.rpc.validatorsAt(bft.namespace, headNumber) : null;
    const consensus: ConsensusReport = bft?.consensus ?? (this.embedded ? CONSENSUS_EMBEDDED : CONSENSUS_UNAVAILABLE);
    return {
      chainId,
      consensus,
      head: { number: head.number, hash: head.hash, timestamp: new Date(head.timestamp * 1000) },
      peers,
      validators: validators ? validators.length : null,
      blockPeriod: {
        observedSeconds: earlier ? Math.round(((head.timestamp - earlier.timestamp) / sampleBlocks) * 1000) / 1000 : null,
        sampleBlocks,
      },
    };
  }

  async validators(block: string | undefined): Promise<NetworkValidatorsResponseDto> {
    const bft = await this.requireBft();
    const head = await this.rpc.blockNumber();
    // Resolve `latest` to a number first, so the answer names the block it describes.
    const at = block === undefined || block === 'latest' ? head : Number(block);
    if (at > head) throw new NotFoundError('BLOCK_NOT_FOUND', `Block ${at} does not exist yet; the head is ${head}`);
    const validators = await this.rpc.validatorsAt(bft.namespace, at);
    if (!validators) throw new NotFoundError('BLOCK_NOT_FOUND', `The node has no block ${at}`);
    return { block: at, consensus: bft.consensus, validators: validators.map(checksum), ...bftThresholds(validators.length) };
  }

  async votes(): Promise<NetworkVotesResponseDto> {
    const bft = await this.requireBft();
    return this.votesOf(bft);
  }

  async propose(auth: AccountPrincipal, dto: NetworkVoteCreateDto): Promise<NetworkVotesResponseDto> {
    const bft = await this.requireBft();
    const address = dto.address.toLowerCase();
    const [validators, node] = await Promise.all([this.currentValidators(bft), this.node()]);
    // IBFT 2.0 / QBFT: a vote travels in the header of a block its node proposes, and only
    // validators propose. A vote cast at any other node is accepted and never counted.
    if (node && !validators.includes(node)) {
      throw new ApiError(
        HttpStatus.CONFLICT,
        'NODE_NOT_VALIDATOR',
        `The gateway's RPC node ${checksum(node)} is not a validator, so its vote would never be counted; vote at a validator's node`,
      );
    }
    if (dto.add && validators.includes(address)) {
      throw new ApiError(HttpStatus.CONFLICT, 'VALIDATOR_ALREADY_PRESENT', `${checksum(address)} is already a validator`);
    }
    if (!dto.add && !validators.includes(address)) {
      throw new ApiError(HttpStatus.CONFLICT, 'VALIDATOR_NOT_PRESENT', `${checksum(address)} is not a validator`);
    }
    await this.rpc.proposeVote(bft.namespace, address, dto.add);
    this.logger.log({ event: 'validator_vote_proposed', accountId: auth.accountId, address: checksum(address), add: dto.add, node });
    return this.votesOf(bft, node);
  }

  async discard(auth: AccountPrincipal, address: string): Promise<NetworkVotesResponseDto> {
    const bft = await this.requireBft();
    const target = address.toLowerCase();
    const pending = await this.rpc.pendingVotes(bft.namespace);
    if (!(target in pending)) throw new NotFoundError('VOTE_NOT_FOUND', `The node has no pending vote on ${checksum(target)}`);
    await this.rpc.discardVote(bft.namespace, target);
    this.logger.log({ event: 'validator_vote_discarded', accountId: auth.accountId, address: checksum(target) });
    return this.votesOf(bft);
  }

  private async votesOf(bft: { namespace: BftNamespace; consensus: Consensus }, knownNode?: string | null): Promise<NetworkVotesResponseDto> {
    const [pending, node] = await Promise.all([this.rpc.pendingVotes(bft.namespace), knownNode === undefined ? this.node() : knownNode]);
    return {
      consensus: bft.consensus,
      node: node ? checksum(node) : null,
      votes: Object.entries(pending).map(([address, add]) => ({ address: checksum(address), add })),
    };
  }

  private async currentValidators(bft: { namespace: BftNamespace }): Promise<string[]> {
    return (await this.rpc.validatorsAt(bft.namespace, 'latest')) ?? [];
  }

  /**
   * The node's own address (eth_coinbase: a Besu BFT node reports the address it signs with), or
   * null when it does not say; then the validator check on votes is skipped, not the vote.
   */
  private async node(): Promise<string | null> {
    try {
      return await this.rpc.coinbase();
    } catch (error) {
      if (error instanceof JsonRpcError) return null;
      throw error;
    }
  }

  private async requireBft(): Promise<{ namespace: BftNamespace; consensus: Consensus }> {
    if (this.embedded) throw consensusNotAvailable('the embedded Anvil chain has no validators (set CHAIN_RPC_URL to a Besu node)');
    const bft = await this.findBft();
    if (!bft) throw consensusNotAvailable('the RPC node offers neither the IBFT nor the QBFT API (enable IBFT or QBFT in its rpc-http-api)');
    return bft;
  }

  /** Asks the node which BFT namespace it serves; undefined when none (or on the embedded chain). */
  private async findBft(): Promise<{ namespace: BftNamespace; consensus: Consensus } | undefined> {
    if (this.embedded) return undefined;
    if (this.bft) return this.bft;
    for (const candidate of NAMESPACES) {
      const answered = await this.unlessUnsupported(this.rpc.validatorsAt(candidate.namespace, 'latest').then(() => true), false);
      if (answered) return (this.bft = candidate);
    }
    return undefined;
  }

  /** The call's result, or `fallback` when the node does not offer the method at all. */
  private async unlessUnsupported<T, F>(call: Promise<T>, fallback: F): Promise<T | F> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof JsonRpcError && error.unsupported) return fallback;
      throw error;
    }
  }
}
