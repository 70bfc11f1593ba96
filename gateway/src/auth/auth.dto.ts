import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { PASSWORD_MAX_LENGTH, USERNAME_MAX_LENGTH } from '../common/validation';

export class LoginDto {
  // Only bounded here, not pattern-checked: a sign-in must not tell which usernames are well formed.
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, USERNAME_MAX_LENGTH)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
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

export class PasswordChangeDto {
  @ApiProperty({ description: 'Your password now', example: 'my old passphrase' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @ApiProperty({
    description: 'At least 12 characters besides spaces; not a commonly used password, a repeated or sequential pattern, your username or the service name (NIST SP 800-63B)',
    example: 'a new and unusual passphrase',
  })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  newPassword!: string;
}
