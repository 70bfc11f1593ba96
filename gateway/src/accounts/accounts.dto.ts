import { ApiProperty } from '@nestjs/swagger';
import { IsEnum } from 'class-validator';
import { Role } from '../auth/permissions';
import { IsNewPassword } from '../auth/password-policy';
import { IsLabel, IsUsername, LABEL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../common/validation';

export class AccountCreateDto {
  @ApiProperty({ enum: Role })
  @IsEnum(Role)
  role!: Role;

  @ApiProperty({ example: 'dr.meera', description: 'Lower-case letters, digits, dot, dash, underscore' })
  @IsUsername()
  username!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, description: 'At least 12 characters besides spaces; not a commonly used password, a repeated or sequential pattern, the username or the service name (NIST SP 800-63B). Required for people; hospital systems use API keys instead' })
  @IsNewPassword()
  password!: string;
}

export class AccountResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: Role })
  role!: Role;

  @ApiProperty()
  username!: string;

  @ApiProperty()
  createdAt!: Date;
}

export class ApiKeyCreateDto {
  @ApiProperty({ example: 'AIIMS HIS production', maxLength: LABEL_MAX_LENGTH })
  @IsLabel()
  label!: string;
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  label!: string;

  @ApiProperty({ description: 'Shown once; only its hash is kept. Send it as the X-API-Key header.' })
  key!: string;
}
