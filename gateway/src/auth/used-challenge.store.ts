import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExpiringIds } from './expiring-ids';
import { RevokedTokenEntity } from './revoked-token.entity';
import { UsedChallengeEntity } from './used-challenge.entity';

/** Used pseudonym sign-in challenges in Postgres. */
@Injectable()
export class UsedChallengeStore extends ExpiringIds<UsedChallengeEntity> {
  constructor(@InjectDataSource() db: DataSource) {
    super(db, UsedChallengeEntity);
  }
}

/** Revoked bearer tokens (logout, refresh) in Postgres. */
@Injectable()
export class RevokedTokenStore extends ExpiringIds<RevokedTokenEntity> {
  constructor(@InjectDataSource() db: DataSource) {
    super(db, RevokedTokenEntity);
  }
}
