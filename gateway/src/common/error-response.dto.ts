import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The body of every error the gateway returns. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable, machine-readable error code' })
  code!: string;

  @ApiProperty({ example: 'Request validation failed' })
  message!: string;

  @ApiProperty({ example: '5d0f4c1e-2a8b-4a53-9d43-6c1d2e7b8f90', description: 'Quote it when reporting a problem' })
  requestId!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  details?: Record<string, unknown>;
}
