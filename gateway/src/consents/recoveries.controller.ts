import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiGatewayTimeoutResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Public } from '../auth/authenticated.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SignInRateLimit } from '../common/rate-limits';
import { ConsentMessageResponseDto, RelayQueryDto } from './consents.dto';
import { RecoveryCompletionDto, RecoveryHandleDto, RecoveryStartDto, RecoveryStateDto } from './recoveries.dto';
import { RecoveriesService } from './recoveries.service';

const PENDING = { type: ErrorResponseDto, description: 'With wait=applied: queued but not mined within 30 s (MESSAGE_PENDING); poll GET /v1/consents/messages/{id}' };

/**
 * A patient who lost their keys gets their records back through their guardians: open routes,
 * authorised by the guardians' signatures and the chain's delay (DESIGN trust model 5).
 */
@ApiTags('consents')
@Controller({ path: 'recoveries', version: '1' })
export class RecoveriesController {
  constructor(private readonly recoveries: RecoveriesService) {}

  @Get(':handle')
  @ApiOperation({
    summary: "A handle's guardians, the nonce their next recovery is signed at, and the recovery waiting",
    description: 'What a guardian needs to sign a recovery (RecoveryStart), and what the new device watches. All of it is public on chain.',
  })
  @ApiParam({ name: 'handle', description: 'The guardian code (0x + 64 hex digits)' })
  @Public('Chain state a guardian needs before signing; the patient who lost their keys cannot sign in')
  @ApiOkResponse({ type: RecoveryStateDto })
  state(@Param() params: RecoveryHandleDto): Promise<RecoveryStateDto> {
    return this.recoveries.of(params.handle.toLowerCase());
  }

  @Post()
  @ApiOperation({
    summary: 'Start a recovery with the guardians\' signatures (relayed)',
    description:
      "At least the threshold of the handle's guardians in force, each with a Recovery signature (handle, newSigner, nonce, deadline) by the key they derived for this handle. The recovery then waits RECOVERY_DELAY (3 days), during which the patient's old key can veto it, unless every guardian signed. Open to anyone: the signatures are the authority.",
  })
  @Public("A recovery is authorised by its guardians' signatures; the patient who lost their keys cannot sign in")
  @SignInRateLimit()
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: "CHAIN_WOULD_REVERT (with the contract's error: fewer signatures than the threshold, a signature by someone not a guardian or over other fields, the same guardian twice, a recovery already waiting, an expired deadline); NONCE_NOT_CURRENT; nothing was queued",
  })
  @ApiGatewayTimeoutResponse(PENDING)
  start(@Body() dto: RecoveryStartDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.recoveries.start(dto, query.wait === 'applied');
  }

  @Post('completion')
  @ApiOperation({
    summary: 'Complete the recovery waiting on a handle, once its delay is over (relayed)',
    description: "The new signer then signs for the handle, in a new signer epoch: consents granted under the old key are no longer in force, and the old key signs nothing more. Open to anyone, as on chain.",
  })
  @Public('Anyone may complete a recovery whose delay is over, as on chain')
  @SignInRateLimit()
  @ApiCreatedResponse({ type: ConsentMessageResponseDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: "RECOVERY_NOT_WAITING; CHAIN_WOULD_REVERT (PatientRegistryRecoveryNotDue before its delay is over); nothing was queued" })
  @ApiGatewayTimeoutResponse(PENDING)
  complete(@Body() dto: RecoveryCompletionDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.recoveries.complete(dto, query.wait === 'applied');
  }
}
