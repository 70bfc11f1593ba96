import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { IsBytes32, IsEthAddress } from '../common/validation';
import type { Decision, DecisionTarget, ProposalAction } from './authority-decisions';

export class ProposalDto {
  @ApiProperty({ example: 3 })
  proposalId!: number;

  @ApiProperty({ enum: ['admit', 'suspend', 'reinstate'], description: 'What it does to the hospital once k authorities approved it' })
  action!: 'admit' | 'suspend' | 'reinstate';

  @ApiProperty({ description: "The hospital's consortium address" })
  hospital!: string;

  @ApiProperty({ nullable: true, description: 'The account at this gateway with that address, if any' })
  hospitalName!: string | null;

  @ApiProperty({ description: 'The authority that proposed it (its approval counted)' })
  proposer!: string;

  @ApiProperty()
  approvals!: number;

  @ApiProperty({ description: 'Approvals it needs (k)' })
  threshold!: number;

  @ApiProperty({ description: 'Approvals are refused from then on' })
  expiresAt!: Date;

  @ApiProperty({ description: 'Salted commitment to the off-chain details or reason' })
  dataHash!: string;
}

export class DecisionDraftDto {
  @ApiProperty({ enum: ['proposal', 'emergency'] })
  @IsIn(['proposal', 'emergency'])
  target!: DecisionTarget;

  @ApiProperty({ description: 'The proposal id, or the emergency request id on chain', example: 1 })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  id!: number;

  @ApiProperty({ enum: ['approve', 'deny'], description: 'A proposal can only be approved' })
  @IsIn(['approve', 'deny'])
  decision!: Decision;

  @ApiProperty({ description: 'Your authority address: the key that will sign', example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })
  @IsEthAddress()
  from!: string;
}

export class ProposalDraftDto {
  @ApiProperty({ enum: ['admit', 'suspend', 'reinstate'], description: 'Admit a hospital to the consortium, suspend an admitted one, or reinstate a suspended one' })
  @IsIn(['admit', 'suspend', 'reinstate'])
  action!: ProposalAction;

  @ApiProperty({ description: "The hospital's consortium address", example: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' })
  @IsEthAddress()
  hospital!: string;

  @ApiProperty({ description: 'Salted commitment to the admission dossier or the reason, kept off chain (textCommitment(text, salt) in the SDK)', example: `0x${'7e'.repeat(32)}` })
  @IsBytes32()
  dataHash!: string;

  @ApiProperty({ description: 'Your authority address: the key that will sign', example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })
  @IsEthAddress()
  from!: string;
}

export class UnsignedCallDto {
  @ApiProperty({ example: 202611 })
  chainId!: number;

  @ApiProperty({ description: "The signer's next nonce (pending transactions counted)" })
  nonce!: number;

  @ApiProperty()
  gasLimit!: number;

  @ApiProperty({ description: 'ConsortiumRegistry or EmergencyAccess' })
  to!: string;

  @ApiProperty()
  data!: string;
}

export class SignedDecisionDto {
  @ApiProperty({ example: `0xf86a0280830186a094${'5f'.repeat(20)}80a4b759f954${'0'.repeat(62)}01820fa0a0${'1c'.repeat(32)}a0${'2d'.repeat(32)}`, description: 'The draft, signed as a legacy (type 0) EIP-155 transaction with gas price 0, hex' })
  @IsString()
  @Matches(/^0x[0-9a-fA-F]{2,4096}$/, { message: 'rawTransaction must be 0x-prefixed hex' })
  rawTransaction!: string;
}

export class DecisionAppliedDto {
  @ApiProperty()
  txHash!: string;

  @ApiProperty()
  block!: number;

  @ApiProperty({ enum: ['proposal', 'emergency'] })
  target!: DecisionTarget;

  @ApiProperty({ enum: ['approve', 'deny', 'propose'], description: 'propose: the transaction opened proposal `id`' })
  decision!: Decision | 'propose';

  @ApiProperty({ description: 'The proposal or emergency request decided, or the proposal opened' })
  id!: number;
}
