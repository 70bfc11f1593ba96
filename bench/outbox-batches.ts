// Measures the chain-write outbox with real gateways (Anvil, embedded IPFS, PGlite and, when
// DATABASE_URL is set, Postgres), so RecordAnchorHandler.maxBatchSize and the outbox cadence
// can be chosen from numbers. Writes bench/outbox-batches.md. A bench, not a test: nothing
// here asserts a time. Run from the repository root: see RERUN below.
//
// BENCH_SIZES, BENCH_STEADY_SIZES and BENCH_RATES (comma-separated) and BENCH_RECORDS narrow a
// run while working on it; the committed report uses the defaults.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../gateway/src/chain/artifacts';
import { Db } from './outbox/harness';
import { drainTables, readTable, steadyTable } from './outbox/report';
import { DrainResult, measureDrain, measureReads, measureSteady, ReadResult, SteadyResult } from './outbox/scenarios';
import { measureTrees, treeTable } from './outbox/tree';

const RERUN = 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:outbox';
const list = (name: string, fallback: number[]): number[] => process.env[name]?.split(',').filter(Boolean).map(Number) ?? fallback;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 4096);
const SIZES = list('BENCH_SIZES', [64, 128, 256, 512, 1024, 2048]);
const STEADY_SIZES = list('BENCH_STEADY_SIZES', [256, 512, 1024]);
// 100 rows/s is below what the sender manages on this machine: the latency of the cadence itself.
const RATES = list('BENCH_RATES', [100, 500, 2000]);
const WINDOW_MS = 20_000;
const MAX_TAIL_MS = 60_000;
const READ_BLOBS = 50;
const READS = 500;
/**
 * Empty blocks mined before the second read run: 10,000 (2.8 hours of 1-second blocks). A day's
 * 86,400 would make the embedded Anvil dump a state file of over 100 MB every second.
 */
const EXTRA_BLOCKS = 10_000;

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);

async function main(): Promise<void> {
  const loadStart = loadavg()[0]!.toFixed(1);
  const dbs: Db[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  const drains: DrainResult[] = [];
  const steady: SteadyResult[] = [];
  const reads: ReadResult[] = [];
  log('Merkle trees, no gateway');
  const trees = measureTrees(SIZES);
  for (const db of dbs) {
    for (const size of SIZES) {
      log(`${db}: draining ${RECORDS} records in batches of ${size} (automine)`);
      // The read measurement rides on the 512 run's gateway (a chain already holding its batches).
      const withReads = size === 512 || (!SIZES.includes(512) && size === SIZES[0]);
      drains.push(await measureDrain(db, size, RECORDS, withReads ? async (gw) => void reads.push(...(await measureReads(gw, READ_BLOBS, READS, [0, EXTRA_BLOCKS]))) : undefined));
      log(`  ${(drains.at(-1)!.wallMs / 1000).toFixed(2)} s`);
    }
    for (const size of STEADY_SIZES) {
      for (const rate of RATES) {
        log(`${db}: ${rate} rows/s for ${WINDOW_MS / 1000} s in batches of ${size} (1-second blocks)`);
        steady.push(await measureSteady(db, size, rate, WINDOW_MS, MAX_TAIL_MS));
      }
    }
  }
  const narrowed = ['BENCH_SIZES', 'BENCH_STEADY_SIZES', 'BENCH_RATES', 'BENCH_RECORDS'].filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]}`).join(' ');
  const markdown = [
    '# Outbox batch size and cadence: measurements',
    '',
    `Measured by \`bench/outbox-batches.ts\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model.trim()}) shared with other work`,
    `(load average ${loadStart} at the start, ${loadavg()[0]!.toFixed(1)} at the end), Node ${process.version}, one real gateway per row (createApp:`,
    `embedded Anvil, embedded IPFS, ${dbs.join(' and ')}). N = ${RECORDS.toLocaleString('en-US')} blob anchors per drain run, inserted before the clock starts as the rows`,
    'BlobsService.create writes (blob row + outbox row, payload checked by RecordAnchorHandler.validate) but in two multi-row',
    'INSERTs per 512 rows and without the IPFS upload. RecordAnchorHandler.maxBatchSize is set on the provider instance for',
    'each row. Timings come from wrappers around the gateway\'s own instances (bench/outbox/probes.ts), which the bench',
    'does not otherwise change. Each drain run starts with a 64-row warm-up batch that is not counted.',
    '',
    'Rerun (about 25 minutes with Postgres; without DATABASE_URL only PGlite is measured):',
    '',
    '```sh',
    RERUN,
    '```',
    ...(narrowed ? ['', `This file comes from a narrowed run: ${narrowed}.`] : []),
    '',
    drainTables(drains),
    '',
    treeTable(trees),
    '',
    steadyTable(steady, WINDOW_MS),
    '',
    'Rows are enqueued every 20 ms, what is due, in one transaction (at most half a second\'s worth when catching up); the',
    '"enqueued" rate falls short of the offered one when the event loop is blocked. Latency runs from the commit of a row\'s',
    'enqueue to the commit of its batch\'s confirmation; "≥" marks runs where rows were still waiting after the 60 s tail',
    '(counted with the time they had waited). "anchored / s in the window" counts rows confirmed before the load stopped.',
    'Event-loop delay (monitorEventLoopDelay, window and tail) is how long any HTTP request or RPC reply waited to be served.',
    '',
    readTable(reads),
    '',
    `${READ_BLOBS} blobs uploaded through POST /v1/blobs and anchored in one batch, then ${READS} sequential reads over them; the second`,
    `row of each database is after anvil_mine of ${EXTRA_BLOCKS.toLocaleString('en-US')} empty blocks (2.8 hours of 1-second blocks).`,
    '',
  ].join('\n');
  writeFileSync(join(findRepoRoot(), 'bench', 'outbox-batches.md'), markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
