import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AuditedBy } from '../audit/audit-context';
import type { AuditContext } from '../audit/security-audit';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { AuthAccount } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { PersonaCodeConfirmDto, PersonaResponseDto } from './persona.dto';
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

  @Post('erase')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Erase your persona: its data key is destroyed and your account closed',
    description: 'Takes a fresh one-time code (POST /v1/auth/persona/codes). Your identity becomes unreadable everywhere, backups included; the Aadhaar vault forgets your number. Cannot be undone.',
  })
  @Authenticated({ permission: Permission.PersonaErase })
  @ApiNoContentResponse({ description: 'Erased' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'CODE_INVALID, CODE_EXPIRED or CODE_USED; nothing changed' })
  erase(@AuthAccount() account: AccountPrincipal, @Body() dto: PersonaCodeConfirmDto, @AuditedBy() context: AuditContext): Promise<void> {
    return this.personas.erase(account.accountId, dto.id, dto.code, context);
  }
}
