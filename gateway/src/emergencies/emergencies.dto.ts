import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsBytes32, IsSignature } from '../common/validation';
import { EMERGENCY_STATUSES, EmergencyStatus } from '../chain/emergency-access';

export class EmergencyDraftDto {
  @ApiProperty({ example: `0x${'3f'.repeat(32)}`, description: "The pseudonym your hospital files the patient's records under (the handle of their filing token)" })
  @IsBytes32()
  patient!: string;

  @ApiProperty({ example: 'Unconscious on arrival after a road accident; allergies and current medication needed', description: 'Why, for the authorities who approve it and the patient who will read it (identifiers are removed)' })
  @IsString()
  @Length(10, 1000)
  reason!: string;

  @ApiProperty({ example: 14400, description: 'Seconds of access asked for, from the approval (at most EMERGENCY_MAX_HOURS)' })
  @IsInt()
  @Min(60)
  @Max(72 * 3600)
  durationSeconds!: number;
}

export class EmergencySignatureDto {
  @ApiProperty({ example: `0x${'5c'.repeat(65)}`, description: 'Your EIP-712 signature of the typedData the draft answered, with your practitioner key' })
  @IsSignature()
  signature!: string;
}

export class EmergencySubmitQueryDto {
  @ApiPropertyOptional({ enum: ['requested'], description: 'Wait (up to 30 s) until the request is on chain' })
  @IsOptional()
  @IsIn(['requested'])
  wait?: 'requested';
}

export class EmergencyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: "The patient's pseudonym the records are filed under" })
  patient!: string;

  @ApiProperty({ description: 'Who the request names on chain: a handle used for this doctor and patient only' })
  patientOnChain!: string;

  @ApiProperty({ description: "The doctor's chain address" })
  doctor!: string;

  @ApiProperty({ description: "The doctor's account name at this gateway" })
  doctorName!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ description: "The salt of the reason's commitment: textCommitment(reason, salt) is the reasonHash on chain" })
  reasonSalt!: string;

  @ApiProperty()
  durationSeconds!: number;

  @ApiProperty({ enum: ['draft', 'queued', 'requested', 'failed'], description: 'At this gateway: draft (to sign), queued, requested (on chain), failed' })
  state!: string;

  @ApiPropertyOptional({ nullable: true, description: "EmergencyAccess's request id" })
  requestId!: number | null;

  @ApiProperty({ enum: EMERGENCY_STATUSES, description: "On chain now: pending (waiting for k approvals), granted, denied, expired, ended, revoked; 'none' before it is there" })
  status!: EmergencyStatus;

  @ApiProperty({ description: 'Authority approvals so far' })
  approvals!: number;

  @ApiPropertyOptional({ nullable: true, description: 'When access began (granted)' })
  startsAt!: Date | null;

  @ApiPropertyOptional({ nullable: true, description: "When access ends (granted), or the approval deadline (pending)" })
  expiresAt!: Date | null;

  @ApiPropertyOptional({ nullable: true })
  txHash!: string | null;

  @ApiPropertyOptional({ nullable: true })
  error!: string | null;

  @ApiProperty()
  createdAt!: Date;
}

export class EmergencyDraftResponseDto {
  @ApiProperty({ type: EmergencyResponseDto })
  emergency!: EmergencyResponseDto;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'EIP-712 typed data (EmergencyAccess EmergencyRequest) to sign with your practitioner key, then POST /v1/emergencies/{id}/signature' })
  typedData!: object;
}
