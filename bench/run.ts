// `npm run bench`: the gateway under load, as hospital systems use it, reported the way
// Hyperledger Caliper reports (send rate, throughput, latency min/avg/p50/p95/p99/max, failure
// rate) plus our own: gateway CPU per operation and anchor lag (201 to anchored on chain).
// A bench, not a test: nothing here asserts a time; targets are reported (issue 11).
//
//   npm run bench                      # the full sweep on an embedded gateway (PGlite), 1 s and 2 s blocks
//   npm run bench -- --quick           # three scenarios, 1/16/64 clients, 300 operations: about two minutes
//   npm run bench -- --database postgres            # DATABASE_URL's Postgres instead of PGlite
//   BENCH_API_KEY=ehr_… npm run bench -- --target http://gateway:3000   # a running deployment (compose)
//   npm run bench -- --only 'upload 1 KB' --clients 1,8 --operations 200  # narrow a run while working on it
//
// Writes bench/results/<timestamp>.json and .md, and compares with the previous run's JSON.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot } from '../gateway/src/chain/artifacts';
import { CaliperStats, caliperStats, closedLoop } from './load/stats';
import { AnchorWatcher, Scenario, upload, uploadSame, verifiedRead } from './load/scenarios';
import { remote, startEmbedded, Target } from './load/target';

const KB = 1024;
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    target: { type: 'string' },
    database: { type: 'string', default: 'pglite' },
    clients: { type: 'string' },
    operations: { type: 'string' },
    'block-time': { type: 'string' },
    only: { type: 'string' },
  },
});

interface Row {
  scenario: string;
  clients: number;
  operations: number;
  blockTimeSeconds: number | null;
  database: string;
  stats: CaliperStats;
  /** Gateway CPU (user + system) per successful operation, ms; null for a remote target. */
  cpuMsPerOperation: number | null;
  anchorLagSeconds: { p50: number; p95: number; max: number; sampled: number; unanchored: number } | null;
}

const list = (raw: string | undefined, fallback: number[]): number[] => raw?.split(',').filter(Boolean).map(Number) ?? fallback;
const scenarios = (): Array<{ scenario: Scenario; operations: number }> =>
  args.quick
    ? [{ scenario: upload(KB), operations: 300 }, { scenario: uploadSame(KB), operations: 300 }, { scenario: upload(100 * KB), operations: 300 }, { scenario: verifiedRead(), operations: 300 }]
    : [
        { scenario: upload(KB), operations: 10_000 },
        { scenario: uploadSame(KB), operations: 2_000 },
        { scenario: upload(100 * KB), operations: 2_000 },
        { scenario: upload(1024 * KB), operations: 500 },
        { scenario: verifiedRead(), operations: 5_000 },
      ];
/** --only "upload 1 KB": the scenarios whose name contains it. */
const chosen = (): Array<{ scenario: Scenario; operations: number }> => scenarios().filter(({ scenario }) => !args.only || scenario.name.includes(args.only));
const CLIENTS = list(args.clients, args.quick ? [1, 16, 64] : [1, 4, 16, 64, 128]);
const BLOCK_TIMES = args.target ? [null] : list(args['block-time'], args.quick ? [1] : [1, 2]);

