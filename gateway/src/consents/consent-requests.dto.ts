import { ApiProperty, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min, ValidateNested } from 'class-validator';
import { SignedRequestResponseDto } from '../common/signed-request.dto';
import { CONSENT_REQUEST_STATUSES, ConsentRequestStatus } from '../chain/consent-manager';
import { IsBytes32, IsSignature } from '../common/validation';
import { ConsentTermsDto, GrantProofDto } from './consents.dto';

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

export class ConsentApprovalDto extends GrantProofDto {
  @ApiProperty({
    type: ConsentTermsDto,
    example: { categories: 1, purposes: 1, fromDate: 0, toDate: 1798675200, expiry: 1798761600, recordsRoot: `0x${'00'.repeat(32)}` },
    description: 'What you grant: what was asked, or less',
  })
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
}

export class ConsentDenialDto extends OmitType(ConsentApprovalDto, ['terms', 'recordIds', 'recordsSalt', 'link'] as const) {}

export class ConsentRequestResponseDto extends SignedRequestResponseDto {
  @ApiProperty({ description: "The patient's relationship with the doctor" })
  patient!: string;

  @ApiProperty({ type: RequestedTermsDto })
  terms!: RequestedTermsDto;

  @ApiProperty({ enum: CONSENT_REQUEST_STATUSES, description: "On chain now: requested (waiting for the patient), granted, denied, revoked, expired; 'none' before it is there" })
  status!: ConsentRequestStatus;
}

export class ConsentRequestDraftResponseDto {
  @ApiProperty({ type: ConsentRequestResponseDto })
  request!: ConsentRequestResponseDto;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'EIP-712 typed data (ConsentManager ConsentRequest) to sign with your practitioner key' })
  typedData!: object;
}
