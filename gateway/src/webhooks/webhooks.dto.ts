import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENTS, WebhookEvent } from './webhook-events';

export class WebhookCreateDto {
  @ApiProperty({ example: 'https://his.example-hospital.in/ehrchain/events', description: 'https only, on a public address' })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENTS, isArray: true, example: ['consent.granted', 'consent.revoked'], description: 'The events to receive (all by default)' })
  @IsOptional()
  @ArrayMinSize(1)
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events?: WebhookEvent[];
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  events!: string[];

  @ApiProperty()
  createdAt!: Date;
}

export class WebhookCreatedDto extends WebhookResponseDto {
  @ApiProperty({
    description: 'The signing secret, shown this once: check X-EHRChain-Signature (t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>) and refuse timestamps older than 5 minutes',
  })
  secret!: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'Also in X-EHRChain-Delivery: a retried delivery keeps its id' })
  id!: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS })
  event!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  status!: string;

  @ApiProperty()
  attempts!: number;

  @ApiPropertyOptional({ nullable: true })
  lastStatus!: number | null;

  @ApiPropertyOptional({ nullable: true })
  lastError!: string | null;

  @ApiProperty()
  nextAttemptAt!: Date;

  @ApiProperty()
  createdAt!: Date;

  @ApiPropertyOptional({ nullable: true })
  deliveredAt!: Date | null;
}
