import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { Role } from '../auth/permissions';
import { AccountEntity } from './account.entity';
import { ApiKeyEntity } from './api-key.entity';

export type AccountValues = Pick<AccountEntity, 'role' | 'username' | 'passwordHash'> & Partial<Pick<AccountEntity, 'aadhaarRef' | 'chainAddress' | 'hospitalId'>>;
export type ApiKeyValues = Pick<ApiKeyEntity, 'accountId' | 'prefix' | 'secretSha256' | 'label'>;

export interface AccountSearch {
  role?: Role;
  /** Usernames starting with this. */
  usernamePrefix?: string;
  status?: 'active' | 'disabled';
  /** Only usernames after this one (the previous page's last). */
  after?: string;
  limit: number;
}

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

  aadhaarRefInUse(aadhaarRef: string, manager?: EntityManager): Promise<boolean> {
    return this.em(manager).existsBy(AccountEntity, { aadhaarRef });
  }

  /** Usernames of the accounts holding these chain addresses, by lower-case address. */
  async findByChainAddresses(addresses: string[], manager?: EntityManager): Promise<Map<string, string>> {
    if (addresses.length === 0) return new Map();
    const rows = await this.em(manager).createQueryBuilder(AccountEntity, 'a')
      .where('LOWER(a.chainAddress) IN (:...addresses)', { addresses: addresses.map((a) => a.toLowerCase()) }).getMany();
    return new Map(rows.map((row) => [row.chainAddress!.toLowerCase(), row.username]));
  }

  chainAddressInUse(chainAddress: string, manager?: EntityManager): Promise<boolean> {
    return this.em(manager).existsBy(AccountEntity, { chainAddress });
  }

  roleExists(role: Role, manager?: EntityManager): Promise<boolean> {
    return this.em(manager).existsBy(AccountEntity, { role });
  }

  insert(values: AccountValues, manager?: EntityManager): Promise<AccountEntity> {
    const em = this.em(manager);
    return em.save(em.create(AccountEntity, values));
  }

  /** Accounts in username order, filtered; at most `limit`. */
  search(query: AccountSearch, manager?: EntityManager): Promise<AccountEntity[]> {
    const select = this.em(manager).createQueryBuilder(AccountEntity, 'a').orderBy('a.username', 'ASC').take(query.limit);
    if (query.role) select.andWhere('a.role = :role', { role: query.role });
    if (query.status) select.andWhere(query.status === 'active' ? 'a.disabled_at IS NULL' : 'a.disabled_at IS NOT NULL');
    // `_` is a LIKE wildcard and may be in a username: escaped (backslash is Postgres's default escape).
    if (query.usernamePrefix) select.andWhere('a.username LIKE :prefix', { prefix: `${query.usernamePrefix.replace(/[\\_%]/g, '\\$&')}%` });
    if (query.after) select.andWhere('a.username > :after', { after: query.after });
    return select.getMany();
  }

  /** Replaces the account's password hash and notes when (tokens issued before are refused). */
  async setPassword(id: string, passwordHash: string, at: Date, manager?: EntityManager): Promise<void> {
    await this.em(manager).update(AccountEntity, { id }, { passwordHash, credentialsChangedAt: at });
  }

  /** Sets or clears the account's disabled time; the account before the change, null when there is none. */
  async setDisabled(id: string, disabledAt: Date | null, manager?: EntityManager): Promise<AccountEntity | null> {
    const em = this.em(manager);
    const before = await em.findOne(AccountEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (before) await em.update(AccountEntity, { id }, { disabledAt });
    return before;
  }

  /** The key with `prefix` that is neither revoked nor expired, its account loaded. */
  findActiveApiKey(prefix: string, manager?: EntityManager): Promise<ApiKeyEntity | null> {
    return this.em(manager).findOne(ApiKeyEntity, {
      where: [
        { prefix, revokedAt: IsNull(), expiresAt: IsNull() },
        { prefix, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      ],
      relations: { account: true },
    });
  }

  /** The account's keys, newest first: active, expiring, revoked. */
  listApiKeys(accountId: string, manager?: EntityManager): Promise<ApiKeyEntity[]> {
    return this.em(manager).find(ApiKeyEntity, { where: { accountId }, order: { createdAt: 'DESC' } });
  }

  /** Notes the key's use now, at most once a minute (one write a minute per busy key, not one per request). */
  async touchApiKey(id: string, manager?: EntityManager): Promise<void> {
    await this.em(manager)
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ lastUsedAt: () => 'now()' })
      .where('id = :id AND (last_used_at IS NULL OR last_used_at < now() - interval \'1 minute\')', { id })
      .execute();
  }

  /** Makes the account's active key stop working at `at`; the key as it was, null when there is no such active key. */
  async expireApiKey(accountId: string, keyId: string, at: Date, manager?: EntityManager): Promise<ApiKeyEntity | null> {
    const em = this.em(manager);
    const key = await em.findOneBy(ApiKeyEntity, { id: keyId, accountId, revokedAt: IsNull(), expiresAt: IsNull() });
    if (key) await em.update(ApiKeyEntity, { id: keyId }, { expiresAt: at });
    return key;
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
