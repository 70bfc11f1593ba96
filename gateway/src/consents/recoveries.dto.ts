import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsInt, Max, Min } from 'class-validator';
import { IsBytes32, IsEthAddress, IsSignature } from '../common/validation';
import { MAX_GUARDIANS, PendingRecoveryDto } from './guardians.dto';

/** A handle, in a body or a path. */
export class RecoveryHandleDto {
  @ApiProperty({ example: `0x${'3f'.repeat(32)}`, description: "The handle to move to another key: the guardian code the patient gave their guardians" })
  @IsBytes32()
  handle!: string;
}

/** Guardians' EIP-712 `Recovery` signatures, at least the threshold of them, all over the same fields. */
export class RecoveryStartDto extends RecoveryHandleDto {
  @ApiProperty({ example: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', description: "The key that will sign for the handle: the patient's new device's" })
  @IsEthAddress()
  newSigner!: string;

  @ApiProperty({ example: 0, description: "The handle's recovery nonce the guardians signed at (GET /v1/recoveries/{handle}: nonce)" })
  @IsInt() @Min(0) @Max(2 ** 32 - 1)
  nonce!: number;

  @ApiProperty({ example: 1796115600, description: 'Unix seconds: the last block time at which the chain accepts the signatures' })
  @IsInt() @Min(0) @Max(2 ** 40 - 1)
  deadline!: number;

  @ApiProperty({ type: [String], example: [`0x${'5c'.repeat(65)}`], description: 'One Recovery signature per guardian, each with the key they derived for this handle (deriveGuardianKey)' })
  @ArrayMinSize(1) @ArrayMaxSize(MAX_GUARDIANS)
  @IsSignature({ each: true })
  signatures!: string[];
}

export class RecoveryCompletionDto extends RecoveryHandleDto {}

/** What the guardians of a handle need to sign a recovery, and the one waiting: all of it public on chain. */
export class RecoveryStateDto {
  @ApiProperty()
  handle!: string;

  @ApiProperty({ description: 'The nonce the next recovery is signed at (recoveryNonces)' })
  nonce!: number;

  @ApiProperty({ type: [String], description: 'The guardians in force: each finds their own address among them' })
  guardians!: string[];

  @ApiProperty({ description: 'How many of them must sign (0: no guardians, no recovery)' })
  threshold!: number;

  @ApiProperty({ type: PendingRecoveryDto, nullable: true, description: 'The recovery waiting, if any' })
  recovery!: PendingRecoveryDto | null;
}
