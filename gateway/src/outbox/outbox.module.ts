import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KeyStore } from '../keys/key-store';
import { OutboxHandlers } from './outbox-handlers';
import { OutboxMacKey } from './outbox-mac';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxService } from './outbox.service';
import { OutboxStore } from './outbox.store';
import { PostgresSenderLock, ProcessSenderLock, SenderLock, senderLockKey } from './sender-lock';

/** The chain-write outbox. Features provide their OutboxHandler classes; OutboxHandlers finds them. */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    OutboxStore,
    OutboxHandlers,
    OutboxService,
    OutboxMetrics,
    { provide: OutboxMacKey, inject: [KeyStore], useFactory: (keys: KeyStore) => new OutboxMacKey(keys.outboxMacKey()) },
    {
      provide: SenderLock,
      inject: [getDataSourceToken(), APP_CONFIG],
      useFactory: (db: DataSource, config: AppConfig) =>
        config.database.url ? new PostgresSenderLock(db, senderLockKey(config.database.schema)) : new ProcessSenderLock(config.database.pgliteDir),
    },
  ],
  exports: [OutboxService],
})
export class OutboxModule {}
