import type { AddressInfo } from 'node:net';
import { Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../gateway/src/app.factory';
import { AccountsService } from '../../gateway/src/accounts/accounts.service';
import { createLogger } from '../../gateway/src/common/logger';
import { AppConfig, loadConfig } from '../../gateway/src/config/app-config';
import { SNAPSHOT_SETTINGS, seedFromSnapshot } from './chain-snapshot';
import { dropTestSchema, seedPgliteFromTemplate, testDatabase } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  http: ReturnType<typeof request>;
  /** Set on the first start of a data directory, as `npm start` prints it. */
  admin: { username: string; password: string } | null;
  /** Every log line the gateway wrote, to check that secrets never reach a log. */
  logs: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Restart on this earlier app's data directory and database. */
  previous?: AppConfig;
  /** The feature modules to boot (default: all, as `npm start`); infrastructure always boots. */
  features?: readonly Type[];
}

/**
 * Starts the gateway in-process exactly as `npm start` does (createApp), on real components:
 * Anvil (automine unless a test asks for block time), PGlite or DATABASE_URL's Postgres, and
 * the embedded IPFS store, all under a temporary data directory. On the embedded chain the
 * contracts come deployed, from the run's saved chain (chain-snapshot.ts), unless the test
 * changes a setting the deployment depends on.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.previous?.dataDir ?? (await mkdtemp(join(tmpdir(), 'ehr-e2e-')));
  const config = loadConfig({
    DATA_DIR: dataDir,
    CHAIN_BLOCK_TIME: '0',
    ANVIL_PORT: '0',
    OUTBOX_INTERVAL_MS: '100',
    LOG_LEVEL: 'info',
    // The suite signs in and writes far faster than any person: limits a test does not set itself
    // are out of its way (rate-limits.e2e-spec.ts sets them, and the defaults are in app-config.spec.ts).
    ...GENEROUS_LIMITS,
    ...externalChain(),
    ...options.env,
  });
  const settings = { ...externalChain(), ...options.env };
  if (!options.previous && embeddedChain() && !SNAPSHOT_SETTINGS.some((name) => settings[name] !== undefined)) {
    await seedFromSnapshot(config);
  }
  if (!options.previous && process.env.E2E_CHAIN_KEY_FILE) {
    // A permissioned network (Besu) only accepts allowlisted accounts: use the generated gateway key.
    await mkdir(config.keysDir, { recursive: true, mode: 0o700 });
    await copyFile(process.env.E2E_CHAIN_KEY_FILE, join(config.keysDir, 'chain-account.key'));
  }
  config.database = options.previous?.database ?? testDatabase(config.database.pgliteDir);
  if (!options.previous && !config.database.url) await seedPgliteFromTemplate(config.database.pgliteDir);

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await createApp(config, createLogger(config.logLevel, sink), options.features);
  const admin = await app.get(AccountsService).bootstrapAdmin();
  return {
    app,
    config,
    http: request(app.getHttpServer()),
    admin,
    logs,
    close: () => app.close(),
  };
}

const GENEROUS_LIMITS = {
  RATE_LIMIT_PER_ADDRESS: '1000000',
  RATE_LIMIT_LOGINS_PER_ADDRESS: '1000000',
  RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS: '1000000',
  RATE_LIMIT_WRITES_PER_ACCOUNT: '1000000',
  LOGIN_FAILURES_BEFORE_BACKOFF: '1000',
};

/**
 * The same suite runs against a real network (`npm run test:compose`): CHAIN_RPC_URL,
 * CHAIN_ID and CONSORTIUM_AUTHORITIES from the environment replace the embedded Anvil.
 */
export function externalChain(): Record<string, string> {
  const pass = ['CHAIN_RPC_URL', 'CHAIN_ID', 'CONSORTIUM_AUTHORITIES', 'CONSORTIUM_THRESHOLD'] as const;
  return Object.fromEntries(pass.filter((name) => process.env[name]).map((name) => [name, process.env[name]!]));
}

/** The id of the chains tests start as a network (CHAIN_RPC_URL): never a reserved development id. */
export const NETWORK_TEST_CHAIN_ID = 4_242_424;

/** True when the tests run on the embedded chain, which they may stop and restart. */
export const embeddedChain = (): boolean => !process.env.CHAIN_RPC_URL;

/** Serves the test gateway on a free loopback port, for clients that need a URL (a browser): its base URL. */
export async function servedAt(gw: TestApp): Promise<string> {
  await gw.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(gw.app.getHttpServer().address() as AddressInfo).port}`;
}

/** Removes what a test gateway persisted (its data directory and, on Postgres, its schema). */
export async function removeGatewayData(config: AppConfig): Promise<void> {
  await dropTestSchema(config.database);
  await rm(config.dataDir, { recursive: true, force: true });
}
