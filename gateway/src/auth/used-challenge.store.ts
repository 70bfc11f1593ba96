import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import { UsedChallengeEntity } from './used-challenge.entity';

/** Used sign-in challenges in Postgres: queries only, no rules. */
@Injectable()
export class UsedChallengeStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records `id` as used; false when it already was. One INSERT ... ON CONFLICT DO NOTHING, so of
   * two concurrent requests with the same challenge exactly one gets true.
   */
  async markUsed(id: string, expiresAt: Date, manager?: EntityManager): Promise<boolean> {
    const result = await this.em(manager)
      .createQueryBuilder()
      .insert()
      .into(UsedChallengeEntity)
      .values({ id, expiresAt })
      .orIgnore()
      .returning('id')
      .execute();
    return (result.raw as unknown[]).length === 1;
  }

  /** Forgets challenges that expired before `at`; the number forgotten. */
  async deleteExpired(at: Date, manager?: EntityManager): Promise<number> {
    return (await this.em(manager).delete(UsedChallengeEntity, { expiresAt: LessThan(at) })).affected ?? 0;
  }

  private em(manager?: EntityManager): EntityManager {
    return manager ?? this.db.manager;
  }
}
