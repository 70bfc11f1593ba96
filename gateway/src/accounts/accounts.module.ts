import { Module } from '@nestjs/common';
import { AccountStore } from './account.store';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

/** Accounts and API keys. AuthModule uses the store to turn credentials into principals. */
@Module({
  controllers: [AccountsController],
  providers: [AccountsService, AccountStore],
  exports: [AccountsService, AccountStore],
})
export class AccountsModule {}
