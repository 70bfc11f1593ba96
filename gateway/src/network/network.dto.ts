import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { IsEthAddress } from '../common/validation';

export type Consensus = 'ibft2' | 'qbft';
export const CONSENSUS_EMBEDDED = 'none (embedded Anvil)';
export const CONSENSUS_UNAVAILABLE = 'unavailable';
export type ConsensusReport = Consensus | typeof CONSENSUS_EMBEDDED | typeof CONSENSUS_UNAVAILABLE;

export class NetworkValidatorsQueryDto {
  @ApiPropertyOptional({ description: '`latest` (default) or a block number', example: 'latest', pattern: '^(latest|0|[1-9][0-9]*)$' })
  @IsOptional()
  @Matches(/^(latest|0|[1-9][0-9]{0,14})$/, { message: 'block must be "latest" or a block number' })
  block?: string;
}

export class NetworkValidatorsResponseDto {
  @ApiProperty({ description: 'The block the set was read at', example: 1042 })
  block!: number;

  @ApiProperty({ enum: ['ibft2', 'qbft'] })
  consensus!: Consensus;

  @ApiProperty({ type: [String], description: 'Validator addresses (EIP-55), in the order the chain keeps them (ascending)' })
  validators!: string[];

  @ApiProperty({ description: 'Faulty validators the network survives: floor((n - 1) / 3)', example: 1 })
  faultTolerance!: number;

  @ApiProperty({ description: 'Validators that must agree on a block: ceil(2n / 3)', example: 3 })
  quorum!: number;
}

export class NetworkVoteCreateDto {
  @ApiProperty({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72', description: 'Validator to add or remove' })
  @IsEthAddress()
  address!: string;

  @ApiProperty({ description: 'true: vote to add the address as a validator; false: vote to remove it', example: true })
  @IsBoolean()
  add!: boolean;
}

export class NetworkVoteParamsDto {
  @ApiProperty({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' })
  @IsEthAddress()
  address!: string;
}

export class NetworkVoteDto {
  @ApiProperty({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' })
  address!: string;

  @ApiProperty({ description: 'true: add; false: remove' })
  add!: boolean;
}

export class NetworkNodeErrorDto {
  @ApiProperty({ example: 'NODE_UNREACHABLE', description: 'NODE_UNREACHABLE, NODE_NOT_VALIDATOR or CHAIN_RPC_ERROR (the node refused the call)' })
  code!: string;

  @ApiProperty({ example: 'No answer from the node (refused, timed out, or not JSON-RPC)' })
  message!: string;
}

/** A node votes are cast at: a validator's own endpoint (VALIDATOR_RPC_URLS) or the gateway's node. */
export class NetworkVotingNodeDto {
  @ApiProperty({ example: 'http://validator1:8545/', description: 'Its JSON-RPC endpoint, without credentials or query' })
  url!: string;

  @ApiProperty({ type: String, nullable: true, example: '0x1E1a1C8F6F7B3A6d4D2f0B2C8E9a7d6C5b4a3F21', description: 'The address it signs blocks and votes with (eth_coinbase); null if it did not answer' })
  address!: string | null;

  @ApiProperty({ type: Boolean, nullable: true, description: 'Whether that address is a current validator (only then do its votes count); null if unknown' })
  validator!: boolean | null;

  @ApiProperty({ type: NetworkNodeErrorDto, nullable: true, description: 'Why the node did not take part; null if it did' })
  error!: NetworkNodeErrorDto | null;
}

export class NetworkVoteNodeDto extends NetworkVotingNodeDto {
  @ApiProperty({ description: 'Proposing: the node now holds the vote and casts it in each block it proposes. Discarding: it dropped a vote it held' })
  accepted!: boolean;
}

/** What one vote request (propose or discard) did at every voting node, and whether the change now passes. */
export class NetworkVoteResponseDto {
  @ApiProperty({ enum: ['ibft2', 'qbft'] })
  consensus!: Consensus;

  @ApiProperty({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72', description: 'The address voted on' })
  address!: string;

  @ApiProperty({ type: Boolean, nullable: true, description: 'Proposing: true to add, false to remove. Discarding: null' })
  add!: boolean | null;

  @ApiProperty({ example: 4, description: 'Current validators' })
  validators!: number;

  @ApiProperty({ example: 3, description: 'Validators that must vote for a change: more than half, floor(n / 2) + 1' })
  needed!: number;

  @ApiProperty({ example: 3, description: 'Current validators whose node holds this vote after the request (each counted once)' })
  voters!: number;

  @ApiProperty({
    description:
      'voters >= needed: the change takes effect once each of them has proposed a block (a few block periods). ' +
      'false: it will not, unless more validators vote; after a discard, false means the proposal can no longer pass on pending votes',
  })
  passes!: boolean;

  @ApiProperty({ type: [NetworkVoteNodeDto] })
  nodes!: NetworkVoteNodeDto[];
}

export class NetworkNodePendingVotesDto extends NetworkVotingNodeDto {
  @ApiProperty({ type: [NetworkVoteDto], description: 'Votes the node casts in each block it proposes until they pass or are discarded' })
  votes!: NetworkVoteDto[];
}

export class NetworkVoteTallyDto {
  @ApiProperty({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' })
  address!: string;

  @ApiProperty({ description: 'true: add; false: remove' })
  add!: boolean;

  @ApiProperty({ type: [String], description: 'Current validators whose node holds this vote (EIP-55)' })
  voters!: string[];

  @ApiProperty({ description: 'Enough validators hold it for the change to take effect' })
  passes!: boolean;
}

/** Pending validator votes at every voting node, tallied over the current validators. */
export class NetworkVotesResponseDto {
  @ApiProperty({ enum: ['ibft2', 'qbft'] })
  consensus!: Consensus;

  @ApiProperty({ example: 4, description: 'Current validators' })
  validators!: number;

  @ApiProperty({ example: 3, description: 'Validators that must vote for a change: more than half, floor(n / 2) + 1' })
  needed!: number;

  @ApiProperty({ type: [NetworkNodePendingVotesDto] })
  nodes!: NetworkNodePendingVotesDto[];

  @ApiProperty({ type: [NetworkVoteTallyDto], description: 'Each pending vote with the validators holding it; votes held only by non-validators are not counted' })
  votes!: NetworkVoteTallyDto[];
}

export class NetworkHeadDto {
  @ApiProperty({ example: 1042 })
  number!: number;

  @ApiProperty({ example: '0x6c5f…' })
  hash!: string;

  @ApiProperty({ description: 'Block timestamp' })
  timestamp!: Date;
}

export class NetworkBlockPeriodDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Mean seconds between the last `sampleBlocks` blocks; null before block 1', example: 2 })
  observedSeconds!: number | null;

  @ApiProperty({ description: 'How many block intervals the mean covers', example: 20 })
  sampleBlocks!: number;
}

export class NetworkStatusResponseDto {
  @ApiProperty({ example: 202611 })
  chainId!: number;

  @ApiProperty({ enum: ['ibft2', 'qbft', CONSENSUS_EMBEDDED, CONSENSUS_UNAVAILABLE] })
  consensus!: ConsensusReport;

  @ApiProperty({ type: NetworkHeadDto })
  head!: NetworkHeadDto;

  @ApiProperty({ type: Number, nullable: true, description: 'Peers of the gateway\'s RPC node (net_peerCount); null if it does not say' })
  peers!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Validators at the head block; null without BFT consensus' })
  validators!: number | null;

  @ApiProperty({ type: NetworkBlockPeriodDto })
  blockPeriod!: NetworkBlockPeriodDto;
}
