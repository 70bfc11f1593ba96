import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
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
    private readonly audit: SecurityAudit,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Creates the account and records who did (account.created), in one transaction. */
  async create(dto: AccountCreateDto, context: AuditContext): Promise<AccountResponseDto> {
    if (await this.store.usernameExists(dto.username)) {
      throw new ApiError(HttpStatus.CONFLICT, 'ACCOUNT_EXISTS', 'An account with this username exists');
    }
    const passwordHash = await this.passwords.hash(dto.password);
    const account = await this.db.transaction(async (manager) => {
      const created = await this.store.insert({ role: dto.role, username: dto.username, passwordHash }, manager);
      await this.audit.record(context, { event: 'account.created', target: { type: 'account', id: created.id }, details: { after: { role: created.role, username: created.username } } }, manager);
      return created;
    });
    return toResponse(account);
  }

  async get(id: string): Promise<AccountResponseDto> {
    const account = await this.store.findById(id);
    if (!account) throw accountNotFound();
    return toResponse(account);
  }

  /** API keys are for hospital systems: people sign in and get tokens. */
  async createApiKey(accountId: string, label: string, context: AuditContext): Promise<ApiKeyResponseDto> {
    const account = await this.store.findById(accountId);
    if (!account) throw accountNotFound();
    if (account.role !== Role.Hospital) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'API_KEY_ROLE', 'API keys are issued to hospital accounts only');
    }
    const { prefix, secret, key } = generateApiKey();
    const row = await this.db.transaction(async (manager) => {
      const inserted = await this.store.insertApiKey({ accountId, prefix, secretSha256: sha256Hex(secret), label }, manager);
      await this.audit.record(context, { event: 'api_key.created', target: { type: 'api_key', id: inserted.id }, details: { after: { accountId, label, prefix } } }, manager);
      return inserted;
    });
    return { id: row.id, label: row.label, key };
  }

  async revokeApiKey(accountId: string, keyId: string, context: AuditContext): Promise<void> {
    await this.db.transaction(async (manager) => {
      if (!(await this.store.revokeApiKey(accountId, keyId, new Date(), manager))) throw new NotFoundError('API_KEY_NOT_FOUND', 'No such active API key');
      await this.audit.record(context, { event: 'api_key.revoked', target: { type: 'api_key', id: keyId }, details: { before: { accountId, revoked: false }, after: { revoked: true } } }, manager);
    });
  }

  /**
   * First start: with no admin yet, create one and return its password so it can be shown
   * once. Later starts return null. The password is never logged or stored in clear.
   */
  async bootstrapAdmin(): Promise<{ username: string; password: string } | null> {
    if (await this.store.roleExists(Role.Admin)) return null;
    const password = generatePassword();
    const passwordHash = await this.passwords.hash(password);
    await this.db.transaction(async (manager) => {
      const admin = await this.store.insert({ role: Role.Admin, username: 'admin', passwordHash }, manager);
      await this.audit.record({}, { event: 'account.created', target: { type: 'account', id: admin.id }, details: { after: { role: admin.role, username: admin.username }, firstStart: true } }, manager);
    });
    return { username: 'admin', password };
  }
}
