import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Role } from '../auth/permissions';
import { AccountEntity } from './account.entity';
import { ApiKeyEntity } from './api-key.entity';

export type AccountValues = Pick<AccountEntity, 'role' | 'username' | 'passwordHash'>;
export type ApiKeyValues = Pick<ApiKeyEntity, 'accountId' | 'prefix' | 'secretSha256' | 'label'>;

/**
 * Accounts and their API keys in Postgres: queries only, no rules. Every method takes an optional
 * EntityManager so a service can run several of them in one transaction.
 */
@Injectable()
export class AccountStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  findById(id: string, manager?: EntityManager): Promise<AccountEntity | null> {
    return this.em(manager).findOneBy(AccountEntity, { id });
  }

  /** The account unless it is disabled. */
  findEnabledById(id: string, manager?: EntityManager): Promise<AccountEntity | null> {
    return this.em(manager).findOneBy(AccountEntity, { id, disabledAt: IsNull() });
  }

  findByUsername(username: string, manager?: EntityManager): Promise<AccountEntity | null> {
    return this.em(manager).findOneBy(AccountEntity, { username });
  }

  usernameExists(username: string, manager?: EntityManager): Promise<boolean> {
    return this.em(manager).existsBy(AccountEntity, { username });
  }

  roleExists(role: Role, manager?: EntityManager): Promise<boolean> {
    return this.em(manager).existsBy(AccountEntity, { role });
  }

  insert(values: AccountValues, manager?: EntityManager): Promise<AccountEntity> {
    const em = this.em(manager);
    return em.save(em.create(AccountEntity, values));
  }

  /** The unrevoked key with `prefix`, its account loaded. */
  findActiveApiKey(prefix: string, manager?: EntityManager): Promise<ApiKeyEntity | null> {
    return this.em(manager).findOne(ApiKeyEntity, { where: { prefix, revokedAt: IsNull() }, relations: { account: true } });
  }

  insertApiKey(values: ApiKeyValues, manager?: EntityManager): Promise<ApiKeyEntity> {
    const em = this.em(manager);
    return em.save(em.create(ApiKeyEntity, values));
  }

  /** Marks the account's key revoked at `at`; false when there is no such unrevoked key. */
  async revokeApiKey(accountId: string, keyId: string, at: Date, manager?: EntityManager): Promise<boolean> {
    const result = await this.em(manager).update(ApiKeyEntity, { id: keyId, accountId, revokedAt: IsNull() }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }

  private em(manager?: EntityManager): EntityManager {
    return manager ?? this.db.manager;
  }
}
