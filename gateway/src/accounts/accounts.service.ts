import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { utils } from 'web3';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
import { Role } from '../auth/permissions';
import { generatePassword } from '../auth/secrets';
import { ApiError, NotFoundError } from '../common/errors';
import { PasswordHasher } from '../crypto/password-hasher';
import { aadhaarFromRequest } from '../identity/aadhaar';
import { AadhaarVault } from '../identity/aadhaar-vault';
import { AccountEntity } from './account.entity';
import { AccountStore } from './account.store';
import { CredentialsCache } from './credentials-cache';
import { AccountCreateDto, AccountPageDto, AccountResponseDto, AccountSearchDto, PasswordResetResponseDto } from './accounts.dto';

/** Roles whose accounts are people (or, for a hospital, the officer answering for it) the consortium must have verified. */
const AADHAAR_REQUIRED: readonly Role[] = [Role.Doctor, Role.Pharmacist, Role.Hospital];

const toResponse = (a: AccountEntity): AccountResponseDto => ({
  id: a.id, role: a.role, username: a.username, createdAt: a.createdAt, disabledAt: a.disabledAt, chainAddress: a.chainAddress, hospitalId: a.hospitalId,
});
export const accountNotFound = () => new NotFoundError('ACCOUNT_NOT_FOUND', 'No such account');

/** Who has a chain address of their own: hospital systems (the consortium's), practitioners (the one their hospital registered on chain), authorities (the registry's). */
const CHAIN_ADDRESS_ROLES: readonly Role[] = [Role.Hospital, Role.Doctor, Role.Pharmacist, Role.Authority];

