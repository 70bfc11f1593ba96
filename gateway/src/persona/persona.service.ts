import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccountStore } from '../accounts/account.store';
import { CredentialsCache } from '../accounts/credentials-cache';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
import { Role } from '../auth/permissions';
import { TokenService } from '../auth/token.service';
import { ApiError, NotFoundError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { aadhaarFromRequest } from '../identity/aadhaar';
import { AadhaarTransport } from '../identity/aadhaar-transport';
import { AadhaarVault } from '../identity/aadhaar-vault';
import { EkycProvider, maskMobile } from '../identity/ekyc-provider';
import { rsaPublicKeyBytes } from '../crypto/rsa-oaep';
import { Keyring } from '../keys/keyring';
import { OneTimeCodes, tooManyVerifications } from './one-time-codes';
import { openPersona, PersonaFields, resealPersona, sealNewPersona } from './persona-fields';
import { EncryptedPseudonymDto, OneTimeCodeSentDto, PatientRegistrationCreateDto, PersonaKeysDto, PersonaResponseDto, PersonaTokenDto } from './persona.dto';
import { PersonaRow, PersonaStore } from './persona.store';

const personaNotFound = () => new NotFoundError('PERSONA_NOT_FOUND', 'This account has no persona');

/** A registration not confirmed within a day is forgotten: its persona, its data key and, unless something else names it, its number. */
export const PENDING_REGISTRATION_SECONDS = 86_400;

/**
 * Patients' personas (issue 12; DESIGN "Patient registration"): a patient states who they are,
 * the eKYC provider matches it against UIDAI's record and the gateway sends a one-time code to
 * the mobile number on that record; the code confirms the persona, which gets a patient account
 * (no password: the persona signs in by code) and a persona token. The Aadhaar number goes to
 * the vault; the fields, sealed under the persona's own data key, to the persona store.
 */
@Injectable()
export class PersonaService {
  constructor(
    private readonly store: PersonaStore,
    private readonly codes: OneTimeCodes,
    private readonly vault: AadhaarVault,
    private readonly transport: AadhaarTransport,
    private readonly ekyc: EkycProvider,
    private readonly keyring: Keyring,
    private readonly accounts: AccountStore,
    private readonly credentials: CredentialsCache,
    private readonly tokens: TokenService,
    private readonly audit: SecurityAudit,
    @InjectDataSource() private readonly db: DataSource,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Step 1: demographic match, then a code to the registered mobile. A number may start
   * VERIFICATIONS_PER_NUMBER_PER_HOUR verifications an hour, matched or not, so nobody can
   * guess a resident's year of birth and gender by trying them all.
   */
  async startRegistration(dto: PatientRegistrationCreateDto): Promise<OneTimeCodeSentDto> {
    const number = aadhaarFromRequest(this.transport.open(dto.aadhaar));
    const limit = this.config.identity.verificationsPerNumberPerHour;
    if ((await this.vault.countAttempt(number.digits, 3600)) > limit) throw tooManyVerifications();
    const match = await this.ekyc.match(number, { name: dto.name, yearOfBirth: dto.yearOfBirth, gender: dto.gender });
    if (!match.matched) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'IDENTITY_MISMATCH', 'The name, year of birth and gender do not match the Aadhaar record');
    // A number and its VID share one limit: the attempt counts for the number the VID stands for too.
    if (number.kind === 'vid' && (await this.vault.countAttempt(match.aadhaar, 3600)) > limit) throw tooManyVerifications();
    const fields: PersonaFields = {
      name: dto.name.trim(),
      yearOfBirth: dto.yearOfBirth,
      gender: dto.gender,
      birthDate: dto.birthDate ?? null,
      phone: match.mobile,
      email: dto.email ?? null,
      address: dto.address?.trim() ?? null,
    };
    const sent = await this.db.transaction(async (em) => {
      const entry = await this.vault.deposit(match.aadhaar, em);
      let persona = await this.store.findByAadhaarRef(entry.reference, em);
      if (persona && persona.status !== 'pending') return null;
      if (persona) {
        // Started again before confirming: the latest statement is the one kept.
        await this.store.setFields(persona.id, resealPersona(this.keyring, persona.id, persona.wrappedKey!, fields), em);
      } else {
        const id = randomUUID();
        const { wrappedKey, keyId, sealed } = sealNewPersona(this.keyring, id, fields);
        await this.store.insertPending({ id, aadhaarRef: entry.reference, sealedFields: sealed, wrappedKey, keyId }, em);
        persona = { id } as PersonaRow;
      }
      return this.codes.issue(persona.id, 'registration', em);
    });
    if (!sent) {
      // Registered already: the same answer as for a newcomer (an id no code will ever match), and
      // the registered mobile is told. Whoever holds the card's details learns nothing from the API.
      await this.ekyc.deliverNotice(match.mobile, 'already-registered');
      return { id: randomUUID(), expiresAt: this.codes.expiry(), sentTo: maskMobile(match.mobile) };
    }
    await this.ekyc.deliverCode(match.mobile, sent.code, 'registration');
    await this.forgetStaleRegistrations();
    return { id: sent.id, expiresAt: sent.expiresAt, sentTo: maskMobile(match.mobile) };
  }

  /**
   * Data minimisation: registrations nobody confirmed within PENDING_REGISTRATION_SECONDS are
   * deleted (a page at a time, on each new registration), with the number they put in the vault
   * unless an account or another persona names it. Vault entry first, then persona: the order a
   * registration locks them in, so the two never wait on each other.
   */
  private async forgetStaleRegistrations(): Promise<void> {
    for (const reference of await this.store.stalePendingRefs(PENDING_REGISTRATION_SECONDS, 20)) {
      await this.db.transaction(async (em) => {
        if (!(await this.vault.lock(reference, em))) return;
        if (!(await this.store.deleteStalePending(reference, PENDING_REGISTRATION_SECONDS, em))) return;
        await this.vault.eraseUnlessNamed(reference, em, async () => (await this.accounts.aadhaarRefInUse(reference, em)) || !!(await this.store.findByAadhaarRef(reference, em)));
      });
    }
  }

  /** Step 2: the code confirms the persona; its patient account is made and signed in. */
  async confirmRegistration(codeId: string, code: string, context: AuditContext): Promise<PersonaTokenDto> {
    const personaId = await this.codes.spend(codeId, code, 'registration', HttpStatus.UNPROCESSABLE_ENTITY);
    const accountId = await this.db.transaction(async (em) => {
      const persona = await this.store.findById(personaId, em, true);
      if (persona?.status !== 'pending') throw new ApiError(HttpStatus.CONFLICT, 'PERSONA_EXISTS', 'This registration is already confirmed');
      // A username that says nothing about the person: it shows in the audit trail and in account lists.
      const account = await this.accounts.insert({ role: Role.Patient, username: `patient.${randomBytes(8).toString('hex')}`, passwordHash: null }, em);
      await this.store.markVerified(persona.id, account.id, em);
      const actor = { kind: 'account' as const, accountId: account.id, role: Role.Patient, via: 'jwt' as const };
      await this.audit.record({ ...context, actor }, { event: 'persona.registered', target: { type: 'persona', id: persona.id } }, em);
      return account.id;
    });
    return this.tokenFor(personaId, accountId);
  }

  async tokenFor(personaId: string, accountId: string): Promise<PersonaTokenDto> {
    const accessToken = await this.tokens.signAccount(accountId, Role.Patient, this.config.jwtTtlSeconds);
    return { personaId, tokenType: 'Bearer', accessToken, expiresIn: this.config.jwtTtlSeconds };
  }

  /** The signed-in patient's own persona, opened. */
  async profile(accountId: string): Promise<PersonaResponseDto> {
    const { persona, fields } = await this.opened(accountId);
    const aadhaar = (persona.aadhaarRef && (await this.vault.masked(persona.aadhaarRef))) ?? 'XXXX XXXX XXXX';
    const { publicKey, encryptedPseudonym, ...shown } = fields;
    return { personaId: persona.id, ...shown, aadhaar, verifiedAt: persona.verifiedAt!, keysSet: !!publicKey && !!encryptedPseudonym };
  }

  /**
   * The patient's software hands over the persona key's public half and the pseudonym encrypted
   * to it (DESIGN "Patient registration"): the gateway checks their form, never sees the
   * pseudonym, and keeps both sealed with the other fields. Set once: a stolen persona token
   * cannot swap the patient's pseudonym for another.
   */
  async setKeys(accountId: string, dto: PersonaKeysDto): Promise<void> {
    const key = rsaPublicKeyBytes(dto.publicKey);
    if ('problem' in key) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'PUBLIC_KEY_INVALID', key.problem);
    const ciphertext = Buffer.from(dto.encryptedPseudonym, 'base64');
    if (ciphertext.toString('base64') !== dto.encryptedPseudonym || ciphertext.length !== key.bytes) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'ENCRYPTED_PSEUDONYM_INVALID', `encryptedPseudonym must be base64 of one RSA-OAEP block of this key (${key.bytes} bytes)`);
    }
    await this.db.transaction(async (em) => {
      // Locked: of two hand-overs at once (the device and a stolen token), the second finds the first's.
      const { persona, fields } = await this.opened(accountId, em, true);
      if (fields.publicKey || fields.encryptedPseudonym) throw new ApiError(HttpStatus.CONFLICT, 'PERSONA_KEYS_SET', 'Your public key and pseudonym are set already');
      await this.store.setFields(persona.id, resealPersona(this.keyring, persona.id, persona.wrappedKey!, { ...fields, publicKey: dto.publicKey, encryptedPseudonym: dto.encryptedPseudonym }), em);
    });
  }

  async encryptedPseudonym(accountId: string): Promise<EncryptedPseudonymDto> {
    const { fields } = await this.opened(accountId);
    if (!fields.encryptedPseudonym) throw new NotFoundError('PSEUDONYM_NOT_SET', 'Your software has not handed over your pseudonym yet (PUT /v1/persona/keys)');
    return { encryptedPseudonym: fields.encryptedPseudonym };
  }

  private async opened(accountId: string, em?: EntityManager, lock = false): Promise<{ persona: PersonaRow; fields: PersonaFields }> {
    const persona = await this.store.findByAccount(accountId, em, lock);
    if (persona?.status !== 'verified' || !persona.wrappedKey || !persona.sealedFields) throw personaNotFound();
    return { persona, fields: openPersona(this.keyring, persona.id, persona.wrappedKey, persona.sealedFields) };
  }

  /**
   * Erasure (the patient's right under India's DPDP Act 2023, s. 12): the persona's data key is
   * destroyed, so its fields are unreadable wherever a copy lies; its vault entry goes unless a
   * practitioner's account still names it; the account is disabled and its tokens end. Takes a
   * fresh one-time code (POST /v1/auth/persona/codes), so a stolen token alone cannot erase.
   */
  async erase(accountId: string, codeId: string, code: string, context: AuditContext): Promise<void> {
    const persona = await this.store.findByAccount(accountId);
    if (persona?.status !== 'verified') throw personaNotFound();
    const spentFor = await this.codes.spend(codeId, code, 'sign-in', HttpStatus.UNPROCESSABLE_ENTITY);
    if (spentFor !== persona.id) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'CODE_INVALID', 'The code is wrong, or was not issued for this');
    await this.credentials.changing(accountId, async (em) => {
      await this.store.erase(persona.id, em);
      // A practitioner's account may name the same entry (a doctor who is a patient too): then it stays.
      const reference = persona.aadhaarRef;
      if (reference) await this.vault.eraseUnlessNamed(reference, em, () => this.accounts.aadhaarRefInUse(reference, em));
      await this.accounts.setDisabled(accountId, new Date(), em);
      await this.audit.record(context, { event: 'persona.erased', target: { type: 'persona', id: persona.id } }, em);
    });
  }
}
