import { Module } from '@nestjs/common';
import { PasswordHasher } from '../crypto/password-hasher';
import { AccountStore } from './account.store';
import { CredentialsCache } from './credentials-cache';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';

/** Accounts and API keys. AuthModule uses the store to turn credentials into principals, and the hasher to check passwords. */
@Module({
  controllers: [AccountsController, ApiKeysController],
  providers: [AccountsService, ApiKeysService, AccountStore, PasswordHasher, CredentialsCache],
  exports: [AccountsService, AccountStore, PasswordHasher, CredentialsCache],
})
export class AccountsModule {}
