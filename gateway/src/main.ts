import 'reflect-metadata';
import { AccountsService } from './accounts/accounts.service';
import { createApp } from './app.factory';
import { createLogger } from './common/logger';
import { AppConfig, loadConfigOrExit } from './config/app-config';
import cluster from 'node:cluster';
import { narrowTree, protectDataDir } from './config/data-dir';
import { speaksForGateway, superviseWorkers, WORKER_READY } from './workers';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  // Everything the gateway (and the embedded chain it starts) creates is the owner's alone.
  process.umask(0o077);
  if ((await protectDataDir(config.dataDir)) === 'narrowed') {
    logger.warn({ event: 'data_dir_narrowed', dataDir: config.dataDir }, 'The data directory was open to other users; narrowed it and its contents to the owner');
  }
  if (config.workers > 1 && cluster.isPrimary) return superviseWorkers(config, logger);
  const app = await createApp(config, logger);
  if (!config.database.url) await narrowTree(config.database.pgliteDir);
  app.enableShutdownHooks();

  await app.listen({ host: config.host, port: config.port });
  // Only once the port is ours: a failed listen must not leave an admin whose password nobody saw.
  const admin = await app.get(AccountsService).bootstrapAdmin();
  // Under GATEWAY_WORKERS the first worker speaks for all (it starts alone, so the admin is its);
  // whichever process created the admin shows its password, should worker 1 have died first.
  if (speaksForGateway() || admin) printBanner(config, admin);
  // The primary starts the other workers once the first is ready: migrated, deployed, admin made.
  if (cluster.isWorker) process.send?.(WORKER_READY);
}

function printBanner(config: AppConfig, admin: { username: string; password: string } | null): void {
  const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;

  // Printed to the terminal, not logged: the first admin's password is shown exactly once.
  const lines = [
    '',
    'EHRChain gateway is running',
    `  Portal        ${base}/`,
    `  Swagger UI    ${base}/docs`,
    `  OpenAPI JSON  ${base}/docs-json`,
    `  Health        ${base}/health`,
    `  Metrics       ${base}/metrics`,
    `  Data          ${config.dataDir}`,
  ];
  if (config.workers > 1) lines.push(`  Workers       ${config.workers} processes`);
  if (admin) {
    lines.push('', 'First start: an administrator was created. Save this password now; it is not shown again.',
      `  username  ${admin.username}`, `  password  ${admin.password}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

main().catch((error: unknown) => {
  process.stderr.write(`EHRChain gateway failed to start: ${describe(error)}\n`);
  process.exit(1);
});
