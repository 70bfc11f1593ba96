import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { dropTestSchema, testDatabase } from '../../../test/support/database';
import { AccountEntity } from '../accounts/account.entity';
import { Role } from '../auth/permissions';
import { AppConfig } from '../config/app-config';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from '../entities';
import { dataSourceOptions, openDataSource } from './data-source';

describe(openDataSource.name, () => {
  let dir: string;
  let config: AppConfig['database'];
  let sut: DataSource;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehr-db-'));
    config = testDatabase(join(dir, 'pglite'));
    sut = await openDataSource(dataSourceOptions(config, ENTITIES));
  });
  afterAll(async () => {
    await sut?.destroy();
    await dropTestSchema(config);
    await rm(dir, { recursive: true, force: true });
  });

  it('builds through migrations exactly the schema the entities describe', async () => {
    const pending = await sut.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('imports no feature: entities are handed in by the composition root', async () => {
    const infrastructure = ['database', 'config', 'common'].map((dir) => resolve(__dirname, '..', dir));
    const outside: string[] = [];
    for (const file of (await readdir(__dirname)).filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))) {
      const source = await readFile(join(__dirname, file), 'utf8');
      for (const [, specifier] of source.matchAll(/from '(\.[^']+)'/g)) {
        const target = resolve(__dirname, specifier!);
        const allowed = infrastructure.some((dir) => target.startsWith(`${dir}/`)) || relative(resolve(__dirname, '../../..'), target) === 'migrations';
        if (!allowed) outside.push(`${file} -> ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('has no migration left to run on a second open', async () => {
    expect(await sut.showMigrations()).toBe(false);
  });

  it("undoes every migration with its down, and builds the same schema again with its up", async () => {
    const tables = async () =>
      ((await sut.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY 1`, [config.schema])) as { table_name: string }[]).map((r) => r.table_name);
    const before = await tables();
    for (let i = 0; i < MIGRATIONS.length; i++) await sut.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);
    await sut.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(before);
    expect((await sut.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });

  it('reports affected rows for updates (API-key revocation depends on it)', async () => {
    const repo = sut.getRepository(AccountEntity);
    await repo.save(repo.create({ role: Role.Doctor, username: 'affected.rows', passwordHash: null }));
    expect((await repo.update({ username: 'affected.rows' }, { disabledAt: new Date() })).affected).toBe(1);
    expect((await repo.update({ username: 'nobody' }, { disabledAt: new Date() })).affected).toBe(0);
  });

  it('keeps concurrent transactions apart: one rolling back does not undo the other', async () => {
    const repo = sut.getRepository(AccountEntity);
    let releaseFailing!: () => void;
    const failingMayFinish = new Promise<void>((resolve) => (releaseFailing = resolve));
    const failing = sut.transaction(async (manager) => {
      await manager.save(AccountEntity, { role: Role.Doctor, username: 'rolled.back', passwordHash: null });
      await failingMayFinish;
      throw new Error('abort');
    });
    const succeeding = sut.transaction(async (manager) => {
      await manager.save(AccountEntity, { role: Role.Doctor, username: 'committed', passwordHash: null });
    });
    // The second transaction is now queued behind (PGlite) or beside (Postgres) the first.
    releaseFailing();
    await expect(failing).rejects.toThrow('abort');
    await succeeding;
    expect(await repo.existsBy({ username: 'committed' })).toBe(true);
    expect(await repo.existsBy({ username: 'rolled.back' })).toBe(false);
  });
});
