// The bench's Markdown summary: every measurement, its change against the previous run, the
// floors measured in the same run, and each gateway figure as a share of its floor.
import type { CaliperStats } from './stats';
import type { FloorRow, Floors } from './floors';
import type { GatewayFigures } from './gateway-metrics';

export interface Row {
  scenario: string;
  clients: number;
  operations: number;
  blockTimeSeconds: number | null;
  database: string;
  workers: number;
  stats: CaliperStats;
  /** Gateway CPU (user + system, every worker) per successful operation, ms; null for a remote target. */
  cpuMsPerOperation: number | null;
  anchorLagSeconds: { p50: number; p95: number; max: number; sampled: number; unanchored: number; all: number[] } | null;
  /** From the gateway's /metrics; event-loop figures only with one worker (a scrape reaches one of several). */
  gateway: GatewayFigures | null;
  /** A shorter run of the same scenario, for throughput against run length. */
  lengthSweep?: true;
}

const key = (row: Row): string => `${row.scenario}|${row.clients}|${row.operations}|${row.blockTimeSeconds}|${row.database}|${row.workers ?? 1}`;
const change = (now: number, before: number | undefined): string =>
  before === undefined || !Number.isFinite(before) || before === 0 ? '' : ` (${now >= before ? '+' : ''}${Math.round(((now - before) / before) * 100)}%)`;
const pct = (share: number): string => `${Math.round(share * 100)}%`;

function measurements(rows: readonly Row[], previous: readonly Row[]): string[] {
  const before = new Map(previous.map((row) => [key(row), row]));
  const lines = [
    '| scenario | blocks | clients | ops | send rate /s | throughput /s | p50 ms | p95 ms | p99 ms | max ms | failures | gateway CPU ms/op | event loop busy / delay p99 ms | records per tx | anchor lag p50 / p95 s |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    const was = before.get(key(row));
    const { stats: s, gateway: g, anchorLagSeconds: lag } = row;
    lines.push(`| ${[
      row.scenario, row.blockTimeSeconds ? `${row.blockTimeSeconds} s` : '—', row.clients, row.operations, s.sendRate, `${s.throughput}${change(s.throughput, was?.stats.throughput)}`,
      s.latencyMs.p50, s.latencyMs.p95, `${s.latencyMs.p99}${change(s.latencyMs.p99, was?.stats.latencyMs.p99)}`, s.latencyMs.max,
      `${s.failed} (${(s.failureRate * 100).toFixed(1)}%)`, row.cpuMsPerOperation ?? '—',
      g && row.workers === 1 ? `${pct(g.eventLoopUtilisation)} / ${g.eventLoopDelayP99Ms}` : '—',
      g?.recordsPerTransaction ?? '—',
      lag ? `${lag.p50} / ${lag.p95}${lag.unanchored ? ` (${lag.unanchored} not anchored)` : ''}` : '—',
    ].join(' | ')} |`);
  }
  return lines;
}

function floorTable(floors: Floors): string[] {
  const lines = ['| floor | clients | throughput /s | p50 ms | p99 ms | CPU ms/op |', '|---|--:|--:|--:|--:|--:|'];
  for (const f of floors.rows) lines.push(`| ${f.floor} | ${f.clients} | ${f.stats.throughput} | ${f.stats.latencyMs.p50} | ${f.stats.latencyMs.p99} | ${f.cpuMsPerOperation ?? '—'} |`);
  lines.push('', `Node crypto per 1 KB record (SHA-512, SHA-256, the outbox HMAC, the API key hash), one thread: ${floors.cryptoMicrosecondsPerRecord} µs.`);
  for (const chain of floors.chainTransactionsPerSecond) {
    lines.push(`Chain, ${chain.blockTimeSeconds} s blocks: ${chain.transactions} pre-signed transfers sent pipelined, ${chain.perSecond} transactions/s mined.`);
  }
  return lines;
}

/** Each gateway row against the floor that bounds it at the same number of clients. */
function ratios(rows: readonly Row[], floors: Floors): string[] {
  const floorOf = (name: FloorRow['floor'], clients: number) => floors.rows.find((f) => f.floor === name && f.clients === clients)?.stats.throughput;
  const share = (value: number, floor: number | undefined) => (floor ? pct(value / floor) : '—');
  const lines = [
    '| scenario | blocks | clients | ops | of bare Fastify | of the database statement | of the IPFS store | CPU per op in crypto floors | anchor lag p95 in block periods |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    const upload = row.scenario.startsWith('file ');
    lines.push(`| ${[
      row.scenario, row.blockTimeSeconds ? `${row.blockTimeSeconds} s` : '—', row.clients, row.operations,
      share(row.stats.throughput, floorOf(upload ? 'bare Fastify upload' : 'bare Fastify read', row.clients)),
      upload ? share(row.stats.throughput, floorOf('database statement', row.clients)) : '—',
      row.scenario === 'file a 1 KB document' ? share(row.stats.throughput, floorOf('IPFS store add', row.clients)) : '—',
      row.cpuMsPerOperation === null ? '—' : `${Math.round((row.cpuMsPerOperation * 1000) / floors.cryptoMicrosecondsPerRecord)}×`,
      row.anchorLagSeconds && row.blockTimeSeconds ? (row.anchorLagSeconds.p95 / row.blockTimeSeconds).toFixed(1) : '—',
    ].join(' | ')} |`);
  }
  return lines;
}

export function markdown(rows: readonly Row[], floors: Floors | undefined, previous: { file: string; rows: Row[] } | undefined, header: string, charts: string[]): string {
  const lines = [
    '# Bench results (`npm run bench`)', '', header,
    previous ? `Changes in parentheses are against ${previous.file}.` : 'No previous run to compare with.',
    '', ...measurements(rows, previous?.rows ?? []),
  ];
  if (floors) {
    lines.push('', '## Floors, measured in the same run', '', ...floorTable(floors), '', '## The gateway as a share of its floors', '',
      'Throughput as a share of the floor at the same clients (bare Fastify: HTTP alone; the database statement: a filing\'s transaction alone, one per operation; the IPFS store: distinct 1 KB bodies added to the embedded store alone); gateway CPU per operation in multiples of Node\'s crypto for one record; anchor lag p95 in block periods (target: 2 or less). The chain floor bounds anchoring far above these rates: one anchor transaction carries hundreds of records.',
      '', ...ratios(rows, floors));
  }
  if (charts.length > 0) lines.push('', '## Charts', '', ...charts.map((file) => `![${file}](${file})`));
  return `${lines.join('\n')}\n`;
}
