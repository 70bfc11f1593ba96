import { Global, INestApplicationContext, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eth } from 'web3';
import { AppConfig, ConfigError, loadConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { KeyStore } from '../keys/key-store';
import { AnvilProcess } from './anvil-process';
import { ChainClient } from './chain-client';
import { ChainModule, ChainRuntime } from './chain.module';
import { RecordAnchors } from './record-anchors';

// The one thing ChainModule needs from the keys feature, without its files on disk.
const chainKey = `0x${randomBytes(32).toString('hex')}`;
const authorityKeys = [1, 2, 3].map(() => `0x${randomBytes(32).toString('hex')}`);
const keyStoreStub = { chainPrivateKey: () => chainKey, devAuthorityKeys: async () => authorityKeys } as unknown as KeyStore;

@Global()
@Module({ providers: [{ provide: KeyStore, useValue: keyStoreStub }], exports: [KeyStore] })
class KeysStubModule {}

function boot(config: AppConfig): Promise<INestApplicationContext> {
  @Module({ imports: [ConfigModule.forRoot(config), KeysStubModule, ChainModule] })
  class TestAppModule {}
  return NestFactory.createApplicationContext(TestAppModule, { logger: false, abortOnError: false });
}

describe(ChainModule.name, () => {
  let dataDir: string;
  const apps: INestApplicationContext[] = [];
  const anvils: AnvilProcess[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dataDir = await mkdtemp(join(tmpdir(), 'ehrchain-chain-module-'));
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await Promise.all(anvils.map((anvil) => anvil.stop()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('boots an embedded chain with deployed contracts, and finds them again after a restart', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, ANVIL_PORT: '0', CHAIN_BLOCK_TIME: '0' }, dataDir);
    const recordId = `0x${randomBytes(32).toString('hex')}`;
    const digest = createHash('sha512').update('boot').digest();

    const first = await boot(config);
    apps.push(first);
    const anchors = first.get(RecordAnchors);
    await first.get(ChainClient).waitForReceipt(await anchors.anchor(recordId, 'bafy-boot', digest), 10_000);
    const anvil = first.get(ChainRuntime).anvil;
    await first.close();
    apps.pop();

    expect(anvil?.isRunning).toBe(false);
    expect(anvil?.exitedUnexpectedly).toBe(false);
    expect(existsSync(join(config.chain.dir, 'anvil-state.json'))).toBe(true);
    expect(existsSync(join(config.chain.dir, 'deployments.json'))).toBe(true);

    const second = await boot(config);
    apps.push(second);
    const sut = second.get(RecordAnchors);
    expect(sut.address).toBe(anchors.address);
    expect((await sut.anchorOf(recordId))?.cid).toBe('bafy-boot');
  });

  it('refuses to start when the chain reports another chain id than CHAIN_ID, naming it', async () => {
    const other = await AnvilProcess.start({ port: 0, chainId: 4_242_424, blockTimeSeconds: 0 });
    anvils.push(other);
    const dir = join(dataDir, 'other');
    const config = loadConfig({ DATA_DIR: dir, CHAIN_RPC_URL: other.rpcUrl, CHAIN_ID: '4242425', CONSORTIUM_AUTHORITIES: '0x1111111111111111111111111111111111111111' }, dir);

    const error = await boot(config).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('CHAIN_ID');
    expect(existsSync(join(config.chain.dir, 'deployments.json'))).toBe(false);
  });

  it.each([1337, 31337])('refuses a network whose id is a development default (%i), naming CHAIN_RPC_URL', async (chainId) => {
    const development = await AnvilProcess.start({ port: 0, chainId, blockTimeSeconds: 0 });
    anvils.push(development);
    const dir = join(dataDir, `development-${chainId}`);
    const config = loadConfig({ DATA_DIR: dir, CHAIN_RPC_URL: development.rpcUrl, CONSORTIUM_AUTHORITIES: '0x1111111111111111111111111111111111111111' }, dir);

    const error = await boot(config).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`names a chain with id ${chainId}, which is reserved for development chains`);
    expect(existsSync(join(config.chain.dir, 'deployments.json'))).toBe(false);
  });

  it('deploys the whole suite wired together: authorities, threshold and the directory each contract consults', async () => {
    const dir = join(dataDir, 'suite');
    const config = loadConfig({ DATA_DIR: dir, ANVIL_PORT: '0', CHAIN_BLOCK_TIME: '0', EMERGENCY_MAX_HOURS: '12' }, dir);
    const app = await boot(config);
    apps.push(app);
    const { client, addresses } = app.get(ChainRuntime);
    const call = async (name: string, method: string, args: unknown[] = []) => (await client.call(client.contract(name, addresses[name]), method, args))[0];
    const lower = (value: unknown) => String(value).toLowerCase();

    const expected = authorityKeys.map((key) => eth.accounts.privateKeyToAddress(key).toLowerCase());
    expect(((await call('ConsortiumRegistry', 'authorities')) as string[]).map(lower)).toEqual(expected);
    expect(await call('ConsortiumRegistry', 'authorityThreshold')).toBe(2n);
    expect(await call('ConsortiumRegistry', 'isAuthority', [client.address])).toBe(false); // the gateway governs nothing
    expect(lower(await call('EmergencyAccess', 'directory'))).toBe(addresses.ConsortiumRegistry.toLowerCase());
    expect(await call('EmergencyAccess', 'maxDuration')).toBe(12n * 3600n);
    expect(await call('EmergencyAccess', 'approvalWindow')).toBe(2n * 3600n);
    expect(lower(await call('ConsentManager', 'directory'))).toBe(addresses.ConsortiumRegistry.toLowerCase());
    // Trust model 8: the k-of-n authorities, through ConsortiumRoleAdmin, administer the writers' contracts; the gateway only writes.
    expect(lower(await call('ConsortiumRoleAdmin', 'registry'))).toBe(addresses.ConsortiumRegistry.toLowerCase());
    expect(await call('ConsortiumRoleAdmin', 'authorityThreshold')).toBe(2n);
    for (const [name, writerRole] of [['RecordAnchors', 'ANCHORER_ROLE'], ['AccessLog', 'LOGGER_ROLE']] as const) {
      expect(lower(await call(name, 'defaultAdmin'))).toBe(addresses.ConsortiumRoleAdmin!.toLowerCase());
      expect(await call(name, 'hasRole', [await call(name, 'DEFAULT_ADMIN_ROLE'), client.address])).toBe(false);
      expect(await call(name, 'hasRole', [await call(name, writerRole), client.address])).toBe(true);
    }
  });

  it('makes CONTRACTS_ADMIN the writers\' admin when set, and refuses the gateway\'s own key there', async () => {
    const admin = eth.accounts.privateKeyToAddress(`0x${randomBytes(32).toString('hex')}`);
    const dir = join(dataDir, 'admin-override');
    const app = await boot(loadConfig({ DATA_DIR: dir, ANVIL_PORT: '0', CHAIN_BLOCK_TIME: '0', CONTRACTS_ADMIN: admin }, dir));
    apps.push(app);
    const { client, addresses } = app.get(ChainRuntime);
    for (const name of ['RecordAnchors', 'AccessLog']) {
      expect((await client.call(client.contract(name, addresses[name]!), 'defaultAdmin', []))[0]).toBe(admin);
    }

    const gatewayKey = eth.accounts.privateKeyToAddress(chainKey);
    const ownDir = join(dataDir, 'admin-gateway');
    const error = await boot(loadConfig({ DATA_DIR: ownDir, ANVIL_PORT: '0', CHAIN_BLOCK_TIME: '0', CONTRACTS_ADMIN: gatewayKey }, ownDir)).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('CONTRACTS_ADMIN');
  });
});
