import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KeyStore } from './key-store';

@Global()
@Module({
  providers: [{ provide: KeyStore, inject: [APP_CONFIG], useFactory: (config: AppConfig) => KeyStore.open(config.keysDir) }],
  exports: [KeyStore],
})
export class KeysModule {}
