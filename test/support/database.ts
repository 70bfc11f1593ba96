import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import { findRepoRoot } from '../../gateway/src/chain/artifacts';
import { AppConfig } from '../../gateway/src/config/app-config';
import { COMPANION_SCHEMAS, companionSchema } from '../../gateway/src/database/companion-schemas';
import { dataSourceOptions, openDataSource } from '../../gateway/src/database/data-source';
import { ENTITIES } from '../../gateway/src/entities';

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
    for (const schema of [config.schema, ...COMPANION_SCHEMAS.map((which) => companionSchema(config.schema, which))]) {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  } finally {
    await admin.destroy();
  }
}

/**
 * A migrated PGlite data directory, made once per set of migrations and copied for each test
 * app: a fresh directory costs PGlite ~5 s of initdb, a copy ~1 s. data-source.spec.ts still
 * migrates a fresh one, which is what it tests. Kept in build/test-pglite/<key>.
 */
export async function seedPgliteFromTemplate(pgliteDir: string): Promise<void> {
  const template = await pgliteTemplate();
  await cp(template, pgliteDir, { recursive: true });
}

export async function pgliteTemplate(): Promise<string> {
  const root = findRepoRoot();
  const hash = createHash('sha256');
  for (const file of (await readdir(join(root, 'migrations'))).sort()) hash.update(file).update(await readFile(join(root, 'migrations', file)));
  hash.update(JSON.parse(await readFile(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')).version);
  const dir = join(root, 'build', 'test-pglite', hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  await mkdir(dirname(dir), { recursive: true });
  const scratch = await mkdtemp(`${dir}.tmp-`);
  const db = await openDataSource(dataSourceOptions({ url: undefined, schema: 'public', pgliteDir: scratch }, ENTITIES));
  await db.destroy();
  // Another worker may have finished first: theirs is as good, keep it.
  await rename(scratch, dir).catch(() => rm(scratch, { recursive: true, force: true }));
  return dir;
}
