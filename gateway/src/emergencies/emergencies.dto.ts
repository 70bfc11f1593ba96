import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { SignedRequestResponseDto } from '../common/signed-request.dto';
import { IsBytes32 } from '../common/validation';
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

export class EmergencyResponseDto extends SignedRequestResponseDto {
  @ApiPropertyOptional({ description: "The patient's pseudonym the records are filed under (not shown to authorities: with patientOnChain it would join two of the patient's handles)" })
  patient?: string;

  @ApiProperty({ description: 'Who the request names on chain: a handle used for this doctor and patient only' })
  patientOnChain!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ description: "The salt of the reason's commitment: textCommitment(reason, salt) is the reasonHash on chain" })
  reasonSalt!: string;

  @ApiProperty()
  durationSeconds!: number;

  @ApiProperty({ enum: EMERGENCY_STATUSES, description: "On chain now: pending (waiting for k approvals), granted, denied, expired, ended, revoked; 'none' before it is there" })
  status!: EmergencyStatus;

  @ApiProperty({ description: 'Authority approvals so far' })
  approvals!: number;

  @ApiPropertyOptional({ nullable: true, description: 'When access began (granted)' })
  startsAt!: Date | null;

  @ApiPropertyOptional({ nullable: true, description: "When access ends (granted), or the approval deadline (pending)" })
  expiresAt!: Date | null;
}

export class EmergencyDraftResponseDto {
  @ApiProperty({ type: EmergencyResponseDto })
  emergency!: EmergencyResponseDto;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'EIP-712 typed data (EmergencyAccess EmergencyRequest) to sign with your practitioner key, then POST /v1/emergencies/{id}/signature' })
  typedData!: object;
}
