import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { RECORD_CATEGORIES, RecordCategory } from './record-categories';

export class RecordUploadQueryDto {
  @ApiProperty({ enum: RECORD_CATEGORIES, description: 'ABDM Health Information type: what consents are given for' })
  @IsIn(RECORD_CATEGORIES)
  category!: RecordCategory;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description: "The day the care happened (what a consent's date range is checked against). Taken from the resource when omitted (effective, occurrence, period start, authoredOn, onset, date; a Bundle's Composition first)",
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'clinicalDate must be YYYY-MM-DD' })
  clinicalDate?: string;

  @ApiPropertyOptional({ enum: ['anchored'], description: 'Wait (up to 30 s) until the version is anchored on chain' })
  @IsOptional()
  @IsIn(['anchored'])
  wait?: 'anchored';
}

/** A correction's query: as a filing's, every field optional (the category, and the day of care when the resource gives none, are the current version's). */
export class RecordCorrectionQueryDto extends PartialType(RecordUploadQueryDto) {}

export class RecordListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class RecordAnchorDto {
  @ApiProperty({ enum: ['pending', 'anchored', 'failed'] })
  status!: 'pending' | 'anchored' | 'failed';

  @ApiPropertyOptional({ nullable: true, description: 'The batch id (bytes32) whose Merkle root on chain holds this version' })
  batchId!: string | null;

  @ApiPropertyOptional({ nullable: true, type: [String], description: 'Sibling hashes from the version\'s leaf up to the root: RecordAnchors.verifyRecord(anchorer, batchId, version, proof) checks them' })
  proof!: string[] | null;

  @ApiPropertyOptional({ nullable: true })
  txHash!: string | null;

  @ApiPropertyOptional({ nullable: true })
  block!: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'Why anchoring failed' })
  error!: string | null;

  @ApiProperty({ description: 'The version as RecordAnchors.RecordVersion (the leaf), for checking the proof anywhere' })
  version!: { recordId: string; patientHandle: string; cidHash: string; sha512Digest: string; category: number; previousVersion: string; tombstone: boolean; author: string };

  @ApiProperty({ description: "The version's leaf hash (what the next version's previousVersion holds)" })
  leaf!: string;
}

export class RecordResponseDto {
  @ApiProperty({ format: 'uuid' })
  recordId!: string;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ enum: RECORD_CATEGORIES })
  category!: RecordCategory;

  @ApiProperty({ example: '2026-11-30' })
  clinicalDate!: string;

  @ApiProperty({ example: 'application/fhir+json' })
  contentType!: string;

  @ApiProperty({ enum: ['current', 'superseded', 'erased'] })
  status!: 'current' | 'superseded' | 'erased';

  @ApiPropertyOptional({ nullable: true, description: 'IPFS CIDv1 of the ciphertext' })
  cid!: string | null;

  @ApiProperty({ description: 'Salted SHA-512 of the canonical plaintext, hex' })
  sha512!: string;

  @ApiProperty({ description: 'Ciphertext size in bytes' })
  sizeBytes!: number;

  @ApiProperty({ description: "The hospital's chain address the version is anchored for" })
  author!: string;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty({ type: RecordAnchorDto })
  anchor!: RecordAnchorDto;
}

export class RecordListDto {
  @ApiProperty({ type: [RecordResponseDto] })
  records!: RecordResponseDto[];
}

export class RecordContentDto {
  @ApiProperty({ type: RecordResponseDto })
  record!: RecordResponseDto;

  @ApiProperty({ description: 'The de-identified FHIR resource or Bundle, as stored', type: 'object', additionalProperties: true })
  resource!: Record<string, unknown>;
}
