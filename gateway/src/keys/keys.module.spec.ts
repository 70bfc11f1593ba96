import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { KeyStore } from './key-store';
import { Keyring } from './keyring';
import { KeysModule } from './keys.module';

describe(KeysModule.name, () => {
  it('provides a Keyring opened in the configured KEYS_DIR beside the KeyStore', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ehr-keys-module-'));
    const keysDir = join(root, 'secrets');
    @Module({ imports: [ConfigModule.forRoot(loadConfig({ KEYS_DIR: keysDir }, root)), KeysModule] })
    class TestAppModule {}
    const app = await NestFactory.createApplicationContext(TestAppModule, { logger: false, abortOnError: false });
    try {
      const keyring = app.get(Keyring);
      expect(keyring.created).toBe(true);
      expect(app.get(KeyStore)).toBeInstanceOf(KeyStore);
      expect((await stat(join(keysDir, 'keyring.json'))).mode & 0o777).toBe(0o600);
    } finally {
      await app.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
