import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { utils } from 'web3';
import { AccountPrincipal } from '../auth/principal';
import { ApiError, DependencyUnavailableError, NotFoundError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { NodeRpc } from '../chain/node-rpc';
import { Bft, BftConsensus, votesNeeded } from './bft-consensus';
import {
  NetworkNodeErrorDto,
  NetworkVoteCreateDto,
  NetworkVoteDto,
  NetworkVoteNodeDto,
  NetworkVoteResponseDto,
  NetworkVotesResponseDto,
  NetworkVoteTallyDto,
  NetworkVotingNodeDto,
} from './network.dto';

interface VotingNode {
  /** As reports and logs show it: no credentials, query or fragment. */
  url: string;
  rpc: NodeRpc;
}

const checksum = (address: string): string => utils.toChecksumAddress(address);
const shown = (url: string): string => {
  const { origin, pathname } = new URL(url);
  return origin + pathname;
};

/** A node's failure, as its report shows it; anything but a chain or node error is a bug and is rethrown. */
function nodeError(error: unknown): NetworkNodeErrorDto {
  if (error instanceof DependencyUnavailableError) return { code: 'NODE_UNREACHABLE', message: 'No answer from the node (refused, timed out, or not JSON-RPC)' };
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  throw error;
}

/**
 * Validator votes (IBFT 2.0 / QBFT). A vote travels in the header of a block its own node
 * proposes, and only validators propose: Besu accepts a vote at any node but counts it only from
 * a validator's, and a change passes when more than half of the validators voted for it within
 * the epoch. So votes are cast at every validator's own endpoint the operator configured
 * (VALIDATOR_RPC_URLS), each checked to be a current validator; without that setting, at the
 * gateway's node, which must then be a validator itself. One node's failure is reported, never
 * the request's, and the answer says whether enough validators hold the vote for it to pass.
 */
@Injectable()
export class ValidatorVotesService {
  private readonly logger = new Logger(ValidatorVotesService.name);
  private readonly configured: boolean;
  private readonly nodes: VotingNode[];

  constructor(
    rpc: NodeRpc,
    private readonly bft: BftConsensus,
    @InjectConfig() config: AppConfig,
  ) {
    const urls = config.chain.validatorRpcUrls;
    this.configured = urls !== undefined;
    this.nodes = urls
      ? urls.map((url) => ({ url: shown(url), rpc: new NodeRpc(url) }))
      : [{ url: config.chain.rpcUrl ? shown(config.chain.rpcUrl) : 'embedded Anvil', rpc }];
  }

  async votes(): Promise<NetworkVotesResponseDto> {
    const bft = await this.bft.require();
    const validators = await this.bft.validators(bft);
    const nodes = await Promise.all(
      this.nodes.map((node) =>
        this.atNode(node, validators, { votes: [] as NetworkVoteDto[] }, async () => ({
          votes: Object.entries(await node.rpc.pendingVotes(bft.namespace)).map(([address, add]) => ({ address: checksum(address), add })),
        })),
      ),
    );
    const needed = votesNeeded(validators.length);
    const tally = new Map<string, NetworkVoteTallyDto>();
    for (const node of nodes) {
      if (!node.validator || !node.address) continue;
      for (const vote of node.votes) {
        const entry = tally.get(`${vote.address}:${vote.add}`) ?? { ...vote, voters: [], passes: false };
        if (!entry.voters.includes(node.address)) entry.voters.push(node.address);
        entry.passes = entry.voters.length >= needed;
        tally.set(`${vote.address}:${vote.add}`, entry);
      }
    }
    return { consensus: bft.consensus, validators: validators.length, needed, nodes, votes: [...tally.values()] };
  }

  async propose(auth: AccountPrincipal, dto: NetworkVoteCreateDto): Promise<NetworkVoteResponseDto> {
    const bft = await this.bft.require();
    const address = dto.address.toLowerCase();
    const validators = await this.bft.validators(bft);
    if (dto.add && validators.includes(address)) {
      throw new ApiError(HttpStatus.CONFLICT, 'VALIDATOR_ALREADY_PRESENT', `${checksum(address)} is already a validator`);
    }
    if (!dto.add && !validators.includes(address)) {
      throw new ApiError(HttpStatus.CONFLICT, 'VALIDATOR_NOT_PRESENT', `${checksum(address)} is not a validator`);
    }
    const nodes = await Promise.all(
      this.nodes.map((node) =>
        this.atNode(node, validators, { accepted: false }, async (_self, validator) => {
          // Not sent to a non-validator: it would never count there, and would if the node became one.
          if (!validator) throw new ApiError(HttpStatus.CONFLICT, 'NODE_NOT_VALIDATOR', 'Not a current validator: its vote would never be counted, so none was cast');
          await node.rpc.proposeVote(bft.namespace, address, dto.add); // Besu answers true whenever it records the vote
          return { accepted: true };
        }),
      ),
    );
    // Only validators were asked; one reached through two URLs counts once.
    const voters = new Set(nodes.filter((node) => node.accepted).map((node) => node.address)).size;
    if (voters === 0) throw this.notCast(nodes);
    const outcome = this.outcome(bft, address, dto.add, validators, nodes, voters);
    this.log('validator_vote_proposed', auth, outcome);
    return outcome;
  }

  async discard(auth: AccountPrincipal, address: string): Promise<NetworkVoteResponseDto> {
    const bft = await this.bft.require();
    const target = address.toLowerCase();
    const validators = await this.bft.validators(bft);
    const holders = new Set<string>();
    const nodes = await Promise.all(
      this.nodes.map((node) =>
        this.atNode(node, validators, { accepted: false }, async (self) => {
          if (!(target in (await node.rpc.pendingVotes(bft.namespace)))) return { accepted: false };
          // Discarded at a non-validator too: its vote would count if the node became a validator.
          holders.add(self);
          await node.rpc.discardVote(bft.namespace, target);
          holders.delete(self);
          return { accepted: true };
        }),
      ),
    );
    if (nodes.every((node) => !node.error && !node.accepted)) {
      const where = this.configured ? 'No node in VALIDATOR_RPC_URLS has a' : 'The node has no';
      throw new NotFoundError('VOTE_NOT_FOUND', `${where} pending vote on ${checksum(target)}`);
    }
    const outcome = this.outcome(bft, target, null, validators, nodes, [...holders].filter((a) => validators.includes(a)).length);
    this.log('validator_vote_discarded', auth, outcome);
    return outcome;
  }

  /**
   * Asks a node who it is (eth_coinbase: the address a Besu BFT node signs blocks and votes
   * with), then runs `act`; a failure of either becomes that node's error.
   */
  private async atNode<R extends object>(
    node: VotingNode,
    validators: string[],
    fallback: R,
    act: (self: string, validator: boolean) => Promise<R>,
  ): Promise<NetworkVotingNodeDto & R> {
    const report: NetworkVotingNodeDto & R = { url: node.url, address: null, validator: null, ...fallback, error: null };
    try {
      const self = await node.rpc.coinbase();
      report.address = checksum(self);
      report.validator = validators.includes(self);
      return { ...report, ...(await act(self, report.validator)) };
    } catch (error) {
      return { ...report, error: nodeError(error) };
    }
  }

  private notCast(nodes: NetworkVoteNodeDto[]): ApiError {
    if (nodes.every((node) => node.error?.code === 'NODE_NOT_VALIDATOR')) {
      const message = this.configured
        ? "No node in VALIDATOR_RPC_URLS is a current validator, so no vote would be counted; list the validators' own RPC endpoints"
        : `The gateway's RPC node ${nodes[0].address} is not a validator, so its vote would never be counted; ` +
          "set VALIDATOR_RPC_URLS to the validators' own RPC endpoints (more than half of them) to vote through the gateway";
      return new ApiError(HttpStatus.CONFLICT, 'NODE_NOT_VALIDATOR', message, { nodes });
    }
    return new ApiError(HttpStatus.BAD_GATEWAY, 'VOTE_NOT_CAST', "No validator's node took the vote, so nothing changed; each node's error is in details", { nodes });
  }

  private outcome(bft: Bft, address: string, add: boolean | null, validators: string[], nodes: NetworkVoteNodeDto[], voters: number): NetworkVoteResponseDto {
    const needed = votesNeeded(validators.length);
    return { consensus: bft.consensus, address: checksum(address), add, validators: validators.length, needed, voters, passes: voters >= needed, nodes };
  }

  private log(event: string, auth: AccountPrincipal, outcome: NetworkVoteResponseDto): void {
    const { address, add, voters, needed, passes, nodes } = outcome;
    const reports = nodes.map((node) => ({ url: node.url, accepted: node.accepted, error: node.error?.code ?? null }));
    this.logger.log({ event, accountId: auth.accountId, address, add, voters, needed, passes, nodes: reports });
  }
}
