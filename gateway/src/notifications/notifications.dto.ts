import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, Max, Min } from 'class-validator';

export const NOTIFICATION_KINDS = [
  'consent.granted', 'consent.revoked', 'consent.expiring', 'consent_request.received', 'consent_request.denied',
  'emergency.requested', 'emergency.granted', 'record.read', 'recovery.started',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export class NotificationQueryDto {
  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Only what happened after this instant (poll with the newest `at` you have); a recovery waiting (recovery.started) is listed first whatever this and limit say' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class NotificationDto {
  @ApiProperty({ enum: NOTIFICATION_KINDS })
  kind!: NotificationKind;

  @ApiProperty({ description: 'When it happened (for consent.expiring: a week before the expiry)' })
  at!: Date;

  @ApiProperty({ example: 'doctor.sharma (doctor) read record 0b6f… for CAREMGT', description: 'What happened, in words' })
  text!: string;

  @ApiProperty({ description: 'The ids it concerns (record, grantee, request, transaction)', type: 'object', additionalProperties: true })
  refs!: Record<string, string | number | null>;
}
