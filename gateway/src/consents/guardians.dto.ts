import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsInt, Max, Min } from 'class-validator';
import type { PendingRecovery } from '../chain/consent-manager';
import { IsBytes32, IsEthAddress, IsSignature } from '../common/validation';

/** PatientGuardians.MAX_GUARDIANS */
export const MAX_GUARDIANS = 10;

/** The handle and the signature's window, common to the messages about a handle's own keys. */
class HandleMessageDto {
  @ApiProperty({ example: `0x${'3f'.repeat(32)}`, description: 'The handle: the pseudonym you are signed in as' })
  @IsBytes32()
  handle!: string;

  @ApiProperty({ example: 1, description: "The handle's registry nonce (GET /v1/guardians answers it)" })
  @IsInt() @Min(0) @Max(2 ** 48 - 1)
  nonce!: number;

  @ApiProperty({ example: 1796115600, description: 'Unix seconds: the last block time at which the chain accepts the signature' })
  @IsInt() @Min(0) @Max(2 ** 40 - 1)
  deadline!: number;

  @ApiProperty({ example: `0x${'5c'.repeat(65)}`, description: "EIP-712 signature by the handle's consent key" })
  @IsSignature()
  signature!: string;
}

export class GuardianSetMessageDto extends HandleMessageDto {
  @ApiProperty({ type: [String], example: ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'], description: "The guardians' addresses for this handle (each derives its own with deriveGuardianKey); none to remove them all" })
  @ArrayMaxSize(MAX_GUARDIANS)
  @IsEthAddress({ each: true })
  guardians!: string[];

  @ApiProperty({ example: 2, description: 'How many guardians must sign a recovery (0 with no guardians)' })
  @IsInt() @Min(0) @Max(MAX_GUARDIANS)
  threshold!: number;
}

/** The EIP-712 RecoveryVeto: it names the waiting recovery (new signer and number), so it cannot stop another. */
export class RecoveryVetoMessageDto extends HandleMessageDto {
  @ApiProperty({ example: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', description: 'The new signer of the recovery you veto (GET /v1/guardians: recovery.newSigner)' })
  @IsEthAddress()
  newSigner!: string;

  @ApiProperty({ example: 0, description: 'Its number (recovery.recovery)' })
  @IsInt() @Min(0) @Max(2 ** 32 - 1)
  recovery!: number;
}

class GuardianSetDto {
  @ApiProperty({ type: [String] })
  guardians!: string[];

  @ApiProperty()
  threshold!: number;
}

class ProposedGuardianSetDto extends GuardianSetDto {
  @ApiProperty({ description: 'When anyone may put it in force (applyGuardians on chain)' })
  effectiveAt!: Date;
}

/** A waiting recovery as the chain holds it (ConsentManager.pendingRecoveryOf), its times as dates. */
export const pendingRecoveryDto = (recovery: PendingRecovery | null): PendingRecoveryDto | null =>
  recovery && { ...recovery, startedAt: new Date(recovery.startedAt * 1000), executableAt: new Date(recovery.executableAt * 1000) };

export class PendingRecoveryDto {
  @ApiProperty({ description: 'The address that would sign for this handle instead of your key' })
  newSigner!: string;

  @ApiProperty({ description: 'Its number, which a veto names' })
  recovery!: number;

  @ApiProperty({ description: 'When the guardians started it' })
  startedAt!: Date;

  @ApiProperty({ description: 'From when anyone can complete it; a veto counts only before' })
  executableAt!: Date;

  @ApiProperty({ description: 'False when every guardian signed it: your key cannot veto it' })
  vetoable!: boolean;
}

export class GuardiansDto {
  @ApiProperty()
  handle!: string;

  @ApiProperty({ description: 'The nonce your next GuardianSet or RecoveryVeto message is signed at' })
  nonce!: number;

  @ApiProperty({ type: GuardianSetDto })
  inForce!: GuardianSetDto;

  @ApiPropertyOptional({ type: ProposedGuardianSetDto, nullable: true })
  proposed!: ProposedGuardianSetDto | null;

  @ApiPropertyOptional({ type: PendingRecoveryDto, nullable: true, description: 'A recovery your guardians started, waiting for its delay: if you did not ask for it, veto it' })
  recovery!: PendingRecoveryDto | null;
}
