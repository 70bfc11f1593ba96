/**
 * The persona store and the Aadhaar vault live in Postgres schemas of their own, beside the
 * gateway's main schema (DESIGN trust model 1 and 4): an operator can grant the records side no
 * privilege on them, back them up and erase them apart, and a query joining across them has to
 * name them. Their names follow the main schema's, so tests (a schema each) and tenants never
 * share them: `public` gives `persona` and `aadhaar_vault`; `t_1a2b` gives `t_1a2b_persona` and
 * `t_1a2b_aadhaar_vault`.
 */
export type CompanionSchema = 'persona' | 'aadhaar_vault';

export const COMPANION_SCHEMAS: readonly CompanionSchema[] = ['persona', 'aadhaar_vault'];

export function companionSchema(main: string, which: CompanionSchema): string {
  return main === 'public' ? which : `${main}_${which}`;
}

/** `"schema"."table"`, for SQL that names a companion schema's table. */
export function qualified(schema: string, table: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema) || !/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`Not a plain SQL name: ${schema}.${table}`);
  return `"${schema}"."${table}"`;
}
