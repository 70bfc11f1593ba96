import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dropTestSchema, testDatabase } from '../../../test/support/database';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, openDataSource } from '../database/data-source';
import { UsedChallengeEntity } from './used-challenge.entity';
import { UsedChallengeStore } from './used-challenge.store';

describe(UsedChallengeStore.name, () => {
  let dir: string;
  let config: AppConfig['database'];
  let db: DataSource;
  let sut: UsedChallengeStore;
  let next = 0;
  const id = () => (++next).toString(16).padStart(32, '0');
  const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehr-challenges-'));
    config = testDatabase(join(dir, 'pglite'));
    db = await openDataSource(dataSourceOptions(config, [UsedChallengeEntity]));
    sut = new UsedChallengeStore(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await dropTestSchema(config);
    await rm(dir, { recursive: true, force: true });
  });

  it('marks a challenge used once; the second time answers false', async () => {
    const challenge = id();
    await expect(sut.markUsed(challenge, inMinutes(5))).resolves.toBe(true);
    await expect(sut.markUsed(challenge, inMinutes(5))).resolves.toBe(false);
  });

  it('lets exactly one of two concurrent uses of a challenge through', async () => {
    const challenge = id();
    const results = await Promise.all([sut.markUsed(challenge, inMinutes(5)), sut.markUsed(challenge, inMinutes(5))]);
    expect(results.sort()).toEqual([false, true]);
  });

  it('forgets only the challenges that have expired', async () => {
    const [expired, live] = [id(), id()];
    await sut.markUsed(expired, inMinutes(-1));
    await sut.markUsed(live, inMinutes(5));
    await expect(sut.deleteExpired(new Date())).resolves.toBeGreaterThanOrEqual(1);
    expect(await db.getRepository(UsedChallengeEntity).existsBy({ id: expired })).toBe(false);
    expect(await db.getRepository(UsedChallengeEntity).existsBy({ id: live })).toBe(true);
  });
});
