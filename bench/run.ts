// `npm run bench`: the gateway under load, as hospital systems use it, reported the way
// Hyperledger Caliper reports (send rate, throughput, latency min/avg/p50/p95/p99/max, failure
// rate) plus our own: gateway CPU per operation, event-loop utilisation and delay, records per
// chain transaction and anchor lag (201 to anchored on chain); every figure beside its floor
// (bare Fastify, the database statement alone, Node crypto, the chain's own rate), measured in
// the same run. A bench, not a test: nothing here asserts a time; targets are reported (issue 11).
//
//   npm run bench                      # the full sweep on an embedded gateway (PGlite), 1 s and 2 s blocks
//   npm run bench -- --quick           # filings (1 KB, 100 KB, FHIR), proven reads, registration; 1/16/64 clients, 300 operations
//   npm run bench -- --database postgres            # DATABASE_URL's Postgres instead of PGlite
//   BENCH_API_KEY=ehr_… npm run bench -- --target http://gateway:3000   # a running deployment (compose)
//   npm run bench -- --only '1 KB document' --clients 1,8 --operations 200  # narrow a run while working on it
//   npm run bench -- --database postgres --workers 2   # GATEWAY_WORKERS=2
//   npm run bench -- --no-floors                       # skip the floors (a quicker look)
//
// Writes bench/results/<timestamp>.json and .md and three SVG charts, and compares with the previous run's JSON.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot } from '../gateway/src/chain/artifacts';
import { anchorLagDistribution, ChartRow, latencyByClients, throughputByRunLength } from './load/charts';
import { chainFloor, cryptoFloor, databaseFloor, Floors, httpFloors, ipfsFloor } from './load/floors';
import { between, readGateway } from './load/gateway-metrics';
import { markdown, Row } from './load/report';
import { caliperStats, closedLoop } from './load/stats';
import { fileRecord, readRecord } from './load/record-scenarios';
import { grantConsent, readUnderConsent, revokeConsent } from './load/access-scenarios';
import { AnchorWatcher, registration, Scenario } from './load/scenarios';
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
    workers: { type: 'string', default: '1' },
    lengths: { type: 'string' },
    'no-floors': { type: 'boolean', default: false },
  },
});
const WORKERS = Number(args.workers);

const list = (raw: string | undefined, fallback: number[]): number[] => raw?.split(',').filter(Boolean).map(Number) ?? fallback;
/** The run-length sweep's scenario: the smallest filing, at the most clients. */
const SWEPT = 'file a 1 KB document';
const fhir = { fhir: true as const };
const doc = (pdfBytes: number): { pdfBytes: number } => ({ pdfBytes });
const scenarios = (): Array<{ scenario: Scenario; operations: number }> =>
  args.quick
    ? [...records([[doc(KB), 300], [doc(100 * KB), 300], [fhir, 300]], [[fhir, 300], [doc(100 * KB), 300]]), ...patients(300), ...consents(100, 300)]
    : [
        ...records([[doc(KB), 5_000], [doc(100 * KB), 2_000], [doc(1024 * KB), 500], [fhir, 2_000]], [[fhir, 3_000], [doc(100 * KB), 3_000]]),
        ...patients(2_000),
        ...consents(500, 3_000),
      ];
/** Registration needs the sandbox eKYC provider, which only the embedded gateway runs (production refuses it). */
function patients(operations: number): Array<{ scenario: Scenario; operations: number }> {
  return args.target ? [] : [{ scenario: registration(), operations }];
}
/**
 * Filings need the hospital's consortium address (filing tokens name it): the embedded gateway's,
 * or BENCH_HOSPITAL_ADDRESS with --target. Reads need the chain too (to register the reading
 * patients' relationships): the embedded gateway only.
 */
function records(filings: Array<[Parameters<typeof fileRecord>[0], number]>, reads: Array<[Parameters<typeof readRecord>[0], number]>): Array<{ scenario: Scenario; operations: number }> {
  const filed = filings.map(([kind, operations]) => ({ scenario: fileRecord(kind), operations }));
  if (args.target) return process.env.BENCH_HOSPITAL_ADDRESS ? filed : [];
  return [...filed, ...reads.map(([kind, operations]) => ({ scenario: readRecord(kind), operations }))];
}
/**
 * Consents and reads under them need the embedded gateway: its development authorities admit the
 * doctors' hospital, its administrator makes their accounts. Each revocation run revokes consents
 * granted for it in preparation, so preparation grants one per operation of every run.
 */
