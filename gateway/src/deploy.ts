import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ChainRuntime } from './chain/chain.module';
import { createLogger, PinoNestLogger } from './common/logger';
import { AppConfig, ConfigError, loadConfigOrExit } from './config/app-config';
import { KeyStore } from './keys/key-store';

/**
 * The compose stack's one-shot `deployer` (`node dist/gateway/src/deploy.js`): deploys the
 * contract suite to CHAIN_RPC_URL with the gateway's own chain account and records the
 * addresses in $DATA_DIR/chain/deployments.json, exactly as the gateway's first start would
 * (the same ChainRuntime.start). Idempotent: a second run finds the file, checks that the code
 * is on chain and deploys nothing. Exit codes: 0 done, 78 bad configuration, 1 failure.
 */
export async function deployContracts(config: AppConfig): Promise<Readonly<Record<string, string>>> {
  if (!config.chain.rpcUrl) {
    throw new ConfigError('CHAIN_RPC_URL', 'is required: the deployer deploys to an existing chain (the embedded chain deploys on npm start)');
  }
  const keyFile = join(config.keysDir, 'chain-account.key');
  try {
    await access(keyFile);
  } catch {
    // KeyStore would generate a fresh key, which a permissioned network does not allowlist, and
    // the gateway would then run with an account that holds none of the contracts' roles.
    throw new ConfigError('KEYS_DIR', `has no chain-account.key (${keyFile}); install the gateway's generated chain key there first`);
  }
  const keys = await KeyStore.open(config.keysDir);
  // loadConfig requires CONSORTIUM_AUTHORITIES whenever CHAIN_RPC_URL is set.
  const runtime = await ChainRuntime.start(config, keys.chainPrivateKey(), config.consortium.authorities ?? []);
  try {
    return runtime.addresses;
  } finally {
    await runtime.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  Logger.overrideLogger(new PinoNestLogger(createLogger(config.logLevel)));
  try {
    const addresses = await deployContracts(config);
    process.stdout.write(`${JSON.stringify({ event: 'contracts_ready', contracts: addresses })}\n`);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    process.stderr.write(`EHRChain contract deployment failed: ${error instanceof Error ? error.message : String(error)}${cause}\n`);
    process.exit(1);
  });
}
