import { Global, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { eth } from 'web3';
import { AppConfig, ConfigError, DEV_AUTHORITIES, EMBEDDED_CHAIN_ID, RESERVED_CHAIN_IDS } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KeyStore } from '../keys/key-store';
import { AnvilProcess } from './anvil-process';
import { ChainClient } from './chain-client';
import { contractSuite } from './contract-suite';
import { CONTRACT_WRAPPERS } from './contracts';
import { DeployedContract, ensureDeployed } from './deployments';

/**
 * The connected chain: the embedded Anvil (when CHAIN_RPC_URL is unset), the client and the
 * contract addresses. Built once at boot; the application does not start until it is ready.
 */
export class ChainRuntime {
  private readonly logger = new Logger(ChainRuntime.name);

  private constructor(
    readonly client: ChainClient,
    /** The id the chain reports: the chainId of every EIP-712 domain the gateway builds. */
    readonly chainId: number,
    readonly contracts: Readonly<Record<string, DeployedContract>>,
    /** Undefined when the gateway uses an existing chain. */
    readonly anvil: AnvilProcess | undefined,
  ) {
    void anvil?.whenExited().then((exit) => {
      if (anvil.exitedUnexpectedly) {
        // Health reports the chain as down from here on (connection refused); writes wait in the outbox.
        this.logger.error({ event: 'embedded_chain_exited', code: exit.code, signal: exit.signal, stderr: exit.stderrTail });
      }
    });
  }

  /** `authorities`: the consortium's authority addresses (ConsortiumRegistry's constructor). */
  static async start(config: AppConfig, privateKeyHex: string, authorities: string[]): Promise<ChainRuntime> {
    const logger = new Logger(ChainRuntime.name);
    let anvil: AnvilProcess | undefined;
    let client: ChainClient | undefined;
    try {
      let rpcUrl = config.chain.rpcUrl ?? config.chain.embeddedRpcUrl;
      if (!rpcUrl) {
        anvil = await startEmbeddedChain(config);
        rpcUrl = anvil.rpcUrl;
        logger.log({ event: 'embedded_chain_started', rpcUrl, blockTimeSeconds: config.chain.blockTimeSeconds });
      }
      client = new ChainClient(rpcUrl, privateKeyHex);
      const chainId = await client.chainId();
      if (config.chain.chainId !== undefined && chainId !== config.chain.chainId) {
        throw new ConfigError('CHAIN_ID', `is ${config.chain.chainId} but the chain at ${rpcUrl} reports ${chainId}`);
      }
      if (config.chain.rpcUrl && RESERVED_CHAIN_IDS.includes(chainId)) {
        // Its EIP-712 domains would be those of development chains: signatures would replay between them.
        throw new ConfigError(
          'CHAIN_RPC_URL',
          `names a chain with id ${chainId}, which is reserved for development chains (${RESERVED_CHAIN_IDS.join(', ')}): ` +
            'a network needs an id of its own (npm run network:generate picks one)',
        );
      }
      const suite = contractSuite(config.consortium, authorities, client.address);
      const contracts = await ensureDeployed(client, join(config.chain.dir, 'deployments.json'), suite, { byGenesis: config.chain.rpcUrl !== undefined });
      const runtime = new ChainRuntime(client, chainId, contracts, anvil);
      logger.log({ event: 'chain_ready', chainId, account: client.address, contracts: runtime.addresses });
      return runtime;
    } catch (error) {
      client?.close();
      await anvil?.stop();
      throw error;
    }
  }

  /** Each contract's address by artifact name. */
  get addresses(): Readonly<Record<string, string>> {
    return Object.fromEntries(Object.entries(this.contracts).map(([name, { address }]) => [name, address]));
  }

  /** The deployed contract named `artifactName`; a programming error if the suite lacks it. */
  contract(artifactName: string): DeployedContract {
    const deployed = this.contracts[artifactName];
    if (!deployed) throw new Error(`The contract suite has no ${artifactName}`);
    return deployed;
  }

  /** Stops the embedded chain gracefully so it dumps its state. */
  async close(): Promise<void> {
    this.client.close();
    await this.anvil?.stop();
  }
}

/** Anvil on the data directory's chain state: `npm start`'s chain (and the workers' primary's). */
export async function startEmbeddedChain(config: AppConfig): Promise<AnvilProcess> {
  await mkdir(config.chain.dir, { recursive: true });
  return AnvilProcess.start({
    port: config.chain.anvilPort,
    chainId: config.chain.chainId ?? EMBEDDED_CHAIN_ID,
    blockTimeSeconds: config.chain.blockTimeSeconds,
    stateFile: join(config.chain.dir, 'anvil-state.json'),
  });
}

@Global()
@Module({
  providers: [
    {
      provide: ChainRuntime,
      inject: [APP_CONFIG, KeyStore],
      // Async factory: Nest awaits it, so the app boots only with a reachable chain and deployed contracts.
      useFactory: async (config: AppConfig, keys: KeyStore) => {
        const authorities =
          config.consortium.authorities ?? (await keys.devAuthorityKeys(DEV_AUTHORITIES.count)).map((key) => eth.accounts.privateKeyToAddress(key));
        return ChainRuntime.start(config, keys.chainPrivateKey(), authorities);
      },
    },
    { provide: ChainClient, inject: [ChainRuntime], useFactory: (runtime: ChainRuntime) => runtime.client },
    ...CONTRACT_WRAPPERS.map((Wrapper) => ({
      provide: Wrapper,
      inject: [ChainRuntime],
      useFactory: (runtime: ChainRuntime) => {
        const { address, blockNumber } = runtime.contract(Wrapper.artifactName);
        return new Wrapper(runtime.client, address, blockNumber);
      },
    })),
  ],
  exports: [ChainRuntime, ChainClient, ...CONTRACT_WRAPPERS],
})
export class ChainModule implements OnApplicationShutdown {
  constructor(private readonly runtime: ChainRuntime) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
