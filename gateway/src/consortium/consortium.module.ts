import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthorityDecisions } from './authority-decisions';
import { ConsortiumController } from './consortium.controller';
import { OpenProposals } from './proposals';

/** The authorities' side of the consortium: open proposals, and decisions they sign in their browser, relayed. */
@Module({
  imports: [AccountsModule],
  controllers: [ConsortiumController],
  providers: [AuthorityDecisions, OpenProposals],
})
export class ConsortiumModule {}
