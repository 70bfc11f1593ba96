import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../gateway/src/config/app-config';

/**
 * The database a test uses: the real Postgres of DATABASE_URL (as CI runs it), each test file
 * in a schema of its own so parallel files never meet; PGlite in `dir` otherwise.
 */
export function testDatabase(dir: string): AppConfig['database'] {
  const url = process.env.DATABASE_URL || undefined;
  return {
    url,
    schema: url ? `t_${randomBytes(6).toString('hex')}` : 'public',
    pgliteDir: dir,
  };
}

/** Drops a test's own schema on real Postgres; PGlite's directory goes with the temp dir. */
export async function dropTestSchema(config: AppConfig['database']): Promise<void> {
  if (!config.url) return;
  const admin = new DataSource({ type: 'postgres', url: config.url });
  await admin.initialize();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${config.schema}" CASCADE`);
  } finally {
    await admin.destroy();
  }
}
