import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiError } from '../common/errors';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/authenticated.decorator';
import { ChainClient } from '../chain/chain-client';
import { IpfsStore } from '../ipfs/ipfs-store';

const TIMEOUT_MS = 3000;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** 200 when the database, the chain and IPFS all answer; 503 naming the one that does not. */
@ApiTags('health')
@Controller({ path: 'health' })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly chain: ChainClient,
    private readonly ipfs: IpfsStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether the database, the chain and IPFS answer (503 naming what is down)', description: 'For load balancers and operators: 200 with each dependency (and the chain head) when all answer within a few seconds; 503 UNHEALTHY with the per-dependency report otherwise.' })
  @Public('Load balancers and operators probe it without credentials')
  @HealthCheck()
  async check() {
    try {
      return await this.runChecks();
    } catch (error) {
      // Keep the one error shape; the per-dependency report goes in `details`.
      if (error instanceof ServiceUnavailableException) {
        throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'UNHEALTHY', 'A dependency is down', error.getResponse() as Record<string, unknown>);
      }
      throw error;
    }
  }

  private runChecks() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: TIMEOUT_MS }),
      () => this.probe('chain', async () => ({ head: Number(await this.chain.blockNumber()) })),
      () => this.probe('ipfs', async () => (await this.ipfs.check(), {})),
    ]);
  }

  private async probe<K extends string>(key: K, fn: () => Promise<Record<string, unknown>>): Promise<HealthIndicatorResult<K>> {
    const indicator = this.indicators.check(key);
    try {
      return indicator.up(await within(TIMEOUT_MS, fn()));
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
