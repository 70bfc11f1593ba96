import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
import { Role } from '../auth/permissions';
import { generateApiKey, sha256Hex } from '../auth/secrets';
import { ApiError, NotFoundError } from '../common/errors';
import { ApiKeyEntity } from './api-key.entity';
import { CredentialsCache } from './credentials-cache';
import { AccountStore } from './account.store';
import { ApiKeyResponseDto, ApiKeyRotatedDto, ApiKeySummaryDto } from './accounts.dto';
import { accountNotFound } from './accounts.service';

const HOUR_MS = 3_600_000;
const DEFAULT_OVERLAP_HOURS = 24;

const summary = (k: ApiKeyEntity): ApiKeySummaryDto => ({
  id: k.id, label: k.label, prefix: k.prefix, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt, expiresAt: k.expiresAt, revokedAt: k.revokedAt,
});

/** Hospital systems' API keys: issued, listed, rotated with an overlap, revoked; each act audited. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly store: AccountStore,
    private readonly audit: SecurityAudit,
    private readonly credentials: CredentialsCache,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** API keys are for hospital systems: people sign in and get tokens. */
  async create(accountId: string, label: string, context: AuditContext): Promise<ApiKeyResponseDto> {
    await this.hospital(accountId);
    return this.db.transaction((manager) => this.issue(accountId, label, context, manager, 'api_key.created'));
  }

  async list(accountId: string): Promise<ApiKeySummaryDto[]> {
    if (!(await this.store.findById(accountId))) throw accountNotFound();
    return (await this.store.listApiKeys(accountId)).map(summary);
  }

  /**
   * Issues a new key with the same label and lets the old one work for `overlapHours` more (0:
   * it stops at once), so a hospital switches without an outage. A key already rotated out
   * (expiring) or revoked cannot be rotated again.
   */
  async rotate(accountId: string, keyId: string, overlapHours: number | undefined, context: AuditContext): Promise<ApiKeyRotatedDto> {
    await this.hospital(accountId);
    return this.credentials.changing(accountId, async (manager) => {
      const expiresAt = new Date(Date.now() + (overlapHours ?? DEFAULT_OVERLAP_HOURS) * HOUR_MS);
      const old = await this.store.expireApiKey(accountId, keyId, expiresAt, manager);
      if (!old) throw new NotFoundError('API_KEY_NOT_FOUND', 'No such active API key (a key rotated out already expires)');
      const issued = await this.issue(accountId, old.label, context, manager, 'api_key.rotated', { previousKeyId: keyId, previousKeyExpiresAt: expiresAt });
      return { ...issued, previousKeyExpiresAt: expiresAt };
    });
  }

  async revoke(accountId: string, keyId: string, context: AuditContext): Promise<void> {
    await this.credentials.changing(accountId, async (manager) => {
      if (!(await this.store.revokeApiKey(accountId, keyId, new Date(), manager))) throw new NotFoundError('API_KEY_NOT_FOUND', 'No such active API key');
      await this.audit.record(context, { event: 'api_key.revoked', target: { type: 'api_key', id: keyId }, details: { before: { accountId, revoked: false }, after: { revoked: true } } }, manager);
    });
  }

  private async hospital(accountId: string): Promise<void> {
    const account = await this.store.findById(accountId);
    if (!account) throw accountNotFound();
    if (account.role !== Role.Hospital) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'API_KEY_ROLE', 'API keys are issued to hospital accounts only');
    }
  }

  private async issue(
    accountId: string,
    label: string,
    context: AuditContext,
    manager: EntityManager,
    event: 'api_key.created' | 'api_key.rotated',
    more: Record<string, unknown> = {},
  ): Promise<ApiKeyResponseDto> {
    const { prefix, secret, key } = generateApiKey();
    const row = await this.store.insertApiKey({ accountId, prefix, secretSha256: sha256Hex(secret), label }, manager);
    await this.audit.record(context, { event, target: { type: 'api_key', id: row.id }, details: { after: { accountId, label, prefix }, ...more } }, manager);
    return { id: row.id, label: row.label, key };
  }
}
