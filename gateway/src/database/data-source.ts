import { mkdirSync } from 'node:fs';
import { DataSource, DataSourceOptions } from 'typeorm';
import { serialPgliteDriver } from './pglite-driver';
import { MIGRATIONS } from '../../../migrations';
import { AppConfig } from '../config/app-config';
import { DependencyUnavailableError } from '../common/errors';

/**
 * The entity classes the application maps; the composition root (gateway/src/entities.ts) lists
 * them. `Function` because that is how TypeORM types an entity class.
 */
export type EntityClasses = readonly Function[];

/**
 * Postgres when DATABASE_URL is set, PGlite (Postgres in WASM, persisted under data/) otherwise.
 * The schema comes only from migrations: synchronize stays off.
 */
export function dataSourceOptions(config: AppConfig['database'], entities: EntityClasses): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: [...entities],
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // gen_random_uuid() is built in since Postgres 13; PGlite has no uuid-ossp to install.
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
  };
  if (config.url) {
    return {
      ...common,
      url: config.url,
      schema: config.schema,
      // Every pooled connection resolves unqualified names in our schema.
      extra: { options: `-c search_path=${config.schema}`, max: 10, connectionTimeoutMillis: 5000 },
    };
  }
  mkdirSync(config.pgliteDir, { recursive: true });
  return { ...common, schema: config.schema, driver: serialPgliteDriver(config.pgliteDir) };
}

/** Connects, creates the schema if needed and applies pending migrations. */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DependencyUnavailableError('database', error);
  }
  const schema = (options as { schema?: string }).schema ?? 'public';
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  // PGlite has a single connection, so one SET covers every later query.
  if (!('url' in options)) await dataSource.query(`SET search_path TO "${schema}"`);
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
