import 'reflect-metadata';
import { AppConfig, loadConfigOrExit } from './config/app-config';
import { dataSourceOptions, openDataSource } from './database/data-source';
import { ENTITIES } from './entities';
import { vaultKeyTable } from './identity/aadhaar-vault';
import { Keyring } from './keys/keyring';
import { rewrapTable, WrappedKeyTable } from './keys/rewrap';
import { personaKeyTable } from './persona/persona-fields';
import { recordKeyTable } from './records/record-document';
import { webhookKeyTable } from './webhooks/webhook-sender';

/** Every table of keyring-wrapped data keys (the composition root knows the features). */
export const WRAPPED_KEY_TABLES = (mainSchema: string): WrappedKeyTable[] => [personaKeyTable(mainSchema), vaultKeyTable(mainSchema), recordKeyTable(mainSchema), webhookKeyTable(mainSchema)];

/**
 * `npm run keys:rotate`: adds a key to the keyring and makes it the active one, then rewraps
 * every data key (personas, Aadhaar vault) under it; no persona field or number is read or
 * rewritten. `--rewrap-only` skips the rotation: for a keyring that is a mounted secret, rotated
 * where it is provisioned. Running gateways pick the new key up from the file on first sight
 * of it. On PGlite (no DATABASE_URL), stop the gateway first: PGlite is one process's database.
 */
export async function rotateKeys(config: AppConfig, options: { rotate: boolean }): Promise<{ activeKeyId: string; rewrapped: Record<string, number> }> {
  const keyring = await Keyring.open(config.keysDir);
  if (options.rotate) await keyring.rotate();
  const db = await openDataSource(dataSourceOptions(config.database, ENTITIES));
  try {
    const rewrapped: Record<string, number> = {};
    for (const table of WRAPPED_KEY_TABLES(config.database.schema)) rewrapped[`${table.schema}.${table.table}`] = await rewrapTable(db, keyring, table);
    return { activeKeyId: keyring.activeKeyId, rewrapped };
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--rewrap-only');
  if (unknown.length > 0) {
    process.stderr.write(`Unknown argument ${unknown[0]}; usage: npm run keys:rotate [-- --rewrap-only]\n`);
    process.exit(64);
  }
  const config = loadConfigOrExit();
  const result = await rotateKeys(config, { rotate: !args.includes('--rewrap-only') });
  process.stdout.write(`${JSON.stringify({ event: 'keys_rotated', ...result })}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`EHRChain key rotation failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
