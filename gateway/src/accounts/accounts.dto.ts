import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsEthereumAddress, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
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

  @ApiPropertyOptional({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description:
      'Required for people, refused for hospital systems (they sign in with API keys only). At least 12 characters besides spaces; not a commonly used password, a repeated or sequential pattern, the username or the service name (NIST SP 800-63B)',
    example: 'a long and unusual passphrase',
  })
  @IsOptional()
  @IsNewPassword()
  password?: string;

  @ApiPropertyOptional({
    description:
      "The person's 12-digit Aadhaar number (spaces or hyphens between groups are fine): required for doctors, pharmacists and hospitals (the officer responsible for the system), optional for administrators and researchers. Kept only in the Aadhaar vault; never shown again except as XXXX XXXX 1234. A VID is refused: it is temporary and may not be kept",
    example: '9999 0000 0012',
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  aadhaar?: string;

  @ApiPropertyOptional({
    description:
      "Hospital systems: the hospital's address in the consortium registry (the one its k-of-n admission named); patients' filing tokens name it, so without it the hospital cannot file records. Doctors and pharmacists: the address their hospital registered them under on chain (ConsortiumRegistry.registerPractitioner); patients' consents name it, so without it they read nothing under consent",
    example: '0x5B38Da6a701c568545dCfcB03FcB875f56beddC4',
  })
  @IsOptional()
  @IsEthereumAddress()
  chainAddress?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: '0b6f3c1e-8a4d-4f6e-9a51-2f3c4d5e6f70',
    description: "Doctors, pharmacists and researchers only: the hospital system account they work at (a researcher's institution, which patients grant research consents to). A doctor files records for that hospital, with the filing tokens patients gave it",
  })
  @IsOptional()
  @IsUUID()
  hospitalId?: string;

  @ApiPropertyOptional({ description: "Creating an administrator only: the acting administrator's own password, asked again", example: 'my own passphrase' })
  @IsOptional()
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  currentPassword?: string;
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

  @ApiProperty({ nullable: true, type: Date, description: 'Set while the account is disabled: its tokens, keys and password do not work' })
  disabledAt!: Date | null;

  @ApiPropertyOptional({ nullable: true, description: "A hospital system's consortium address" })
  chainAddress!: string | null;

  @ApiPropertyOptional({ nullable: true, format: 'uuid', description: "A doctor's or pharmacist's hospital account" })
  hospitalId!: string | null;
}

export const ACCOUNTS_PAGE_MAX = 100;

export class AccountSearchDto {
  @ApiPropertyOptional({ enum: Role })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ description: 'Usernames starting with this', example: 'dr.' })
  @IsOptional()
  @Matches(/^[a-z0-9._-]{1,64}$/, { message: 'q must be 1-64 of a-z 0-9 . _ -' })
  q?: string;

  @ApiPropertyOptional({ enum: ['active', 'disabled'] })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';

  @ApiPropertyOptional({ description: "The previous page's `next`: usernames after it" })
  @IsOptional()
  @Matches(/^[a-z0-9._-]{1,64}$/, { message: 'after must be a username' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: ACCOUNTS_PAGE_MAX, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ACCOUNTS_PAGE_MAX)
  limit?: number;
}

export class AccountPageDto {
  @ApiProperty({ type: [AccountResponseDto] })
  accounts!: AccountResponseDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `after` for the next page; null on the last' })
  next!: string | null;
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

export class ApiKeySummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  label!: string;

  @ApiProperty({ description: 'The public part of the key (`ehr_<prefix>_…`), to tell keys apart', example: 'k3x9p0q2m7aa' })
  prefix!: string;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty({ nullable: true, type: Date, description: 'When the key last authenticated a request (to the minute)' })
  lastUsedAt!: Date | null;

  @ApiProperty({ nullable: true, type: Date, description: 'When a rotated-out key stops working' })
  expiresAt!: Date | null;

  @ApiProperty({ nullable: true, type: Date })
  revokedAt!: Date | null;
}

export const MAX_ROTATION_OVERLAP_HOURS = 168;

export class ApiKeyRotateDto {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_ROTATION_OVERLAP_HOURS, default: 24, description: 'Hours the old key keeps working, for the hospital to switch' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_OVERLAP_HOURS)
  overlapHours?: number;
}

export class ApiKeyRotatedDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'When the old key stops working' })
  previousKeyExpiresAt!: Date;
}

export class PasswordResetDto {
  @ApiPropertyOptional({ description: "Resetting an administrator's password only: your own password, asked again", example: 'my own passphrase' })
  @IsOptional()
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  currentPassword?: string;
}

export class PasswordResetResponseDto {
  @ApiProperty({ description: 'The new password, shown once: hand it to the person, who should change it (POST /v1/auth/password)' })
  password!: string;
}
