import { DataSource, EntityManager, EntityTarget, LessThan } from 'typeorm';

interface ExpiringId {
  id: string;
  expiresAt: Date;
}

/**
 * Ids spent until a time (a sign-in challenge used, a token revoked): the row is what makes
 * the id refused, and it can go once the id would have expired anyway. Queries only, no rules.
 */
export class ExpiringIds<T extends ExpiringId> {
  constructor(
    private readonly db: DataSource,
    private readonly entity: EntityTarget<T>,
  ) {}

  /**
   * Records `id` until `expiresAt`; false when it already was. One INSERT ... ON CONFLICT DO
   * NOTHING, so of two concurrent requests with the same id exactly one gets true.
   */
  async markUsed(id: string, expiresAt: Date, manager?: EntityManager): Promise<boolean> {
    const result = await this.em(manager).createQueryBuilder().insert().into(this.entity).values({ id, expiresAt } as never).orIgnore().returning('id').execute();
    return (result.raw as unknown[]).length === 1;
  }

  has(id: string, manager?: EntityManager): Promise<boolean> {
    return this.em(manager).existsBy(this.entity, { id } as never);
  }

  /** Forgets ids that expired before `at`; the number forgotten. */
  async deleteExpired(at: Date, manager?: EntityManager): Promise<number> {
    return (await this.em(manager).delete(this.entity, { expiresAt: LessThan(at) } as never)).affected ?? 0;
  }

  private em(manager?: EntityManager): EntityManager {
    return manager ?? this.db.manager;
  }
}
