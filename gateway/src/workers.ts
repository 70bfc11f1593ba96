import cluster, { Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Logger } from 'pino';
import { AnvilProcess } from './chain/anvil-process';
import { startEmbeddedChain } from './chain/chain.module';
import { AppConfig } from './config/app-config';

/** Whether this process speaks for the gateway (prints the banner): it runs alone, or it is worker 1 on its first start. */
export const speaksForGateway = (): boolean => (process.env.GATEWAY_WORKER_INDEX ?? '1') === '1' && !process.env.GATEWAY_WORKER_RESTARTED;

const RESTART_DELAY_MS = 1_000;
/** What a worker sends the primary once it serves (after migrations, deployment and the first admin). */
export const WORKER_READY = 'ehrchain-worker-ready';

/**
 * GATEWAY_WORKERS=N: this process becomes the primary of N gateway processes sharing the port
 * (Node's cluster hands each connection to one of them). They share the database, the data
 * directory (keys, IPFS blocks) and the chain; the primary itself serves nothing. On the
 * embedded chain, the primary runs Anvil, so it outlives any one worker.
 *
 * Worker 1 starts first and alone (it migrates the database, deploys the contracts, creates the
 * first administrator and prints the banner); the others start once it listens. A worker that
 * dies is started again. SIGTERM/SIGINT stop the workers, then the chain.
 *
 * What stays per process (documented in the README): rate limits and sign-in back-off (N workers
 * allow N times the attempts), /metrics, and a database pool each (N × 10 connections). The outbox
 * sends from one worker at a time (its lock); credential caches hear each other's changes (NOTIFY).
 */
export async function superviseWorkers(config: AppConfig, logger: Logger): Promise<void> {
  let anvil: AnvilProcess | undefined;
  const env: Record<string, string> = {};
  if (!config.chain.rpcUrl && !config.chain.embeddedRpcUrl) {
    anvil = await startEmbeddedChain(config);
    env.CHAIN_EMBEDDED_RPC_URL = anvil.rpcUrl;
    logger.info({ event: 'embedded_chain_started', rpcUrl: anvil.rpcUrl, blockTimeSeconds: config.chain.blockTimeSeconds });
  }
  let stopping = false;
  const workers = new Map<number, Worker>();

  const start = async (index: number, restarted = false): Promise<void> => {
    // A worker started again does not print the banner again (nor could it show a password).
    const worker = cluster.fork({ ...env, GATEWAY_WORKER_INDEX: String(index), ...(restarted ? { GATEWAY_WORKER_RESTARTED: '1' } : {}) });
    workers.set(index, worker);
    worker.on('exit', (code, signal) => {
      if (workers.get(index) === worker) workers.delete(index);
      if (stopping) return;
      logger.error({ event: 'worker_exited', worker: index, code, signal }, 'A gateway worker exited; starting it again');
      setTimeout(() => {
        if (!stopping) void start(index, true).catch(() => undefined);
      }, RESTART_DELAY_MS).unref();
    });
    // Ready (listening, and done with the first admin), or gone before it could be (its own log says why).
    const ready = new Promise<void>((resolve) => worker.on('message', (message) => message === WORKER_READY && resolve()));
    await Promise.race([ready, once(worker, 'exit').then(() => Promise.reject(new Error(`worker ${index} exited while starting`)))]);
  };

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const exits = [...workers.values()].map((worker) => once(worker, 'exit'));
    for (const worker of workers.values()) worker.process.kill('SIGTERM');
    await Promise.all(exits);
    await anvil?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());

  try {
    await start(1);
    await Promise.all(Array.from({ length: config.workers - 1 }, (_, i) => start(i + 2)));
    logger.info({ event: 'workers_ready', workers: config.workers });
  } catch (error) {
    stopping = true;
    for (const worker of workers.values()) worker.process.kill('SIGTERM');
    await anvil?.stop();
    throw error;
  }
}
