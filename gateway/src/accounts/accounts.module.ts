import { Module } from '@nestjs/common';
import { PasswordHasher } from '../crypto/password-hasher';
import { AccountStore } from './account.store';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

/** Accounts and API keys. AuthModule uses the store to turn credentials into principals, and the hasher to check passwords. */
@Module({
  controllers: [AccountsController],
  providers: [AccountsService, AccountStore, PasswordHasher],
  exports: [AccountsService, AccountStore, PasswordHasher],
})
export class AccountsModule {}
