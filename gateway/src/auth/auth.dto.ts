import { ApiProperty } from '@nestjs/swagger';
import { IsEnum, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { Role } from './permissions';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, 200)
  password!: string;
}

export class TokenResponseDto {
  @ApiProperty()
  accessToken!: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires', example: 3600 })
  expiresIn!: number;
}

export class AccountCreateDto {
  @ApiProperty({ enum: Role })
  @IsEnum(Role)
  role!: Role;

  @ApiProperty({ example: 'dr.meera', description: 'Lower-case letters, digits, dot, dash, underscore' })
  @Matches(/^[a-z0-9._-]{3,64}$/, { message: 'username must be 3-64 of a-z 0-9 . _ -' })
  username!: string;

  @ApiProperty({ minLength: 12, description: 'Required for people; hospital systems use API keys instead' })
  @IsString()
  @MinLength(12)
  @MaxLength(200)
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
  @ApiProperty({ example: 'AIIMS HIS production' })
  @IsString()
  @Length(1, 100)
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
