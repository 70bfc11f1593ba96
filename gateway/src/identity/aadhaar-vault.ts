import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
import { Permission, principalHas } from '../auth/permissions';
import { ApiError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { hmacSha256 } from '../crypto/hmac';
import { companionSchema, qualified } from '../database/companion-schemas';
import { openEnvelope, sealEnvelope } from '../keys/envelope';
import { KeyStore } from '../keys/key-store';
import { Keyring } from '../keys/keyring';
import { WrappedKeyTable } from '../keys/rewrap';
import { maskAadhaar } from './aadhaar';

const LOOKUP_CONTEXT = 'ehrchain aadhaar lookup v1\0';

/** A vault entry as other tables see it: the random reference, and the number masked for display. */
export interface VaultReference {
  reference: string;
  masked: string;
}

/**
 * The Aadhaar Data Vault (UIDAI's circular on storing Aadhaar numbers; DESIGN trust model 4):
 * the only place an Aadhaar number is kept. Each number is sealed (AES-256-GCM) under a data
 * key of its own, wrapped by the keyring; it is found again by an HMAC under a key kept out of
 * the database, so duplicates are detected without the number; every other table holds the
 * entry's random reference (a UUID, not derived from the number). Reading a number back in full
 * is a permission of its own (`aadhaar.resolve`) and is audited.
 *
 * Only 12-digit Aadhaar numbers enter: a VID is temporary and revocable, and UIDAI forbids
 * storing it; the eKYC provider resolves a VID to its number.
 */
@Injectable()
export class AadhaarVault {
  private readonly entries: string;
  private readonly attempts: string;
  readonly #lookupKey: Buffer;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly keyring: Keyring,
    private readonly audit: SecurityAudit,
    keys: KeyStore,
    @InjectConfig() config: AppConfig,
  ) {
    const schema = companionSchema(config.database.schema, 'aadhaar_vault');
    this.entries = qualified(schema, 'entries');
    this.attempts = qualified(schema, 'attempts');
    this.#lookupKey = keys.aadhaarLookupKey();
  }

  /** The entry for `aadhaar` (12 checked digits), made if the vault does not hold the number yet. */
  async deposit(aadhaar: string, manager?: EntityManager): Promise<VaultReference> {
    if (!/^\d{12}$/.test(aadhaar)) throw new Error('Only a checked 12-digit Aadhaar number enters the vault');
    const em = manager ?? this.db.manager;
    const lookup = this.lookupOf(aadhaar);
    const reference = randomUUID();
    const masked = maskAadhaar(aadhaar);
    const { wrappedKey, keyId, sealed } = sealEnvelope(this.keyring, Buffer.from(aadhaar), aadForEntry(reference));
    const inserted = (await em.query(
      `INSERT INTO ${this.entries} ("reference", "lookup", "wrapped_key", "key_id", "sealed_number", "masked") VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ("lookup") DO NOTHING RETURNING "reference"`,
      [reference, lookup, wrappedKey, keyId, sealed, masked],
    )) as { reference: string }[];
    if (inserted.length > 0) return { reference, masked };
    // Locked until the caller's transaction ends, so an erasure cannot delete the entry between
    // this lookup and the caller's row that will name it (erase locks it too).
    const rows = (await em.query(`SELECT "reference", "masked" FROM ${this.entries} WHERE "lookup" = $1 FOR UPDATE`, [lookup])) as VaultReference[];
    if (!rows[0]) throw new Error('A vault entry vanished between its insert and its lookup');
    return rows[0];
  }

  /** Locks the entry for the rest of `em`'s transaction (before touching rows that name it: the order deposit keeps); whether it exists. */
  async lock(reference: string, em: EntityManager): Promise<boolean> {
    return ((await em.query(`SELECT 1 FROM ${this.entries} WHERE "reference" = $1 FOR UPDATE`, [reference])) as unknown[]).length > 0;
  }

  /** The entry holding `aadhaar`, if any. */
  async find(aadhaar: string, manager?: EntityManager): Promise<VaultReference | null> {
    const rows = (await (manager ?? this.db.manager).query(`SELECT "reference", "masked" FROM ${this.entries} WHERE "lookup" = $1`, [this.lookupOf(aadhaar)])) as VaultReference[];
    return rows[0] ?? null;
  }

  /** `XXXX XXXX 1234` for a reference: what responses may show. */
  async masked(reference: string, manager?: EntityManager): Promise<string | null> {
    const rows = (await (manager ?? this.db.manager).query(`SELECT "masked" FROM ${this.entries} WHERE "reference" = $1`, [reference])) as { masked: string }[];
    return rows[0]?.masked ?? null;
  }

  /**
   * The number behind `reference`, in full, for a caller holding `aadhaar.resolve` (an eKYC
   * re-verification, a regulator's request); each call is in the security audit trail with its
   * purpose, and a refusal too. 403 AADHAAR_RESOLVE_FORBIDDEN without the permission.
   */
  async resolve(reference: string, purpose: string, context: AuditContext): Promise<string> {
    if (!context.actor || !principalHas(context.actor, Permission.AadhaarResolve)) {
      await this.audit.recordRefusal(context, { event: 'permission.denied', target: { type: 'aadhaar_ref', id: reference }, details: { action: 'resolve an Aadhaar reference', code: 'AADHAAR_RESOLVE_FORBIDDEN' } });
      throw new ApiError(HttpStatus.FORBIDDEN, 'AADHAAR_RESOLVE_FORBIDDEN', 'Reading an Aadhaar number in full takes the aadhaar.resolve permission');
    }
    const rows = (await this.db.query(`SELECT "wrapped_key", "sealed_number" FROM ${this.entries} WHERE "reference" = $1`, [reference])) as { wrapped_key: string; sealed_number: Uint8Array }[];
    const row = rows[0];
    if (!row) throw new ApiError(HttpStatus.NOT_FOUND, 'AADHAAR_REF_NOT_FOUND', 'No such vault entry');
    const digits = openEnvelope(this.keyring, row.wrapped_key, row.sealed_number, aadForEntry(reference)).toString();
    await this.audit.record(context, { event: 'aadhaar.resolved', target: { type: 'aadhaar_ref', id: reference }, details: { purpose } });
    return digits;
  }

  /**
   * Removes the entry (its number and data key) unless `stillNamed` (asked once the entry is
   * locked: a deposit naming it in a transaction not yet committed has it locked, and is seen
   * committed by then) says a row still refers to it. Call inside the caller's transaction.
   */
  async eraseUnlessNamed(reference: string, em: EntityManager, stillNamed: () => Promise<boolean>): Promise<boolean> {
    if (!(await this.lock(reference, em)) || (await stillNamed())) return false;
    await em.query(`DELETE FROM ${this.entries} WHERE "reference" = $1`, [reference]);
    return true;
  }

  /**
   * Counts a verification attempt for `aadhaar` (12 digits or a VID) and returns how many were
   * made in the last `windowSeconds`, this one included. Keyed by the lookup hash alone: a
   * number that never verifies is never stored.
   */
  async countAttempt(aadhaarOrVid: string, windowSeconds: number): Promise<number> {
    const lookup = this.lookupOf(aadhaarOrVid);
    await this.db.query(`DELETE FROM ${this.attempts} WHERE "at" < now() - make_interval(secs => $1)`, [windowSeconds]);
    await this.db.query(`INSERT INTO ${this.attempts} ("lookup") VALUES ($1)`, [lookup]);
    const [{ count }] = (await this.db.query(`SELECT count(*)::int AS count FROM ${this.attempts} WHERE "lookup" = $1`, [lookup])) as { count: number }[];
    return count;
  }

  private lookupOf(digits: string): Buffer {
    return hmacSha256(this.#lookupKey, `${LOOKUP_CONTEXT}${digits}`);
  }
}

/** The entry's reference, authenticated with its number and data key: a sealed number moved to another row does not open. */
const aadForEntry = (reference: string): string => `aadhaar-vault/${reference}`;

/** The vault's data keys, for rotation (keys/rewrap.ts). */
export const vaultKeyTable = (mainSchema: string): WrappedKeyTable => ({
  schema: companionSchema(mainSchema, 'aadhaar_vault'),
  table: 'entries',
  id: '"reference"',
  aad: aadForEntry,
});
