import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { CONSENT_REQUEST_STATUSES, ConsentRequestStatus } from '../chain/consent-manager';
import { IsBytes32, IsSignature } from '../common/validation';
import { ConsentTermsDto } from './consents.dto';

const UINT40_MAX = 2 ** 40 - 1;

/** What a doctor asks for: a consent's terms, without a records root (the patient may narrow it). */
export class RequestedTermsDto extends OmitType(ConsentTermsDto, ['recordsRoot'] as const) {}

export class ConsentRequestDraftDto {
  @ApiProperty({ example: `0x${'3f'.repeat(32)}`, description: "The patient's relationship with you: the handle their software registered and gave you" })
  @IsBytes32()
  patient!: string;

  @ApiProperty({ type: RequestedTermsDto })
  @ValidateNested()
  @Type(() => RequestedTermsDto)
  terms!: RequestedTermsDto;
}

export class DoctorSignatureDto {
  @ApiProperty({ example: `0x${'5c'.repeat(65)}`, description: 'Your EIP-712 signature of the typedData the draft answered, with your practitioner key' })
  @IsSignature()
  signature!: string;
}

export class RequestSubmitQueryDto {
  @ApiPropertyOptional({ enum: ['requested'], description: 'Wait (up to 30 s) until the request is on chain' })
  @IsOptional()
  @IsIn(['requested'])
  wait?: 'requested';
}

export class ConsentApprovalDto {
  @ApiProperty({ type: ConsentTermsDto, description: 'What you grant: what was asked, or less' })
  @ValidateNested()
  @Type(() => ConsentTermsDto)
  terms!: ConsentTermsDto;

  @ApiProperty({ example: 0, description: "The pair's nonce the message was signed at (GET /v1/consents, signed in as the relationship)" })
  @IsInt() @Min(0) @Max(2 ** 48 - 1)
  nonce!: number;

  @ApiProperty({ example: 1796115600, description: 'Unix seconds: the last block time at which the chain accepts the signature' })
  @IsInt() @Min(0) @Max(UINT40_MAX)
  deadline!: number;

  @ApiProperty({ example: `0x${'5c'.repeat(65)}`, description: "EIP-712 ConsentApproval signed with the relationship's consent key" })
  @IsSignature()
  signature!: string;

  @ApiPropertyOptional({ type: [String], example: ['0b6f3c1e-8a4d-4f6e-9a51-2f3c4d5e6f70'], description: 'With a records root: the ids of the records it names' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  recordIds?: string[];
}

export class ConsentDenialDto extends OmitType(ConsentApprovalDto, ['terms', 'recordIds'] as const) {}

export class ConsentRequestResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: "The patient's relationship with the doctor" })
  patient!: string;

  @ApiProperty()
  doctor!: string;

  @ApiProperty({ description: "The doctor's account name at this gateway" })
  doctorName!: string;

  @ApiProperty({ type: RequestedTermsDto })
  terms!: RequestedTermsDto;

  @ApiProperty({ enum: ['draft', 'queued', 'requested', 'failed'] })
  state!: string;

  @ApiPropertyOptional({ nullable: true, description: "ConsentManager's request id (what an approval or denial names)" })
  requestId!: number | null;

  @ApiProperty({ enum: CONSENT_REQUEST_STATUSES, description: "On chain now: requested (waiting for the patient), granted, denied, revoked, expired; 'none' before it is there" })
  status!: ConsentRequestStatus;

  @ApiPropertyOptional({ nullable: true })
  txHash!: string | null;

  @ApiPropertyOptional({ nullable: true })
  error!: string | null;

  @ApiProperty()
  createdAt!: Date;
}

export class ConsentRequestDraftResponseDto {
  @ApiProperty({ type: ConsentRequestResponseDto })
  request!: ConsentRequestResponseDto;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'EIP-712 typed data (ConsentManager ConsentRequest) to sign with your practitioner key' })
  typedData!: object;
}
