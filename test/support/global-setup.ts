import { chainSnapshot } from './chain-snapshot';
import { pgliteTemplate } from './database';
import { embeddedChain } from './test-app';

/**
 * Jest globalSetup: deploys the contract suite once for the whole run (chain-snapshot.ts) and
 * makes the migrated PGlite template (database.ts), so that no worker pays for either.
 */
export default async function globalSetup(): Promise<void> {
  if (embeddedChain()) await chainSnapshot();
  if (!process.env.DATABASE_URL) await pgliteTemplate();
}
