import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { GENDERS, Gender } from '../identity/ekyc-provider';

const ENVELOPE_NOTE = 'Or the number encrypted to the gateway (enc1.<keyId>.<ciphertext>: RSA-OAEP-256 to GET /v1/identity/aadhaar-key, base64url), as the patient portal and CLI send it: 400 AADHAAR_ENVELOPE_INVALID, AADHAAR_KEY_UNKNOWN';
const AADHAAR_DESCRIPTION = '12-digit Aadhaar number or 16-digit VID; spaces or hyphens between groups are fine. Checked as UIDAI issues them (400 AADHAAR_FORMAT, AADHAAR_FIRST_DIGIT, AADHAAR_PALINDROME, AADHAAR_CHECKSUM), never stored in clear or shown again in full. ' + ENVELOPE_NOTE;

export class PatientRegistrationCreateDto {
  @ApiProperty({ description: AADHAAR_DESCRIPTION, example: '9999 0000 0012' })
  @IsString()
  @Length(1, 400)
  aadhaar!: string;

  @ApiProperty({ description: 'Name as on the Aadhaar record', example: 'Aarav Sharma' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ minimum: 1900, maximum: 2100, example: 1950 })
  @IsInt()
  @Min(1900)
  @Max(2100)
  yearOfBirth!: number;

  @ApiProperty({ enum: GENDERS, description: 'As on the Aadhaar record: F, M or T' })
  @IsIn(GENDERS)
  gender!: Gender;

  @ApiPropertyOptional({ format: 'date', example: '1950-04-12' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be YYYY-MM-DD' })
  birthDate?: string;

  @ApiPropertyOptional({ example: 'aarav@example.in' })
  @IsOptional()
  @IsEmail()
  @Length(3, 254)
  email?: string;

  @ApiPropertyOptional({ example: '12 MG Road, Bengaluru 560001' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  address?: string;
}

export class OneTimeCodeSentDto {
  @ApiProperty({ format: 'uuid', description: 'Send it back with the code' })
  id!: string;

  @ApiProperty({ description: 'When the code stops working' })
  expiresAt!: Date;

  @ApiPropertyOptional({ description: 'Registration only: the mobile number on the Aadhaar record the code went to, masked', example: '*********0012' })
  sentTo?: string;
}

export class OneTimeCodeDto {
  @ApiProperty({ example: '123456', description: 'The six digits sent by SMS' })
  @Matches(/^\d{6}$/, { message: 'code must be six digits' })
  code!: string;
}

export class PersonaSignInCodeCreateDto {
  @ApiProperty({ description: `Your 12-digit Aadhaar number. ${ENVELOPE_NOTE}`, example: '9999 0000 0012' })
  @IsString()
  @Length(1, 400)
  aadhaar!: string;
}

export class PersonaCodeConfirmDto extends OneTimeCodeDto {
  @ApiProperty({ format: 'uuid', description: 'The id POST /v1/auth/persona/codes answered', example: '6f1c2b9e-3d4a-4f5b-9c8d-7e6f5a4b3c2d' })
  @IsUUID()
  id!: string;
}

export class PersonaTokenDto {
  @ApiProperty({ format: 'uuid' })
  personaId!: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ description: "A token for the persona face: identity matters only (GET /v1/persona); records, consents and audit take the pseudonym's token" })
  accessToken!: string;

  @ApiProperty()
  expiresIn!: number;
}

export class PersonaKeysDto {
  @ApiProperty({ description: "The persona key's public half: RSA, 2048 bits or more, PEM (SPKI)", example: '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…\n-----END PUBLIC KEY-----\n' })
  @IsString()
  @Length(100, 4000)
  publicKey!: string;

  @ApiProperty({ description: 'Your pseudonym, encrypted by your software to that key with RSA-OAEP (SHA-256, MGF1-SHA-256), base64', example: 'kq3X…' })
  @IsString()
  @Length(16, 2000)
  encryptedPseudonym!: string;
}

export class EncryptedPseudonymDto {
  @ApiProperty({ description: 'Your pseudonym encrypted to your persona key (base64): decrypt it on your own device' })
  encryptedPseudonym!: string;
}

export class PersonaResponseDto {
  @ApiProperty({ format: 'uuid' })
  personaId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  yearOfBirth!: number;

  @ApiProperty({ enum: GENDERS })
  gender!: Gender;

  @ApiProperty({ nullable: true, type: String })
  birthDate!: string | null;

  @ApiProperty({ description: 'The mobile number on the Aadhaar record' })
  phone!: string;

  @ApiProperty({ nullable: true, type: String })
  email!: string | null;

  @ApiProperty({ nullable: true, type: String })
  address!: string | null;

  @ApiProperty({ example: 'XXXX XXXX 0012', description: 'Masked: the vault never gives the number back in a response' })
  aadhaar!: string;

  @ApiProperty()
  verifiedAt!: Date;

  @ApiProperty({ description: 'Whether your public key and encrypted pseudonym are with the gateway (PUT /v1/persona/keys)' })
  keysSet!: boolean;
}
