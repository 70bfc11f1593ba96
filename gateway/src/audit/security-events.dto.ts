import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { USERNAME_MAX_LENGTH } from '../common/validation';
import { SECURITY_EVENTS, SecurityEventName } from './security-event.entity';

export const SECURITY_EVENTS_PAGE_MAX = 100;

export class SecurityEventQueryDto {
  @ApiPropertyOptional({ enum: SECURITY_EVENTS, description: 'Only this kind of event' })
  @IsOptional()
  @IsIn(SECURITY_EVENTS)
  event?: SecurityEventName;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only what this account did' })
  @IsOptional()
  @IsUUID()
  actorAccountId?: string;

  @ApiPropertyOptional({ description: 'Only sign-ins naming this username', maxLength: USERNAME_MAX_LENGTH })
  @IsOptional()
  @Matches(/^[^\u0000]{1,64}$/)
  username?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only events at or after this time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only events at or before this time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  until?: Date;

  @ApiPropertyOptional({ description: "The previous page's `next`: only older events", example: '1042' })
  @IsOptional()
  @Matches(/^\d{1,18}$/)
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: SECURITY_EVENTS_PAGE_MAX, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(SECURITY_EVENTS_PAGE_MAX)
  limit?: number;
}

export class SecurityEventDto {
  @ApiProperty({ example: '1041' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  at!: Date;

  @ApiProperty({ enum: SECURITY_EVENTS })
  event!: SecurityEventName;

  @ApiProperty({ enum: ['account', 'pseudonym', 'anonymous'], description: 'Who was calling: an account, a pseudonym (never named here), or nobody signed in' })
  actorKind!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  actorAccountId!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'The username a sign-in named' })
  username!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'account' })
  targetType!: string | null;

  @ApiProperty({ nullable: true, type: String })
  targetId!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '10.20.0.7' })
  clientAddress!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'The X-Request-Id of the request' })
  requestId!: string | null;

  @ApiProperty({ nullable: true, type: Object, description: 'Route and permission refused; state before and after an administrator\'s act' })
  details!: Record<string, unknown> | null;
}

export class SecurityEventPageDto {
  @ApiProperty({ type: [SecurityEventDto] })
  events!: SecurityEventDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `before` for the next (older) page; null on the last' })
  next!: string | null;
}