const progress = (label: string, done: number, total: number): void => {
  const width = 30;
  const filled = Math.round((done / total) * width);
  if (done % Math.max(1, Math.floor(total / 50)) === 0 || done === total) process.stderr.write(`\r${label.padEnd(40)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
};

async function measure(target: Target, scenario: Scenario, clients: number, operations: number, blockTimeSeconds: number | null): Promise<Row> {
  const label = `${scenario.name}, ${clients} clients${blockTimeSeconds ? `, ${blockTimeSeconds} s blocks` : ''}`;
  const watcher = scenario.anchors ? new AnchorWatcher(target, Math.max(1, Math.floor(operations / 20))) : undefined;
  const cpuBefore = target.cpuSeconds();
  const samples = await closedLoop(clients, operations, (index) => scenario.operation(target, index, (id) => watcher?.accepted(id)), (done) => progress(label, done, operations));
  const cpuAfter = target.cpuSeconds();
  process.stderr.write('\n');
  const stats = caliperStats(samples);
  const anchors = watcher ? await watcher.finish() : undefined;
  const at = (sorted: number[], p: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN) * 100) / 100;
  return {
    scenario: scenario.name,
    clients,
    operations,
    blockTimeSeconds,
    database: args.target ? 'remote' : args.database!,
    stats,
    cpuMsPerOperation: cpuBefore === undefined || cpuAfter === undefined ? null : Math.round(((cpuAfter - cpuBefore) * 1000 * 100) / Math.max(stats.succeeded, 1)) / 100,
    anchorLagSeconds: anchors ? { p50: at(anchors.lags, 50), p95: at(anchors.lags, 95), max: at(anchors.lags, 100), sampled: anchors.lags.length, unanchored: anchors.unanchored } : null,
  };
}

const key = (row: Row): string => `${row.scenario}|${row.clients}|${row.blockTimeSeconds}|${row.database}`;
const change = (now: number, before: number | undefined): string => (before === undefined || !Number.isFinite(before) || before === 0 ? '' : ` (${now >= before ? '+' : ''}${Math.round(((now - before) / before) * 100)}%)`);

function markdown(rows: Row[], previous: { file: string; rows: Row[] } | undefined, header: string): string {
  const before = new Map(previous?.rows.map((row) => [key(row), row]));
  const lines = [
    '# Bench results (`npm run bench`)',
    '',
    header,
    previous ? `Changes in parentheses are against ${previous.file}.` : 'No previous run to compare with.',
    '',
    '| scenario | blocks | clients | ops | send rate /s | throughput /s | p50 ms | p95 ms | p99 ms | max ms | failures | gateway CPU ms/op | anchor lag p50 / p95 s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const was = before.get(key(row));
    const { stats: s } = row;
    lines.push(`| ${[
      row.scenario, row.blockTimeSeconds ? `${row.blockTimeSeconds} s` : '—', row.clients, row.operations, s.sendRate, `${s.throughput}${change(s.throughput, was?.stats.throughput)}`,
      s.latencyMs.p50, s.latencyMs.p95, `${s.latencyMs.p99}${change(s.latencyMs.p99, was?.stats.latencyMs.p99)}`, s.latencyMs.max,
      `${s.failed} (${(s.failureRate * 100).toFixed(1)}%)`, row.cpuMsPerOperation ?? '—',
      row.anchorLagSeconds ? `${row.anchorLagSeconds.p50} / ${row.anchorLagSeconds.p95}${row.anchorLagSeconds.unanchored ? ` (${row.anchorLagSeconds.unanchored} not anchored)` : ''}` : '—',
    ].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const resultsDir = join(findRepoRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const previousFile = readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort().at(-1);
  const previous = previousFile ? { file: previousFile, rows: (JSON.parse(readFileSync(join(resultsDir, previousFile), 'utf8')) as { rows: Row[] }).rows } : undefined;
  const loadStart = loadavg()[0]!.toFixed(1);
  const rows: Row[] = [];
  for (const blockTime of BLOCK_TIMES) {
    const target = args.target ? remote(args.target) : await startEmbedded({ database: args.database === 'postgres' ? 'postgres' : 'pglite', blockTimeSeconds: blockTime! });
    try {
      for (const { scenario, operations } of chosen()) {
        await scenario.prepare?.(target);
        for (const clients of CLIENTS) rows.push(await measure(target, scenario, clients, Number(args.operations ?? operations), blockTime));
      }
    } finally {
      await target.close();
    }
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const header = [
    `${new Date().toISOString()}: ${args.quick ? 'quick run' : 'full run'} against ${args.target ?? `an embedded gateway (npm start's compiled gateway as a child process, ${args.database})`}.`,
    `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadStart} at the start and ${loadavg()[0]!.toFixed(1)} at the end, Node ${process.version}; the load generator runs on the same machine.`,
    'Closed-loop clients (each sends its next request when its last answered). Send rate, throughput, latency and failure rate as Caliper defines them; gateway CPU is the gateway process\'s user + system time per successful operation; anchor lag is the time from the 201 to GET /v1/blobs/:id showing the blob anchored, for about 20 sampled uploads (polled at most 20 times a second).',
  ].join('\n');
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify({ header, rows }, null, 2)}\n`);
  const summary = markdown(rows, previous, header);
  writeFileSync(join(resultsDir, `${stamp}.md`), summary);
  process.stdout.write(summary);
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
