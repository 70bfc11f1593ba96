import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AnchorStatus } from './blob.entity';

export class BlobResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', description: 'IPFS CIDv1' })
  cid!: string;

  @ApiProperty({ description: 'SHA-512 of the stored bytes, hex', example: 'cf83e1357eefb8bd…' })
  sha512!: string;

  @ApiProperty()
  sizeBytes!: number;

  @ApiProperty({ enum: ['pending', 'anchored', 'failed'] })
  anchorStatus!: AnchorStatus;

  @ApiPropertyOptional({ nullable: true, description: 'The batch (bytes32, also its id on chain) whose Merkle root anchors the digest' })
  anchorBatchId!: string | null;

  @ApiPropertyOptional({ nullable: true })
  anchorTxHash!: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'Block that holds the anchor' })
  anchoredBlock!: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'Why anchoring failed, when anchorStatus is failed' })
  anchorError!: string | null;

  @ApiProperty()
  createdAt!: Date;
}