function consents(relays: number, reads: number): Array<{ scenario: Scenario; operations: number }> {
  if (args.target) return [];
  const perRun = Number(args.operations ?? relays);
  return [
    { scenario: grantConsent(), operations: relays },
    { scenario: readUnderConsent(), operations: reads },
    { scenario: revokeConsent(perRun * (CLIENTS.length + 1)), operations: relays },
  ];
}
/** --only "1 KB document": the scenarios whose name contains it. */
const chosen = (): Array<{ scenario: Scenario; operations: number }> => scenarios().filter(({ scenario }) => !args.only || scenario.name.includes(args.only));
const CLIENTS = list(args.clients, args.quick ? [1, 16, 64] : [1, 4, 16, 64, 128]);
/** Run lengths for throughput against run length: 1 KB filings at the most clients (the main sweep adds its own length). */
const LENGTHS = list(args.lengths, args.quick ? [100] : [100, 1_000]);
const BLOCK_TIMES = args.target ? [null] : list(args['block-time'], args.quick ? [1] : [1, 2]);

const progress = (label: string, done: number, total: number): void => {
  const width = 30;
  const filled = Math.round((done / total) * width);
  if (done % Math.max(1, Math.floor(total / 50)) === 0 || done === total) process.stderr.write(`\r${label.padEnd(40)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
};

async function measure(target: Target, scenario: Scenario, clients: number, operations: number, blockTimeSeconds: number | null): Promise<Row> {
  const label = `${scenario.name}, ${clients} clients${blockTimeSeconds ? `, ${blockTimeSeconds} s blocks` : ''}`;
  const watcher = scenario.anchors && scenario.isAnchored ? new AnchorWatcher(target, Math.max(1, Math.floor(operations / 20)), scenario.isAnchored.bind(scenario)) : undefined;
  const gatewayBefore = await readGateway(target);
  const cpuBefore = target.cpuSeconds();
  const samples = await closedLoop(clients, operations, (index) => scenario.operation(target, index, (id) => watcher?.accepted(id)), (done) => progress(label, done, operations));
  const cpuAfter = target.cpuSeconds();
  process.stderr.write('\n');
  const stats = caliperStats(samples);
  const gatewayAfterLoad = await readGateway(target);
  const anchors = watcher ? await watcher.finish() : undefined;
  // Records per transaction over the run and its anchoring: read once the sampled uploads are anchored.
  const gatewayAfterAnchors = anchors ? await readGateway(target) : gatewayAfterLoad;
  const at = (sorted: number[], p: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN) * 100) / 100;
  const gateway = gatewayBefore && gatewayAfterLoad && gatewayAfterAnchors
    ? { ...between(gatewayBefore, gatewayAfterLoad), recordsPerTransaction: between(gatewayBefore, gatewayAfterAnchors).recordsPerTransaction }
    : null;
  return {
    scenario: scenario.name,
    clients,
    operations,
    blockTimeSeconds,
    database: args.target ? 'remote' : args.database!,
    workers: WORKERS,
    stats,
    cpuMsPerOperation: cpuBefore === undefined || cpuAfter === undefined ? null : Math.round(((cpuAfter - cpuBefore) * 1000 * 100) / Math.max(stats.succeeded, 1)) / 100,
    anchorLagSeconds: anchors ? { p50: at(anchors.lags, 50), p95: at(anchors.lags, 95), max: at(anchors.lags, 100), sampled: anchors.lags.length, unanchored: anchors.unanchored, all: anchors.lags.map((lag) => Math.round(lag * 1000) / 1000) } : null,
    gateway,
  };
}

/** The floors, once per run (the chain's per block period); the HTTP and database floors at the sweep's client counts. */
async function measureFloors(): Promise<Floors> {
  const operations = args.quick ? 300 : 2_000;
  const rows = [
    ...(await httpFloors(CLIENTS, operations, 1024, 100 * 1024, progress)),
    ...(await databaseFloor(args.database === 'postgres' ? 'postgres' : 'pglite', CLIENTS, operations, progress)),
    ...(await ipfsFloor(CLIENTS, operations, progress)),
  ];
  process.stderr.write('\n');
  const chainTransactionsPerSecond = [];
  for (const blockTime of BLOCK_TIMES) if (blockTime) chainTransactionsPerSecond.push(await chainFloor(blockTime, args.quick ? 1_000 : 5_000));
  return { rows, cryptoMicrosecondsPerRecord: cryptoFloor(), chainTransactionsPerSecond };
}

/** Writes the three charts beside the results; their file names, for the summary to show. */
async function charts(resultsDir: string, stamp: string, rows: readonly Row[]): Promise<string[]> {
  const chartRows: ChartRow[] = rows.map((row) => ({ ...row, throughput: row.stats.throughput, p50: row.stats.latencyMs.p50, p99: row.stats.latencyMs.p99 }));
  const maxClients = Math.max(...CLIENTS);
  const files: Array<[string, Promise<string>]> = [
    // One block period's rows: a line per scenario is already many lines.
    [`${stamp}-latency.svg`, latencyByClients(chartRows.filter((row) => !row.lengthSweep && row.blockTimeSeconds === BLOCK_TIMES[0]))],
    [`${stamp}-run-length.svg`, throughputByRunLength(chartRows.filter((row) => row.scenario === SWEPT && row.clients === maxClients))],
    [`${stamp}-anchor-lag.svg`, anchorLagDistribution(rows.flatMap((row) => (row.anchorLagSeconds?.all ?? []).map((seconds) => ({ seconds, blockTimeSeconds: row.blockTimeSeconds }))))],
  ];
  for (const [file, svg] of files) writeFileSync(join(resultsDir, file), await svg);
  return files.map(([file]) => file);
}

async function main(): Promise<void> {
  const resultsDir = join(findRepoRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const previousFile = readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort().at(-1);
  const previous = previousFile ? { file: previousFile, rows: (JSON.parse(readFileSync(join(resultsDir, previousFile), 'utf8')) as { rows: Row[] }).rows } : undefined;
  const loadStart = loadavg()[0]!.toFixed(1);
  const rows: Row[] = [];
  for (const blockTime of BLOCK_TIMES) {
    const target = args.target ? remote(args.target) : await startEmbedded({ database: args.database === 'postgres' ? 'postgres' : 'pglite', blockTimeSeconds: blockTime!, workers: WORKERS });
    try {
      for (const { scenario, operations } of chosen()) {
        await scenario.prepare?.(target);
        for (const clients of CLIENTS) rows.push(await measure(target, scenario, clients, Number(args.operations ?? operations), blockTime));
        // Throughput against run length: the same scenario at the most clients, shorter runs.
        if (scenario.name === SWEPT && !args.operations) {
          for (const length of LENGTHS) rows.push({ ...(await measure(target, scenario, Math.max(...CLIENTS), length, blockTime)), lengthSweep: true });
        }
      }
    } finally {
      await target.close();
    }
  }
  const floors = args.target || args['no-floors'] ? undefined : await measureFloors();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const header = [
    `${new Date().toISOString()}: ${args.quick ? 'quick run' : 'full run'} against ${args.target ?? `an embedded gateway (npm start's compiled gateway as a child process, ${args.database}${WORKERS > 1 ? `, ${WORKERS} worker processes` : ''})`}.`,
    `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadStart} at the start and ${loadavg()[0]!.toFixed(1)} at the end, Node ${process.version}; the load generator runs on the same machine.`,
    'Closed-loop clients (each sends its next request when its last answered). Send rate, throughput, latency and failure rate as Caliper defines them; gateway CPU is the gateway\'s user + system time (every worker) per successful operation; event loop busy is its utilisation over the run and delay its p99 (one worker only); records per tx are anchored rows over anchor transactions; anchor lag is the time from the 201 to the GET of the record showing it anchored, for about 20 sampled uploads (polled at most 20 times a second).',
  ].join('\n');
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify({ header, rows, floors }, null, 2)}\n`);
  const summary = markdown(rows, floors, previous, header, await charts(resultsDir, stamp, rows));
  writeFileSync(join(resultsDir, `${stamp}.md`), summary);
  process.stdout.write(summary);
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
