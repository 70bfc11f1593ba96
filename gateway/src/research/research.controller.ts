import { Controller, Get, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { AuthAccount } from '../auth/principal.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ResearchExportDto, ResearchExportQueryDto } from './research.dto';
import { ResearchService } from './research.service';

@ApiTags('research')
@Controller({ path: 'research', version: '1' })
export class ResearchController {
  constructor(private readonly research: ResearchService) {}

  @Get('export')
  @ApiOperation({
    summary: 'A de-identified dataset of the patients who consented to research',
    description:
      "Records of patients who granted your institution a consent for research (purpose DSRCH), each allowed by the chain as every read is. Released with quasi-identifiers generalised (age band, gender, region), dates cut to the year, no Patient resource, and an id per patient for this export only. Groups of (ageBand, gender, region) with fewer than k patients are suppressed and counted in the report. Every released record is logged on chain.",
  })
  @Authenticated({ permission: Permission.ResearchExport })
  @ApiOkResponse({ type: ResearchExportDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'NO_RESEARCH_INSTITUTION' })
  export(@AuthAccount() account: AccountPrincipal, @Query() query: ResearchExportQueryDto): Promise<ResearchExportDto> {
    return this.research.export(account, query.k);
  }
}
