import { Body, Controller, Get, HttpStatus, Injectable, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ArrayMaxSize, IsInt, Max, Min } from 'class-validator';
import { utils } from 'web3';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { PseudonymPrincipal } from '../auth/principal';
import { AuthPseudonym } from '../auth/principal.decorator';
import { ChainClient } from '../chain/chain-client';
import { ConsentManager } from '../chain/consent-manager';
import { ApiError } from '../common/errors';
import { ErrorResponseDto } from '../common/error-response.dto';
import { IsBytes32, IsEthAddress, IsSignature } from '../common/validation';
import { ConsentMessageResponseDto, RelayQueryDto } from './consents.dto';
import { ConsentsService } from './consents.service';

/** PatientGuardians.MAX_GUARDIANS */
const MAX_GUARDIANS = 10;

export class GuardianSetMessageDto {
  @ApiProperty({ example: `0x${'3f'.repeat(32)}`, description: 'The handle they guard: the pseudonym you are signed in as' })
  @IsBytes32()
  handle!: string;

  @ApiProperty({ type: [String], example: ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'], description: "The guardians' addresses for this handle (each derives its own with deriveGuardianKey); none to remove them all" })
  @ArrayMaxSize(MAX_GUARDIANS)
  @IsEthAddress({ each: true })
  guardians!: string[];

  @ApiProperty({ example: 2, description: 'How many guardians must sign a recovery (0 with no guardians)' })
  @IsInt() @Min(0) @Max(MAX_GUARDIANS)
  threshold!: number;

  @ApiProperty({ example: 1, description: "The handle's registry nonce (GET /v1/guardians answers it)" })
  @IsInt() @Min(0) @Max(2 ** 48 - 1)
  nonce!: number;

  @ApiProperty({ example: 1796115600, description: 'Unix seconds: the last block time at which the chain accepts the signature' })
  @IsInt() @Min(0) @Max(2 ** 40 - 1)
  deadline!: number;

  @ApiProperty({ example: `0x${'5c'.repeat(65)}`, description: "EIP-712 GuardianSet signature by the handle's consent key" })
  @IsSignature()
  signature!: string;
}

class GuardianSetDto {
  @ApiProperty({ type: [String] })
  guardians!: string[];

  @ApiProperty()
  threshold!: number;
}

class ProposedGuardianSetDto extends GuardianSetDto {
  @ApiProperty({ description: 'When anyone may put it in force (applyGuardians on chain)' })
  effectiveAt!: Date;
}

export class GuardiansDto {
  @ApiProperty()
  handle!: string;

  @ApiProperty({ description: 'The nonce your next GuardianSet message is signed at' })
  nonce!: number;

  @ApiProperty({ type: GuardianSetDto })
  inForce!: GuardianSetDto;

  @ApiPropertyOptional({ type: ProposedGuardianSetDto, nullable: true })
  proposed!: ProposedGuardianSetDto | null;
}

/** A patient's guardians, per handle: what the chain holds, and a new set the patient signed, relayed. */
@Injectable()
export class GuardiansService {
  constructor(
    private readonly consents: ConsentsService,
    private readonly consentManager: ConsentManager,
    private readonly chain: ChainClient,
  ) {}

  async of(handle: string): Promise<GuardiansDto> {
    const contract = this.consentManager.contract;
    const call = (method: string) => this.chain.call(contract, method, [handle]);
    const [[guardians, threshold], [proposed, proposedThreshold, effectiveAt], [nonce]] = await Promise.all([call('guardiansOf'), call('proposedGuardiansOf'), call('patientNonces')]);
    return {
      handle,
      nonce: Number(nonce),
      inForce: { guardians: guardians as string[], threshold: Number(threshold) },
      proposed: Number(effectiveAt) === 0 ? null : { guardians: proposed as string[], threshold: Number(proposedThreshold), effectiveAt: new Date(Number(effectiveAt) * 1000) },
    };
  }

  set(principal: PseudonymPrincipal, dto: GuardianSetMessageDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    if (dto.handle.toLowerCase() !== principal.handle.toLowerCase()) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'GUARDIANS_NOT_YOURS', 'Name guardians for the handle you are signed in as');
    }
    return this.consents.relay({ type: 'GuardianSet', ...dto, handle: dto.handle.toLowerCase(), guardians: dto.guardians.map((g) => utils.toChecksumAddress(g)) }, wait, undefined, undefined, principal.handle);
  }
}

@ApiTags('consents')
@Controller({ path: 'guardians', version: '1' })
export class GuardiansController {
  constructor(private readonly guardians: GuardiansService) {}

  @Get()
  @ApiOperation({ summary: "Your handle's guardians: in force, proposed, and the nonce to sign a new set at", description: 'Signed in as the pseudonym they guard (your records at one hospital).' })
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
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: "CHAIN_WOULD_REVERT (with the contract's error: a signature by another key or at another nonce, a threshold out of range, a duplicate guardian)" })
  set(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Body() dto: GuardianSetMessageDto, @Query() query: RelayQueryDto): Promise<ConsentMessageResponseDto> {
    return this.guardians.set(pseudonym, dto, query.wait === 'applied');
  }
}
