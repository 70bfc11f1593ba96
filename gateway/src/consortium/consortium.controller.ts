import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import type { AccountPrincipal } from '../auth/principal';
import { AuthAccount } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { AuthorityDecisions } from './authority-decisions';
import { DecisionAppliedDto, DecisionDraftDto, ProposalDraftDto, ProposalDto, SignedDecisionDto, UnsignedCallDto } from './consortium.dto';
import { OpenProposals } from './proposals';

const NOT_YOURS = { type: ErrorResponseDto, description: 'The key is not an authority of the consortium (NOT_AN_AUTHORITY), or not the one your account names (SIGNER_NOT_YOURS)' };
const REFUSED = { type: ErrorResponseDto, description: "The chain would refuse it (CHAIN_WOULD_REVERT, with the contract's error: approved already, expired, executed)" };

/** The consortium authorities' desk (issue 15, point 4): open proposals, and their decisions relayed. */
@ApiTags('consortium')
@Controller({ path: 'consortium', version: '1' })
export class ConsortiumController {
  constructor(
    private readonly proposals: OpenProposals,
    private readonly decisions: AuthorityDecisions,
  ) {}

  @Get('proposals')
  @ApiOperation({ summary: 'Proposals awaiting approval (admission, suspension, reinstatement of hospitals)', description: 'Open proposals of ConsortiumRegistry, newest first: neither executed, cancelled nor expired.' })
  @Authenticated({ permission: Permission.ConsortiumDecide })
  @ApiOkResponse({ type: [ProposalDto] })
  list(): Promise<ProposalDto[]> {
    return this.proposals.list();
  }

  @Post('decisions/drafts')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A decision to sign: step 1, the transaction fields',
    description: 'Approve a proposal, or approve or deny an emergency request, as the authority `from`. Checked against the chain first. Sign the answer with your key (a legacy EIP-155 transaction, gas price 0) and send it to POST /v1/consortium/decisions. The gateway never holds an authority key.',
  })
  @Authenticated({ permission: Permission.ConsortiumDecide })
  @ApiOkResponse({ type: UnsignedCallDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'DECISION_NOT_AVAILABLE (a proposal is only approved)' })
  @ApiForbiddenResponse(NOT_YOURS)
  @ApiUnprocessableEntityResponse(REFUSED)
  draft(@AuthAccount() account: AccountPrincipal, @Body() dto: DecisionDraftDto): Promise<UnsignedCallDto> {
    return this.decisions.draft(account, dto.target, dto.id, dto.decision, dto.from);
  }

  @Post('proposals/drafts')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A proposal to sign: step 1, the transaction fields',
    description:
      'Propose to admit, suspend or reinstate a hospital, as the authority `from`; your approval counts, and k authorities in all decide (the others approve it here). Checked against the chain first. Sign the answer with your key and send it to POST /v1/consortium/decisions.',
  })
  @Authenticated({ permission: Permission.ConsortiumDecide })
  @ApiOkResponse({ type: UnsignedCallDto })
  @ApiForbiddenResponse(NOT_YOURS)
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: "CHAIN_WOULD_REVERT (with the contract's error: admitted already, not admitted, not suspended, an authority or a practitioner's key)" })
  draftProposal(@AuthAccount() account: AccountPrincipal, @Body() dto: ProposalDraftDto): Promise<UnsignedCallDto> {
    return this.decisions.draftProposal(account, dto.action, dto.hospital, dto.dataHash, dto.from);
  }

  @Post('decisions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A decision or proposal, signed: step 2, relayed to the chain',
    description: 'Only an approval or denial of a proposal or emergency request, or a proposal about a hospital, signed by your authority key, is forwarded; the answer comes once it is in a block (for a proposal: its id).',
  })
  @Authenticated({ permission: Permission.ConsortiumDecide })
  @ApiOkResponse({ type: DecisionAppliedDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'TRANSACTION_MALFORMED, TRANSACTION_WRONG_CHAIN' })
  @ApiForbiddenResponse(NOT_YOURS)
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'TRANSACTION_NOT_A_DECISION (any other call, or value attached), CHAIN_WOULD_REVERT, CHAIN_REVERTED' })
  decide(@AuthAccount() account: AccountPrincipal, @Body() dto: SignedDecisionDto): Promise<DecisionAppliedDto> {
    return this.decisions.relay(account, dto.rawTransaction);
  }
}