/** Accounts of the people and systems that call the gateway, and their API keys. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly store: AccountStore,
    private readonly passwords: PasswordHasher,
    private readonly audit: SecurityAudit,
    private readonly credentials: CredentialsCache,
    private readonly vault: AadhaarVault,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /**
   * Creates the account and records who did (account.created), in one transaction. People get a
   * password, hospital systems none (they use API keys only); creating an administrator also
   * takes the acting administrator's own password again.
   */
  async create(dto: AccountCreateDto, context: AuditContext): Promise<AccountResponseDto> {
    if (dto.role === Role.Hospital && dto.password !== undefined) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'PASSWORD_NOT_FOR_SYSTEMS', 'Hospital systems sign in with API keys only: create the account without a password, then issue a key');
    }
    if (dto.role !== Role.Hospital && dto.password === undefined) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'PASSWORD_REQUIRED', 'People sign in with a password: give one');
    }
    const aadhaar = this.checkedAadhaar(dto);
    const affiliation = await this.checkedAffiliation(dto);
    if (dto.role === Role.Admin) await this.reauthenticate(context, dto.currentPassword);
    if (await this.store.usernameExists(dto.username)) {
      throw new ApiError(HttpStatus.CONFLICT, 'ACCOUNT_EXISTS', 'An account with this username exists');
    }
    const passwordHash = dto.password === undefined ? null : await this.passwords.hash(dto.password);
    const account = await this.db.transaction(async (manager) => {
      const entry = aadhaar === undefined ? undefined : await this.vault.deposit(aadhaar, manager);
      if (entry && (await this.store.aadhaarRefInUse(entry.reference, manager))) {
        throw new ApiError(HttpStatus.CONFLICT, 'AADHAAR_IN_USE', 'Another account was registered with this Aadhaar number');
      }
      if (affiliation.chainAddress && (await this.store.chainAddressInUse(affiliation.chainAddress, manager))) {
        throw new ApiError(HttpStatus.CONFLICT, 'CHAIN_ADDRESS_IN_USE', 'Another account has this chain address');
      }
      const created = await this.store.insert({ role: dto.role, username: dto.username, passwordHash, aadhaarRef: entry?.reference ?? null, ...affiliation }, manager);
      const after = { role: created.role, username: created.username, ...(entry ? { aadhaar: entry.masked } : {}), ...affiliation };
      await this.audit.record(context, { event: 'account.created', target: { type: 'account', id: created.id }, details: { after } }, manager);
      return created;
    });
    return toResponse(account);
  }

  /**
   * Where an account files records from, and the address consents name it by: a hospital system by its consortium address, a doctor
   * or pharmacist by the hospital account they work at (which must be a hospital's).
   */
  private async checkedAffiliation(dto: AccountCreateDto): Promise<{ chainAddress?: string; hospitalId?: string }> {
    if (dto.chainAddress !== undefined && !CHAIN_ADDRESS_ROLES.includes(dto.role)) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'CHAIN_ADDRESS_NOT_FOR_ROLE', 'Only hospital systems, doctors, pharmacists and authorities have a consortium address here');
    }
    if (dto.hospitalId !== undefined && dto.role !== Role.Doctor && dto.role !== Role.Pharmacist && dto.role !== Role.Researcher) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'HOSPITAL_NOT_FOR_ROLE', 'Only doctors, pharmacists and researchers work at a hospital account (a researcher\'s is their institution)');
    }
    if (dto.hospitalId !== undefined && (await this.store.findById(dto.hospitalId))?.role !== Role.Hospital) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'HOSPITAL_NOT_FOUND', 'hospitalId is not a hospital system account');
    }
    return {
      ...(dto.chainAddress !== undefined ? { chainAddress: utils.toChecksumAddress(dto.chainAddress) } : {}),
      ...(dto.hospitalId !== undefined ? { hospitalId: dto.hospitalId } : {}),
    };
  }

  /**
   * The paper verifies every entity by Aadhaar: doctors, pharmacists and the officer behind a
   * hospital system give theirs (checked as UIDAI issues them); patients register themselves
   * through eKYC (POST /v1/patients/registrations), never through an administrator.
   */
  private checkedAadhaar(dto: AccountCreateDto): string | undefined {
    if (dto.role === Role.Patient) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'PATIENTS_REGISTER_THEMSELVES', 'Patients register themselves, verified by eKYC: POST /v1/patients/registrations');
    }
    if (dto.aadhaar === undefined) {
      if (AADHAAR_REQUIRED.includes(dto.role)) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'AADHAAR_REQUIRED', `A ${dto.role} account takes the person's Aadhaar number (aadhaar)`);
      return undefined;
    }
    const { digits, kind } = aadhaarFromRequest(dto.aadhaar);
    if (kind === 'vid') throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'VID_NOT_ACCEPTED', 'Give the 12-digit Aadhaar number: a VID is temporary and may not be kept');
    return digits;
  }

  async get(id: string): Promise<AccountResponseDto> {
    const account = await this.store.findById(id);
    if (!account) throw accountNotFound();
    return toResponse(account);
  }

  /** A page of accounts in username order, and the `after` of the next page (null on the last). */
  async search(query: AccountSearchDto): Promise<AccountPageDto> {
    const limit = query.limit ?? 50;
    const rows = await this.store.search({ role: query.role, usernamePrefix: query.q, status: query.status, after: query.after, limit: limit + 1 });
    const accounts = rows.slice(0, limit).map(toResponse);
    return { accounts, next: rows.length > limit ? accounts[accounts.length - 1]!.username : null };
  }

  /**
   * Disables (or enables again) the account: from the next request its tokens, API keys and
   * password stop working (every gateway process forgets what it cached of the account). An administrator cannot disable
   * their own account, so nobody locks the last administrator out by a slip.
   */
  async setDisabled(id: string, disabled: boolean, context: AuditContext): Promise<AccountResponseDto> {
    if (disabled && context.actor?.kind === 'account' && context.actor.accountId === id) {
      throw new ApiError(HttpStatus.CONFLICT, 'CANNOT_DISABLE_SELF', 'An administrator cannot disable their own account');
    }
    const account = await this.credentials.changing(id, async (manager) => {
      const at = disabled ? new Date() : null;
      const before = await this.store.setDisabled(id, at, manager);
      if (!before) throw accountNotFound();
      if ((before.disabledAt !== null) === disabled) return before;
      await this.audit.record(context, {
        event: disabled ? 'account.disabled' : 'account.enabled',
        target: { type: 'account', id },
        details: { before: { disabledAt: before.disabledAt }, after: { disabledAt: at } },
      }, manager);
      return { ...before, disabledAt: at };
    });
    return toResponse(account);
  }

  /**
   * An administrator resets a person's password: a new one is generated and shown once, and every
   * session of the account ends. An administrator's password takes the acting administrator's own
   * password again, as creating one does.
   */
  async resetPassword(id: string, context: AuditContext, currentPassword?: string): Promise<PasswordResetResponseDto> {
    const account = await this.store.findById(id);
    if (!account) throw accountNotFound();
    if (!account.passwordHash) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'NO_PASSWORD', 'This account signs in with API keys only');
    if (account.role === Role.Admin) await this.reauthenticate(context, currentPassword);
    const password = generatePassword();
    const passwordHash = await this.passwords.hash(password);
    await this.credentials.changing(id, async (manager) => {
      await this.store.setPassword(id, passwordHash, new Date(), manager);
      await this.audit.record(context, { event: 'password.reset', target: { type: 'account', id } }, manager);
    });
    return { password };
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

  /** Asks the acting administrator for their own password again (step-up); 403 REAUTHENTICATION_REQUIRED when absent or wrong. */
  private async reauthenticate(context: AuditContext, currentPassword: string | undefined): Promise<void> {
    const actor = context.actor?.kind === 'account' ? await this.store.findById(context.actor.accountId) : null;
    const confirmed = !!actor?.passwordHash && currentPassword !== undefined && (await this.passwords.verify(currentPassword, actor.passwordHash));
    if (!confirmed) {
      await this.audit.recordRefusal(context, { event: 'permission.denied', details: { action: 'act on an administrator', code: 'REAUTHENTICATION_REQUIRED' } });
      throw new ApiError(HttpStatus.FORBIDDEN, 'REAUTHENTICATION_REQUIRED', 'Creating an administrator, or resetting one\'s password, takes your own password again: send it as currentPassword');
    }
  }
}
