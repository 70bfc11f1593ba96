import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KeyStore } from './key-store';
import { Keyring } from './keyring';

@Global()
@Module({
  providers: [
    { provide: KeyStore, inject: [APP_CONFIG], useFactory: (config: AppConfig) => KeyStore.open(config.keysDir) },
    { provide: Keyring, inject: [APP_CONFIG], useFactory: (config: AppConfig) => Keyring.open(config.keysDir) },
  ],
  exports: [KeyStore, Keyring],
})
export class KeysModule {}
