import { Injectable } from '@nestjs/common';
import { utils } from 'web3';
import { NotFoundError } from '../common/errors';
import { NodeRpc } from '../chain/node-rpc';
import { BftConsensus, bftThresholds, unlessUnsupported } from './bft-consensus';
import { CONSENSUS_EMBEDDED, CONSENSUS_UNAVAILABLE, ConsensusReport, NetworkStatusResponseDto, NetworkValidatorsResponseDto } from './network.dto';

/** How many block intervals the observed block period averages over. */
export const PERIOD_SAMPLE_BLOCKS = 20;

/**
 * The consortium network as administrators see it through the gateway's node: chain head,
 * peers, the block period actually observed, and the validators at any block (IBFT 2.0 / QBFT).
 * Validator votes are ValidatorVotesService's. On the embedded Anvil chain, or a node without a
 * BFT API, the validator list answers 501 CONSENSUS_NOT_AVAILABLE while the status still works.
 */
@Injectable()
export class NetworkService {
  constructor(
    private readonly rpc: NodeRpc,
    private readonly bft: BftConsensus,
  ) {}

  async status(): Promise<NetworkStatusResponseDto> {
    const [chainId, headNumber, peers] = await Promise.all([
      this.rpc.chainId(),
      this.rpc.blockNumber(),
      // Anvil has no peers and no net_peerCount.
      unlessUnsupported(this.rpc.peerCount(), this.bft.embedded ? 0 : null),
    ]);
    const sampleBlocks = Math.min(PERIOD_SAMPLE_BLOCKS, headNumber);
    const [head, earlier] = await Promise.all([this.rpc.block(headNumber), sampleBlocks > 0 ? this.rpc.block(headNumber - sampleBlocks) : null]);
    if (!head) throw new NotFoundError('BLOCK_NOT_FOUND', `The node reported block ${headNumber} as its head but cannot return it`);
    const bft = await this.bft.find();
    const validators = bft ? await this.rpc.validatorsAt(bft.namespace, headNumber) : null;
    const consensus: ConsensusReport = bft?.consensus ?? (this.bft.embedded ? CONSENSUS_EMBEDDED : CONSENSUS_UNAVAILABLE);
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
    const bft = await this.bft.require();
    const head = await this.rpc.blockNumber();
    // Resolve `latest` to a number first, so the answer names the block it describes.
    const at = block === undefined || block === 'latest' ? head : Number(block);
    if (at > head) throw new NotFoundError('BLOCK_NOT_FOUND', `Block ${at} does not exist yet; the head is ${head}`);
    const validators = await this.rpc.validatorsAt(bft.namespace, at);
    if (!validators) throw new NotFoundError('BLOCK_NOT_FOUND', `The node has no block ${at}`);
    return { block: at, consensus: bft.consensus, validators: validators.map((a) => utils.toChecksumAddress(a)), ...bftThresholds(validators.length) };
  }
}
