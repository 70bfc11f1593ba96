import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsSignature } from './validation';

/** What a request a doctor signed looks like at the gateway: who asked, and where it stands. */
export class SignedRequestResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: "The doctor's chain address" })
  doctor!: string;

  @ApiProperty({ description: "The doctor's account name at this gateway" })
  doctorName!: string;

  @ApiProperty({ enum: ['draft', 'queued', 'requested', 'failed'], description: 'At this gateway: draft (to sign), queued, requested (on chain), failed' })
  state!: string;

  @ApiPropertyOptional({ nullable: true, description: "The contract's request id once it is on chain" })
  requestId!: number | null;

  @ApiPropertyOptional({ nullable: true })
  txHash!: string | null;

  @ApiPropertyOptional({ nullable: true })
  error!: string | null;

  @ApiProperty()
  createdAt!: Date;
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
