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
  NetworkVotesResponseDto,
} from './network.dto';
import { NetworkService } from './network.service';

const NOT_BFT = { status: HttpStatus.NOT_IMPLEMENTED, type: ErrorResponseDto, description: 'No BFT consensus: embedded Anvil chain, or a node without the IBFT/QBFT API (code CONSENSUS_NOT_AVAILABLE)' };

/** The consortium network, for administrators: chain status, validators and this node's validator votes. */
@ApiTags('network')
@Controller({ path: 'network', version: '1' })
export class NetworkController {
  constructor(private readonly network: NetworkService) {}

  @Get('status')
  @ApiOperation({ summary: 'Chain id, head, peers, consensus and the block period observed' })
  @Authenticated({ permission: Permission.NetworkRead })
  @ApiOkResponse({ type: NetworkStatusResponseDto })
  status(): Promise<NetworkStatusResponseDto> {
    return this.network.status();
  }

  @Get('validators')
  @ApiOperation({ summary: 'The BFT validators at a block' })
  @Authenticated({ permission: Permission.NetworkRead })
  @ApiOkResponse({ type: NetworkValidatorsResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such block yet (code BLOCK_NOT_FOUND)' })
  @ApiResponse(NOT_BFT)
  validators(@Query() query: NetworkValidatorsQueryDto): Promise<NetworkValidatorsResponseDto> {
    return this.network.validators(query.block);
  }

  @Get('validator-votes')
  @ApiOperation({ summary: "This node's pending validator votes" })
  @Authenticated({ permission: Permission.NetworkRead })
  @ApiOkResponse({ type: NetworkVotesResponseDto })
  @ApiResponse(NOT_BFT)
  votes(): Promise<NetworkVotesResponseDto> {
    return this.network.votes();
  }

  @Post('validator-votes')
  @ApiOperation({ summary: 'Propose a vote to add or remove a validator (cast in blocks this node proposes)' })
  @Authenticated({ permission: Permission.NetworkVote })
  @ApiCreatedResponse({ type: NetworkVotesResponseDto, description: "The node's pending votes, this one included" })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Vote would change nothing or never count (VALIDATOR_ALREADY_PRESENT, VALIDATOR_NOT_PRESENT, NODE_NOT_VALIDATOR)' })
  @ApiResponse(NOT_BFT)
  propose(@AuthAccount() auth: AccountPrincipal, @Body() dto: NetworkVoteCreateDto): Promise<NetworkVotesResponseDto> {
    return this.network.propose(auth, dto);
  }

  @Delete('validator-votes/:address')
  @ApiOperation({ summary: "Discard this node's pending vote on a validator" })
  @HttpCode(HttpStatus.OK)
  @Authenticated({ permission: Permission.NetworkVote })
  @ApiOkResponse({ type: NetworkVotesResponseDto, description: "The node's remaining pending votes" })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'The node has no pending vote on that address (code VOTE_NOT_FOUND)' })
  @ApiResponse(NOT_BFT)
  discard(@AuthAccount() auth: AccountPrincipal, @Param() params: NetworkVoteParamsDto): Promise<NetworkVotesResponseDto> {
    return this.network.discard(auth, params.address);
  }
}
