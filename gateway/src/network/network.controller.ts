import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { AuthAccount } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import {
  NetworkStatusResponseDto,
  NetworkValidatorsQueryDto,
  NetworkValidatorsResponseDto,
  NetworkVoteCreateDto,
  NetworkVoteParamsDto,
  NetworkVoteResponseDto,
  NetworkVotesResponseDto,
} from './network.dto';
import { NetworkService } from './network.service';
import { ValidatorVotesService } from './validator-votes.service';

const NOT_BFT = { status: HttpStatus.NOT_IMPLEMENTED, type: ErrorResponseDto, description: 'No BFT consensus: embedded Anvil chain, or a node without the IBFT/QBFT API (code CONSENSUS_NOT_AVAILABLE)' };

const NOT_CAST = {
  status: HttpStatus.BAD_GATEWAY,
  type: ErrorResponseDto,
  description: "No validator's node took the vote, nothing changed; each node's error in details.nodes (code VOTE_NOT_CAST)",
};

/**
 * The consortium network, for administrators: chain status, validators, and validator votes cast
 * at the validators' own nodes (VALIDATOR_RPC_URLS) or, without that setting, at the gateway's node.
 */
@ApiTags('network')
@Controller({ path: 'network', version: '1' })
export class NetworkController {
  constructor(
    private readonly network: NetworkService,
    private readonly votes: ValidatorVotesService,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'Chain id, head, peers, consensus and the block period observed', description: "What the gateway's node reports: chain id, latest block, peer count, IBFT 2.0 or QBFT (or none on the embedded Anvil) and the mean seconds between recent blocks." })
  @Authenticated({ permission: Permission.NetworkRead })
  @ApiOkResponse({ type: NetworkStatusResponseDto })
  status(): Promise<NetworkStatusResponseDto> {
    return this.network.status();
  }

  @Get('validators')
  @ApiOperation({ summary: 'The BFT validators at a block', description: 'The validator addresses the chain keeps at `block` (the latest by default), in its order.' })
  @Authenticated({ permission: Permission.NetworkRead })
  @ApiOkResponse({ type: NetworkValidatorsResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such block yet (code BLOCK_NOT_FOUND)' })
  @ApiResponse(NOT_BFT)
  validators(@Query() query: NetworkValidatorsQueryDto): Promise<NetworkValidatorsResponseDto> {
    return this.network.validators(query.block);
  }

  @Get('validator-votes')
  @ApiOperation({ summary: 'Pending validator votes at each voting node, tallied over the current validators', description: "Each voting node's pending votes (VALIDATOR_RPC_URLS, or the gateway's node), and for each address whether more than half of the validators hold a vote for it." })
  @Authenticated({ permission: Permission.NetworkRead })
  @ApiOkResponse({ type: NetworkVotesResponseDto })
  @ApiResponse(NOT_BFT)
  pending(): Promise<NetworkVotesResponseDto> {
    return this.votes.votes();
  }

  @Post('validator-votes')
  @ApiOperation({ summary: "Propose adding or removing a validator at every validator's node; says whether more than half now hold the vote", description: 'A vote counts only from a validator, in the blocks its node proposes: it is cast at every voting node at once, and the answer reports each node and whether the change now passes.' })
  @Authenticated({ permission: Permission.NetworkVote })
  @ApiCreatedResponse({ type: NetworkVoteResponseDto, description: 'At least one validator holds the vote; `passes` says whether enough do' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Vote would change nothing or never count (VALIDATOR_ALREADY_PRESENT, VALIDATOR_NOT_PRESENT, NODE_NOT_VALIDATOR: no voting node is a validator; set VALIDATOR_RPC_URLS)',
  })
  @ApiResponse(NOT_CAST)
  @ApiResponse(NOT_BFT)
  propose(@AuthAccount() auth: AccountPrincipal, @Body() dto: NetworkVoteCreateDto): Promise<NetworkVoteResponseDto> {
    return this.votes.propose(auth, dto);
  }

  @Delete('validator-votes/:address')
  @ApiOperation({ summary: 'Discard the pending vote on an address at every voting node', description: 'Withdraws a vote not yet carried: each voting node drops its pending vote on the address.' })
  @HttpCode(HttpStatus.OK)
  @Authenticated({ permission: Permission.NetworkVote })
  @ApiOkResponse({ type: NetworkVoteResponseDto, description: 'Which nodes dropped a vote, and whether the validators still holding one could pass it' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Every voting node answered and none has a pending vote on that address (code VOTE_NOT_FOUND)' })
  @ApiResponse(NOT_BFT)
  discard(@AuthAccount() auth: AccountPrincipal, @Param() params: NetworkVoteParamsDto): Promise<NetworkVoteResponseDto> {
    return this.votes.discard(auth, params.address);
  }
}
