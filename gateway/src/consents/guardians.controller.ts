import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { PseudonymPrincipal } from '../auth/principal';
import { AuthPseudonym } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ConsentMessageResponseDto, RelayQueryDto } from './consents.dto';
import { GuardianSetMessageDto, GuardiansDto, RecoveryVetoMessageDto } from './guardians.dto';
import { GuardiansService } from './guardians.service';

@ApiTags('consents')
@Controller({ path: 'guardians', version: '1' })
export class GuardiansController {
  constructor(private readonly guardians: GuardiansService) {}

  @Get()
  @ApiOperation({
    summary: "Your handle's guardians: in force, proposed, a recovery waiting, and the nonce to sign at",
    description: 'Signed in as the pseudonym they guard (your records at one hospital).',
  })
  @Authenticated({ permission: Permission.ConsentRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: GuardiansDto })
  list(@AuthPseudonym() pseudonym: PseudonymPrincipal): Promise<GuardiansDto> {
    return this.guardians.of(pseudonym.handle);
  }

  @Post()
  @ApiOperation({
    summary: 'Name guardians who may restore your key (relayed)',
    description:
      "The GuardianSet your software signed with the handle's consent key: k of these guardians can start a recovery if you lose your keys, which you can veto for its delay. The set takes effect GUARDIAN_CHANGE_DELAY (3 days) after it is applied, so whoever stole your key cannot replace your guardians at once.",
  })
  @Authenticated({ permission: Permission.ConsentWrite, principals: ['pseudonym'] })
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'GUARDIANS_NOT_YOURS: the message is about another handle' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: "CHAIN_WOULD_REVERT (with the contract's error: a signature by another key or at another nonce, a threshold out of range, a duplicate guardian)" })
  set(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Body() dto: GuardianSetMessageDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.guardians.set(pseudonym, dto, query.wait === 'applied');
  }

  @Post('recovery/veto')
  @ApiOperation({
    summary: 'Veto a recovery your guardians started (relayed)',
    description:
      "The RecoveryVeto your software signed with the handle's consent key, naming the waiting recovery (GET /v1/guardians: recovery). It counts before the recovery's executableAt (3 days after it started), unless every guardian signed it. Your key stays the one that signs for this handle, and a proposed guardian set whose delay is over comes into force.",
  })
  @Authenticated({ permission: Permission.ConsentWrite, principals: ['pseudonym'] })
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'GUARDIANS_NOT_YOURS: the veto is about another handle' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: "CHAIN_WOULD_REVERT (with the contract's error: no recovery waiting, another recovery named, too late, signed by every guardian, a signature by another key or at another nonce)",
  })
  veto(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Body() dto: RecoveryVetoMessageDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.guardians.veto(pseudonym, dto, query.wait === 'applied');
  }
}
