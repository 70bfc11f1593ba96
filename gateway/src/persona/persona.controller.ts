import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { AuthAccount } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { EncryptedPseudonymDto, PersonaCodeConfirmDto, PersonaKeysDto, PersonaResponseDto } from './persona.dto';
import { PersonaService } from './persona.service';

/** The patient's persona face: who they are, readable and erasable by them alone. */
@ApiTags('patients')
@Controller({ path: 'persona', version: '1' })
export class PersonaController {
  constructor(private readonly personas: PersonaService) {}

  @Get()
  @ApiOperation({ summary: 'Your persona: the identity you registered with', description: 'Opened with your persona\'s own data key; the Aadhaar number shows masked.' })
  @Authenticated({ permission: Permission.PersonaRead })
  @ApiOkResponse({ type: PersonaResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'PERSONA_NOT_FOUND' })
  get(@AuthAccount() account: AccountPrincipal): Promise<PersonaResponseDto> {
    return this.personas.profile(account.accountId);
  }

  @Put('keys')
  @HttpCode(204)
  @ApiOperation({
    summary: "Hand over your persona key's public half and your pseudonym encrypted to it",
    description: 'Made by your own software (`npx ehrchain`, the patient portal): the gateway never sees your pseudonym in clear. Once only.',
  })
  @Authenticated({ permission: Permission.PersonaKeysSet })
  @ApiNoContentResponse({ description: 'Kept' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'Not an RSA key of 2048 bits or more (PUBLIC_KEY_INVALID), or not one OAEP block of it (ENCRYPTED_PSEUDONYM_INVALID)' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Set already (PERSONA_KEYS_SET)' })
  setKeys(@AuthAccount() account: AccountPrincipal, @Body() dto: PersonaKeysDto): Promise<void> {
    return this.personas.setKeys(account.accountId, dto);
  }

  @Get('pseudonym')
  @ApiOperation({ summary: 'Your pseudonym, encrypted to your persona key', description: 'Decrypt it on your own device (`npx ehrchain pseudonym`).' })
  @Authenticated({ permission: Permission.PersonaRead })
  @ApiOkResponse({ type: EncryptedPseudonymDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'PERSONA_NOT_FOUND, PSEUDONYM_NOT_SET' })
  pseudonym(@AuthAccount() account: AccountPrincipal): Promise<EncryptedPseudonymDto> {
    return this.personas.encryptedPseudonym(account.accountId);
  }

  @Post('erase')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Erase your persona: its data key is destroyed and your account closed',
    description: 'Takes a fresh one-time code (POST /v1/auth/persona/codes). Your identity becomes unreadable everywhere, backups included; the Aadhaar vault forgets your number. Cannot be undone.',
  })
  @Authenticated({ permission: Permission.PersonaErase })
  @ApiNoContentResponse({ description: 'Erased' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'CODE_INVALID: wrong, expired, used, superseded or out of tries (one answer for all, so it never tells whether a code was sent); nothing changed' })
  erase(@AuthAccount() account: AccountPrincipal, @Body() dto: PersonaCodeConfirmDto, @AuditedBy() context: AuditContext): Promise<void> {
    return this.personas.erase(account.accountId, dto.id, dto.code, context);
  }
}
