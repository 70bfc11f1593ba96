import { Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EmbeddedIpfsStore } from './embedded-ipfs.store';
import { IpfsStore } from './ipfs-store';
import { KuboIpfsStore } from './kubo-ipfs.store';

/**
 * Provides `IpfsStore`: Kubo when IPFS_API_URL is set (docker compose), else the embedded
 * blockstore under DATA_DIR. Both give the same CIDs, so callers never know which one runs.
 */
@Global()
@Module({
  providers: [
    {
      provide: IpfsStore,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): IpfsStore =>
        config.ipfs.apiUrl ? new KuboIpfsStore(config.ipfs.apiUrl) : new EmbeddedIpfsStore(config.ipfs.blocksDir),
    },
  ],
  exports: [IpfsStore],
})
export class IpfsModule implements OnApplicationShutdown {
  constructor(private readonly store: IpfsStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
