import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ConsentTermsDto } from '../consents/consents.dto';
import { RecordResponseDto } from '../records/records.dto';
import { PURPOSE_CODES, PurposeCode } from './purposes';

export class ConsentedReadQueryDto {
  @ApiProperty({ enum: PURPOSE_CODES, description: 'Why you read it (HL7 PurposeOfUse): it must be in the consent, and it is logged on chain with the read' })
  @IsIn(PURPOSE_CODES)
  purpose!: PurposeCode;
}

export class AccessLogQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AccessAuditQueryDto extends AccessLogQueryDto {
  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Only releases before this instant (page with the oldest accessedAt you have)' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  before?: Date;
}

export class AccessEntryResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'Your record that was read' })
  recordId!: string;

  @ApiProperty()
  version!: number;

  @ApiProperty({ description: "The reader's chain address" })
  reader!: string;

  @ApiProperty({ description: "The reader's account name and role at this gateway", example: 'doctor.sharma (doctor)' })
  readerName!: string;

  @ApiProperty({ enum: PURPOSE_CODES })
  purpose!: PurposeCode;

  @ApiProperty({ enum: ['consent', 'emergency'] })
  kind!: 'consent' | 'emergency';

  @ApiProperty({ description: 'The consent id (or emergency request) the read was allowed under, as logged on chain' })
  authorizationId!: string;

  @ApiProperty({ description: 'The relationship handle the read is logged under on chain' })
  relationship!: string;

  @ApiProperty({ description: "The record id as logged on chain, blinded (accessLogRecordId(record id on chain, relationship, blindingSalt)): the ledger does not join two readers' entries, and nobody who knows the record id can find them" })
  loggedRecordId!: string;

  @ApiProperty({ description: 'The blinding salt: with it you recompute loggedRecordId and find the entry on chain' })
  blindingSalt!: string;

  @ApiProperty()
  accessedAt!: Date;

  @ApiProperty({ enum: ['pending', 'logged', 'failed'], description: 'pending: queued for the chain; logged: in the block below' })
  status!: 'pending' | 'logged' | 'failed';

  @ApiPropertyOptional({ nullable: true })
  txHash!: string | null;

  @ApiPropertyOptional({ nullable: true })
  block!: number | null;
}

/** A release as authorities audit it: what the chain holds, nothing that names a record or joins relationships. */
export class PseudonymousAccessEntryDto extends OmitType(AccessEntryResponseDto, ['recordId', 'version', 'blindingSalt'] as const) {}

export class GrantedPatientDto {
  @ApiProperty({ description: "The patient's relationship with you (a pseudonymous handle: the same patient is another handle for anyone else)" })
  relationship!: string;

  @ApiProperty({ enum: ['active', 'expired', 'revoked', 'none'] })
  status!: 'active' | 'expired' | 'revoked' | 'none';

  @ApiProperty({ type: ConsentTermsDto })
  terms!: ConsentTermsDto;

  @ApiProperty({ type: [RecordResponseDto], description: 'The records the consent covers now (metadata; read each with its purpose)' })
  records!: RecordResponseDto[];
}
