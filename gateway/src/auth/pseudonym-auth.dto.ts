import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { IsBytes32, IsSignature } from '../common/validation';

const HANDLE = { example: `0x${'3f'.repeat(32)}`, description: "The patient's on-chain pseudonym handle (bytes32)" };
const CHALLENGE = { example: `0x${'a1'.repeat(32)}`, description: 'Single-use challenge (bytes32), as issued' };
const EXPIRES_AT = { example: 1796112300, description: 'Unix seconds after which the challenge is refused' };

export class PseudonymChallengeCreateDto {
  @ApiProperty(HANDLE)
  @IsBytes32()
  handle!: string;
}

export class PseudonymChallengeResponseDto {
  @ApiProperty(CHALLENGE)
  challenge!: string;

  @ApiProperty(EXPIRES_AT)
  expiresAt!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'EIP-712 typed data naming the handle, the challenge, this consortium (chain id, ConsentManager) and the expiry; sign it with the handle\'s consent key (eth_signTypedData_v4)',
  })
  typedData!: object;
}

export class PseudonymTokenCreateDto {
  @ApiProperty(HANDLE)
  @IsBytes32()
  handle!: string;

  @ApiProperty(CHALLENGE)
  @IsBytes32()
  challenge!: string;

  @ApiProperty(EXPIRES_AT)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  expiresAt!: number;

  @ApiProperty({ example: `0x${'5c'.repeat(65)}`, description: 'EIP-712 signature of typedData by the handle\'s current signer' })
  @IsSignature()
  signature!: string;
}

export class PseudonymSessionResponseDto {
  @ApiProperty({ enum: ['pseudonym'] })
  kind!: 'pseudonym';

  @ApiProperty(HANDLE)
  handle!: string;
}
