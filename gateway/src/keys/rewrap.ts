import { DataSource } from 'typeorm';
import { qualified } from '../database/companion-schemas';
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
  idColumn: string;
  /** The additional data the key was wrapped with, from its row's id. */
  aad(id: string): string;
}

const PAGE = 500;

/**
 * Rewraps every data key of `table` not under the keyring's active key, a page per
 * transaction; the data the keys open is never read or written. Safe to run again (a key
 * already under the active key is skipped) and beside running gateways (a row is rewritten
 * only if its wrapped key is still the one read). Returns how many keys it rewrapped.
 */
export async function rewrapTable(db: DataSource, keyring: Keyring, table: WrappedKeyTable): Promise<number> {
  const name = qualified(table.schema, table.table);
  const id = `"${table.idColumn}"`;
  let done = 0;
  for (;;) {
    const rows = (await db.query(`SELECT ${id} AS id, "wrapped_key" FROM ${name} WHERE "key_id" <> $1 ORDER BY ${id} LIMIT $2`, [keyring.activeKeyId, PAGE])) as { id: string; wrapped_key: string }[];
    if (rows.length === 0) return done;
    await db.transaction(async (em) => {
      for (const row of rows) {
        const wrapped = keyring.rewrap(row.wrapped_key, table.aad(row.id));
        await em.query(`UPDATE ${name} SET "wrapped_key" = $3, "key_id" = $4 WHERE ${id} = $1 AND "wrapped_key" = $2`, [row.id, row.wrapped_key, wrapped, wrappingKeyId(wrapped)]);
      }
    });
    done += rows.length;
  }
}
