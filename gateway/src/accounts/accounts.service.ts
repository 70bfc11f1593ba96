import { HttpStatus, Injectable } from '@nestjs/common';
import { Role } from '../auth/permissions';
import { generateApiKey, generatePassword, sha256Hex } from '../auth/secrets';
import { ApiError, NotFoundError } from '../common/errors';
import { PasswordHasher } from '../crypto/password-hasher';
import { AccountEntity } from './account.entity';
import { AccountStore } from './account.store';
import { AccountCreateDto, AccountResponseDto, ApiKeyResponseDto } from './accounts.dto';

const toResponse = (a: AccountEntity): AccountResponseDto => ({ id: a.id, role: a.role, username: a.username, createdAt: a.createdAt });
const accountNotFound = () => new NotFoundError('ACCOUNT_NOT_FOUND', 'No such account');

/** Accounts of the people and systems that call the gateway, and their API keys. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly store: AccountStore,
    private readonly passwords: PasswordHasher,
  ) {}

  async create(dto: AccountCreateDto): Promise<AccountResponseDto> {
    if (await this.store.usernameExists(dto.username)) {
      throw new ApiError(HttpStatus.CONFLICT, 'ACCOUNT_EXISTS', 'An account with this username exists');
    }
    const account = await this.store.insert({ role: dto.role, username: dto.username, passwordHash: await this.passwords.hash(dto.password) });
    return toResponse(account);
  }

  async get(id: string): Promise<AccountResponseDto> {
    const account = await this.store.findById(id);
    if (!account) throw accountNotFound();
    return toResponse(account);
  }

  /** API keys are for hospital systems: people sign in and get tokens. */
  async createApiKey(accountId: string, label: string): Promise<ApiKeyResponseDto> {
    const account = await this.store.findById(accountId);
    if (!account) throw accountNotFound();
    if (account.role !== Role.Hospital) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'API_KEY_ROLE', 'API keys are issued to hospital accounts only');
    }
    const { prefix, secret, key } = generateApiKey();
    const row = await this.store.insertApiKey({ accountId, prefix, secretSha256: sha256Hex(secret), label });
    return { id: row.id, label: row.label, key };
  }

  async revokeApiKey(accountId: string, keyId: string): Promise<void> {
    if (!(await this.store.revokeApiKey(accountId, keyId, new Date()))) throw new NotFoundError('API_KEY_NOT_FOUND', 'No such active API key');
  }

  /**
   * First start: with no admin yet, create one and return its password so it can be shown
   * once. Later starts return null. The password is never logged or stored in clear.
   */
  async bootstrapAdmin(): Promise<{ username: string; password: string } | null> {
    if (await this.store.roleExists(Role.Admin)) return null;
    const password = generatePassword();
    await this.store.insert({ role: Role.Admin, username: 'admin', passwordHash: await this.passwords.hash(password) });
    return { username: 'admin', password };
  }
}
