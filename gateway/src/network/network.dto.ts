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

  @ApiProperty({ description: 'true: vote to add the address as a validator; false: vote to remove it' })
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

export class NetworkVotesResponseDto {
  @ApiProperty({ enum: ['ibft2', 'qbft'] })
  consensus!: Consensus;

  @ApiProperty({ nullable: true, description: 'The voting node: the gateway\'s RPC node (null if it does not say)' })
  node!: string | null;

  @ApiProperty({ type: [NetworkVoteDto], description: 'Votes the node casts in each block it proposes until they pass or are discarded' })
  votes!: NetworkVoteDto[];
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
  @ApiProperty({ nullable: true, description: 'Mean seconds between the last `sampleBlocks` blocks; null before block 1', example: 2 })
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

  @ApiProperty({ nullable: true, description: 'Peers of the gateway\'s RPC node (net_peerCount); null if it does not say' })
  peers!: number | null;

  @ApiProperty({ nullable: true, description: 'Validators at the head block; null without BFT consensus' })
  validators!: number | null;

  @ApiProperty({ type: NetworkBlockPeriodDto })
  blockPeriod!: NetworkBlockPeriodDto;
}
