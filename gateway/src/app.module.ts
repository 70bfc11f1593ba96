import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AccessModule } from './access/access.module';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BlobsModule } from './blobs/blobs.module';
import { ChainModule } from './chain/chain.module';
import { ConsentsModule } from './consents/consents.module';
import { ConsortiumModule } from './consortium/consortium.module';
import { EmergenciesModule } from './emergencies/emergencies.module';
import { ErrorFilter } from './common/error.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ENTITIES } from './entities';
import { HealthModule } from './health/health.module';
import { IdentityModule } from './identity/identity.module';
import { IpfsModule } from './ipfs/ipfs.module';
import { KeysModule } from './keys/keys.module';
import { MetricsModule } from './metrics/metrics.module';
import { NetworkModule } from './network/network.module';
import { NotificationsModule } from './notifications/notifications.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { OutboxModule } from './outbox/outbox.module';
import { PersonaModule } from './persona/persona.module';
import { ResearchModule } from './research/research.module';
import { RecordsModule } from './records/records.module';

/** What the gateway offers on top of its infrastructure; a test may boot just one of them. */
export const FEATURE_MODULES: readonly Type[] = [BlobsModule, HealthModule, NetworkModule, PersonaModule, RecordsModule, ConsentsModule, AccessModule, EmergenciesModule, NotificationsModule, ResearchModule, ConsortiumModule];

@Module({})
export class AppModule {
  /**
   * The composition root: infrastructure (configuration, keys, database, chain, IPFS, metrics,
   * the callers' accounts and authentication, the outbox) and the feature modules.
   */
  static forRoot(config: AppConfig, features: readonly Type[] = FEATURE_MODULES): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        KeysModule,
        DatabaseModule.forRoot(ENTITIES),
        ChainModule,
        IpfsModule,
        MetricsModule,
        AuditModule,
        IdentityModule,
        AccountsModule,
        AuthModule,
        OutboxModule,
        WebhooksModule,
        ...features,
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
