import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiError, NotFoundError } from '../common/errors';
import { hashPassword } from '../crypto/password';
import { AccountEntity } from './account.entity';
import { AccountCreateDto, AccountResponseDto, ApiKeyResponseDto } from './auth.dto';
import { ApiKeyEntity } from './api-key.entity';
import { Role } from './permissions';
import { generateApiKey, generatePassword, sha256Hex } from './secrets';

const toResponse = (a: AccountEntity): AccountResponseDto => ({ id: a.id, role: a.role, username: a.username, createdAt: a.createdAt });

/** Accounts of the people and systems that call the gateway, and their API keys. */
@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>,
    @InjectRepository(ApiKeyEntity) private readonly apiKeys: Repository<ApiKeyEntity>,
  ) {}

  async create(dto: AccountCreateDto): Promise<AccountResponseDto> {
    if (await this.accounts.existsBy({ username: dto.username })) {
      throw new ApiError(HttpStatus.CONFLICT, 'ACCOUNT_EXISTS', 'An account with this username exists');
    }
    const account = await this.accounts.save(
      this.accounts.create({ role: dto.role, username: dto.username, passwordHash: await hashPassword(dto.password) }),
    );
    return toResponse(account);
  }

  async get(id: string): Promise<AccountResponseDto> {
    const account = await this.accounts.findOneBy({ id });
    if (!account) throw new NotFoundError('ACCOUNT_NOT_FOUND', 'No such account');
    return toResponse(account);
  }

  /** API keys are for hospital systems: people sign in and get tokens. */
  async createApiKey(accountId: string, label: string): Promise<ApiKeyResponseDto> {
    const account = await this.accounts.findOneBy({ id: accountId });
    if (!account) throw new NotFoundError('ACCOUNT_NOT_FOUND', 'No such account');
    if (account.role !== Role.Hospital) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'API_KEY_ROLE', 'API keys are issued to hospital accounts only');
    }
    const { prefix, secret, key } = generateApiKey();
    const row = await this.apiKeys.save(this.apiKeys.create({ accountId, prefix, secretSha256: sha256Hex(secret), label }));
    return { id: row.id, label: row.label, key };
  }

  async revokeApiKey(accountId: string, keyId: string): Promise<void> {
    const result = await this.apiKeys.update({ id: keyId, accountId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new NotFoundError('API_KEY_NOT_FOUND', 'No such active API key');
  }

  /**
   * First start: with no admin yet, create one and return its password so it can be shown
   * once. Later starts return null. The password is never logged or stored in clear.
   */
  async bootstrapAdmin(): Promise<{ username: string; password: string } | null> {
    if (await this.accounts.existsBy({ role: Role.Admin })) return null;
    const password = generatePassword();
    await this.accounts.save(this.accounts.create({ role: Role.Admin, username: 'admin', passwordHash: await hashPassword(password) }));
    return { username: 'admin', password };
  }
}
