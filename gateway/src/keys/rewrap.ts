import { DataSource } from 'typeorm';
import { qualified } from '../database/companion-schemas';
import { DecryptionError } from '../crypto/decryption-error';
import { wrappingKeyId } from './envelope';
import { Keyring } from './keyring';

/**
 * A table of data keys wrapped by the keyring: where they are and what each was bound to. Each
 * feature that wraps keys describes its table (AadhaarVault, the persona store), and the
 * composition root lists them for rotation (keys-rotate.ts).
 */
export interface WrappedKeyTable {
  schema: string;
  table: string;
  /** The SQL of a row's id: a quoted column, or an expression over a composite key (a record's `record_id:version`). */
  id: string;
  /** The additional data the key was wrapped with, from its row's id. */
  aad(id: string): string;
}

const PAGE = 500;

/**
 * Rewraps every data key of `table` not under the keyring's active key, a page per
 * transaction; the data the keys open is never read or written. Safe to run again (a key
 * already under the active key is skipped) and beside running gateways (a row is rewritten
 * only if its wrapped key is still the one read). Returns how many keys it rewrapped. A key that
 * does not unwrap (a row altered or corrupted) is passed over so that every other key is
 * rotated, and then reported by throwing, with the ids of such rows.
 */
export async function rewrapTable(db: DataSource, keyring: Keyring, table: WrappedKeyTable): Promise<number> {
  const name = qualified(table.schema, table.table);
  const { id } = table;
  const unreadable: string[] = [];
  let done = 0;
  for (;;) {
    const rows = (await db.query(`SELECT ${id} AS id, "wrapped_key" FROM ${name} WHERE "key_id" <> $1 AND NOT ((${id})::text = ANY($3::text[])) ORDER BY ${id} LIMIT $2`, [
      keyring.activeKeyId, PAGE, unreadable,
    ])) as { id: string; wrapped_key: string }[];
    if (rows.length === 0) break;
    await db.transaction(async (em) => {
      for (const row of rows) {
        let wrapped: string;
        try {
          wrapped = keyring.rewrap(row.wrapped_key, table.aad(row.id));
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          unreadable.push(row.id);
          continue;
        }
        await em.query(`UPDATE ${name} SET "wrapped_key" = $3, "key_id" = $4 WHERE ${id} = $1 AND "wrapped_key" = $2`, [row.id, row.wrapped_key, wrapped, wrappingKeyId(wrapped)]);
        done += 1;
      }
    });
  }
  if (unreadable.length > 0) {
    throw new Error(`${table.schema}.${table.table}: ${done} keys rewrapped; ${unreadable.length} do not unwrap (altered or corrupt rows): ${unreadable.slice(0, 20).join(', ')}`);
  }
  return done;
}
