import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RECORD_CATEGORIES } from '../records/record-categories';

export class ResearchExportQueryDto {
  @ApiPropertyOptional({ minimum: 2, maximum: 1000, description: 'A k-anonymity floor above the gateway\'s (RESEARCH_K_ANONYMITY, 5 by default); never below it' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(1000)
  k?: number;
}

export class ResearchRowDto {
  @ApiProperty({ example: 'subject-7', description: 'Who the record is about, as an id of this export only (records of one patient share it)' })
  subject!: string;

  @ApiProperty({ example: '40-49', description: "Ten-year band of the patient's age this year, 90+, or unknown" })
  ageBand!: string;

  @ApiProperty({ example: 'female' })
  gender!: string;

  @ApiProperty({ example: 'Kerala', description: 'State (nothing below it is ever kept)' })
  region!: string;

  @ApiProperty({ enum: RECORD_CATEGORIES })
  category!: string;

  @ApiProperty({ example: 2026, description: 'Year of care' })
  year!: number;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The de-identified FHIR record, without its Patient resource, dates cut to the year' })
  resource!: object;
}

export class ResearchReportDto {
  @ApiProperty({ description: 'The floor applied: every released group holds records of at least k patients' })
  k!: number;

  @ApiProperty({ description: 'Patients with a research consent (DSRCH) in force whose records were considered' })
  subjects!: number;

  @ApiProperty()
  releasedRecords!: number;

  @ApiProperty({ description: 'Groups of equal (ageBand, gender, region)' })
  groups!: number;

  @ApiProperty()
  suppressedGroups!: number;

  @ApiProperty()
  suppressedSubjects!: number;

  @ApiProperty()
  suppressedRecords!: number;

  @ApiProperty({ description: 'Records left out because they are files (a file cannot be de-identified)' })
  skippedFiles!: number;
}

export class ResearchExportDto {
  @ApiProperty({ type: ResearchReportDto })
  report!: ResearchReportDto;

  @ApiProperty({ type: [ResearchRowDto] })
  rows!: ResearchRowDto[];
}
