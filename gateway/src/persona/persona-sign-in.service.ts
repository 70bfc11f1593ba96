import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountStore } from '../accounts/account.store';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
import { Role } from '../auth/permissions';
import { ApiError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { aadhaarFromRequest } from '../identity/aadhaar';
import { AadhaarTransport } from '../identity/aadhaar-transport';
import { AadhaarVault } from '../identity/aadhaar-vault';
import { EkycProvider } from '../identity/ekyc-provider';
import { Keyring } from '../keys/keyring';
import { OneTimeCodes, tooManyVerifications } from './one-time-codes';
import { openPersona } from './persona-fields';
import { OneTimeCodeSentDto, PersonaTokenDto } from './persona.dto';
import { PersonaService } from './persona.service';
import { PersonaStore } from './persona.store';

/**
 * The persona face signs in with a one-time code to the mobile number on its Aadhaar record
 * (DESIGN "Two faces of a patient"). The answer to "send a code" is the same whether or not the
 * number is registered, so nobody learns who uses the service.
 */
@Injectable()
export class PersonaSignInService {
  private readonly logger = new Logger(PersonaSignInService.name);

  constructor(
    private readonly store: PersonaStore,
    private readonly codes: OneTimeCodes,
    private readonly vault: AadhaarVault,
    private readonly transport: AadhaarTransport,
    private readonly ekyc: EkycProvider,
    private readonly keyring: Keyring,
    private readonly personas: PersonaService,
    private readonly accounts: AccountStore,
    private readonly audit: SecurityAudit,
    @InjectDataSource() private readonly db: DataSource,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Every valid number gets the same work before the answer (the per-number count) and the same
   * answer: a new id and an expiry. Whether anyone is registered under it is found out after the
   * answer, where the code is stored under that id and sent; for anyone else nothing is, and the
   * id fails like a wrong code. So neither the answer, its timing nor the code step tells who uses
   * the service.
   */
  async sendCode(aadhaar: string): Promise<OneTimeCodeSentDto> {
    const number = aadhaarFromRequest(this.transport.open(aadhaar));
    if (number.kind === 'vid') throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'VID_NOT_ACCEPTED', 'Sign in with your 12-digit Aadhaar number: a VID is not kept, so it cannot be looked up');
    if ((await this.vault.countAttempt(number.digits, 3600)) > this.config.identity.verificationsPerNumberPerHour) throw tooManyVerifications();
    const id = randomUUID();
    setImmediate(() => {
      this.issueIfRegistered(number.digits, id).catch((error: unknown) => this.logger.error({ event: 'sign_in_code_not_sent', provider: this.ekyc.name, err: String(error) }));
    });
    return { id, expiresAt: this.codes.expiry() };
  }

  private async issueIfRegistered(aadhaar: string, id: string): Promise<void> {
    const entry = await this.vault.find(aadhaar);
    const persona = entry ? await this.store.findByAadhaarRef(entry.reference) : null;
    if (persona?.status !== 'verified' || !persona.wrappedKey || !persona.sealedFields) return;
    const { phone } = openPersona(this.keyring, persona.id, persona.wrappedKey, persona.sealedFields);
    const sent = await this.db.transaction((em) => this.codes.issue(persona.id, 'sign-in', em, id));
    await this.ekyc.deliverCode(phone, sent.code, 'sign-in');
  }

  async token(codeId: string, code: string, context: AuditContext): Promise<PersonaTokenDto> {
    let personaId: string;
    try {
      personaId = await this.codes.spend(codeId, code, 'sign-in', HttpStatus.UNAUTHORIZED);
    } catch (error) {
      await this.audit.recordRefusal(context, { event: 'login.failed', details: { via: 'persona code', code: (error as ApiError).code } });
      throw error;
    }
    const persona = await this.store.findById(personaId);
    if (persona?.status !== 'verified' || !persona.accountId) throw new ApiError(HttpStatus.UNAUTHORIZED, 'CODE_INVALID', 'The code is wrong, or was not issued for this');
    if (!(await this.accounts.findEnabledById(persona.accountId))) throw new ApiError(HttpStatus.UNAUTHORIZED, 'ACCOUNT_DISABLED', 'This account is disabled');
    const actor = { kind: 'account' as const, accountId: persona.accountId, role: Role.Patient, via: 'jwt' as const };
    await this.audit.record({ ...context, actor }, { event: 'login.succeeded', details: { via: 'persona code' } });
    return this.personas.tokenFor(persona.id, persona.accountId);
  }
}
