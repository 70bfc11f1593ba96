import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiGatewayTimeoutResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authenticated, Public } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { PseudonymPrincipal } from '../auth/principal';
import { AuthPseudonym } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SignInRateLimit } from '../common/rate-limits';
import { ConsentMessageResponseDto, ConsentResponseDto, GrantMessageDto, RegistrationMessageDto, RelayQueryDto, RevocationMessageDto } from './consents.dto';
import { ConsentsService } from './consents.service';

const REFUSED = {
  type: ErrorResponseDto,
  description: 'The chain would refuse the message (CHAIN_WOULD_REVERT, with the contract\'s error: a signature by another key, a used nonce, an expired or too distant deadline, a registered handle, terms out of range); nothing was queued',
};
const PENDING = { type: ErrorResponseDto, description: 'With wait=applied: queued but not mined within 30 s (MESSAGE_PENDING); poll the message' };

/**
 * What patients sign, relayed (DESIGN trust model 5): relationships' registrations, grants and
 * revocations. The gateway checks each by simulating it and queues it for the chain; it never
 * writes a consent of its own.
 */
@ApiTags('consents')
@Controller({ version: '1' })
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Post('relationships')
  @ApiOperation({
    summary: "Register a relationship's handle on chain (relayed)",
    description:
      "The patient's software derives a handle and consent key per hospital or practitioner and signs its registration (ConsentManager `Registration`); once applied, the patient can sign in as that pseudonym. Open to anyone: the signature by the key the handle commits to is the authority, and nothing here names a person.",
  })
  @Public("A registration is authorised by its own signature; signing in needs it first")
  @SignInRateLimit()
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A malformed field (VALIDATION_FAILED)' })
  @ApiUnprocessableEntityResponse(REFUSED)
  @ApiGatewayTimeoutResponse(PENDING)
  register(@Body() dto: RegistrationMessageDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.consents.register(dto, query.wait === 'applied');
  }

  @Post('consents')
  @ApiOperation({
    summary: 'Grant a consent you signed (relayed)',
    description:
      "Sign in as the pseudonym whose records you share (your relationship with the hospital that filed them), and send the grant your software signed with the key of your relationship with the grantee: `RelationshipGrant` opens it (registration and first consent in one message), `ConsentGrant` replaces the consent on a relationship already open. The grantee may then read the records filed under your pseudonym that the terms cover (category, purpose, date range, expiry, optionally named records), each read logged on chain. Share records filed at several hospitals by sending the grant once signed in as each; a grant already applied answers CHAIN_WOULD_REVERT for the second, so send `ConsentGrant` at the current nonce.",
  })
  @Authenticated({ permission: Permission.ConsentWrite, principals: ['pseudonym'] })
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A malformed field (VALIDATION_FAILED)' })
  @ApiUnprocessableEntityResponse({ ...REFUSED, description: `${REFUSED.description}; or RECORDS_ROOT_MISMATCH, RECORD_IDS_REQUIRED, RECORDS_ROOT_MISSING, RECORDS_NOT_FOUND for a consent naming records` })
  @ApiGatewayTimeoutResponse(PENDING)
  grant(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Body() dto: GrantMessageDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.consents.grant(pseudonym, dto, query.wait === 'applied');
  }

  @Post('consents/revocations')
  @ApiOperation({
    summary: 'Revoke a consent (relayed)',
    description:
      "The revocation your software signed at the pair's current nonce. Reads are refused from the block that includes it; it also cancels any grant signed at that nonce and not applied yet. Any consortium member can relay the same message if this gateway does not.",
  })
  @Authenticated({ permission: Permission.ConsentWrite, principals: ['pseudonym'] })
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A malformed field (VALIDATION_FAILED)' })
  @ApiUnprocessableEntityResponse(REFUSED)
  @ApiGatewayTimeoutResponse(PENDING)
  revoke(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Body() dto: RevocationMessageDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.consents.revoke(pseudonym, dto, query.wait === 'applied');
  }

  @Get('consents')
  @ApiOperation({
    summary: 'The consents that cover your records',
    description: "Signed in as the pseudonym your records are filed under: each relationship you granted from it. Signed in as a grantee's relationship: its own consent. Each as the chain says it now, with the nonce to sign your next grant or revocation at.",
  })
  @Authenticated({ permission: Permission.ConsentRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: [ConsentResponseDto] })
  list(@AuthPseudonym() pseudonym: PseudonymPrincipal): Promise<ConsentResponseDto[]> {
    return this.consents.list(pseudonym);
  }

  @Delete('consents/messages/:id')
  @ApiOperation({
    summary: 'Withdraw a message you sent, before it is sent to the chain',
    description:
      "While a grant or revocation you sent waits in the gateway's queue (the chain down, say), withdraw it: it never reaches the chain. Once sent, cancel a grant that is not mined yet with a revocation at the same nonce, through this gateway or any consortium member.",
  })
  @Authenticated({ permission: Permission.ConsentWrite, principals: ['pseudonym'] })
  @ApiOkResponse({ type: ConsentMessageResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'MESSAGE_NOT_FOUND (none you sent)' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'MESSAGE_ALREADY_SENT' })
  withdraw(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<ConsentMessageResponseDto> {
    return this.consents.withdraw(pseudonym, id);
  }

  @Get('consents/messages/:id')
  @ApiOperation({ summary: 'Where a relayed message stands', description: 'pending, applied (with its transaction and block) or failed (with the reason).' })
  @Public('A random message id is all it takes; the answer names no handle, grantee or person')
  @ApiOkResponse({ type: ConsentMessageResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'MESSAGE_NOT_FOUND' })
  message(@Param('id', ParseUUIDPipe) id: string): Promise<ConsentMessageResponseDto> {
    return this.consents.message(id);
  }
}
