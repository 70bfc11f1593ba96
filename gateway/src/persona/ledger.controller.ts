import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/authenticated.decorator';
import { ChainRuntime } from '../chain/chain.module';
import { ConsentManager } from '../chain/consent-manager';

export class LedgerScopeDto {
  @ApiProperty({ example: 202611, description: 'The chain id of every EIP-712 domain' })
  chainId!: number;

  @ApiProperty({ example: '0x5FbDB2315678afecb367f032d93F642f64180aa3', description: 'ConsentManager (also the patient registry): the verifying contract of consents and filing tokens' })
  consentManager!: string;
}

/** What a patient's software needs to derive its handles and keys for this consortium (LedgerScope in the SDK). */
@ApiTags('patients')
@Controller({ path: 'ledger', version: '1' })
export class LedgerController {
  constructor(
    private readonly chain: ChainRuntime,
    private readonly consentManager: ConsentManager,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The ledger scope patient software derives its keys in',
    description: 'Chain id and ConsentManager address: a relationship handle, its consent key and a filing token are bound to them, so keys never repeat across deployments.',
  })
  @Public('Public facts of the consortium chain, needed before any sign-in')
  @ApiOkResponse({ type: LedgerScopeDto })
  scope(): LedgerScopeDto {
    return { chainId: this.chain.chainId, consentManager: this.consentManager.address };
  }
}
