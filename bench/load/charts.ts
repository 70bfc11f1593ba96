// SVG charts of a bench run, drawn by Vega-Lite (declarative specs rendered headless by Vega):
// latency against clients, throughput against run length, and the anchor-lag distribution.
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };

export interface ChartRow {
  scenario: string;
  clients: number;
  operations: number;
  blockTimeSeconds: number | null;
  throughput: number;
  p50: number;
  p99: number;
  lengthSweep?: true;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SIZE = { width: 520, height: 300 };

/** Renders a Vega-Lite spec to an SVG document. Vega and Vega-Lite are ESM-only, hence the dynamic imports. */
async function svg(spec: TopLevelSpec): Promise<string> {
  const vega = await import('vega');
  const { compile } = await import('vega-lite');
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

const series = (row: ChartRow): string => (row.blockTimeSeconds ? `${row.scenario}, ${row.blockTimeSeconds} s blocks` : row.scenario);

/** p50 and p99 latency by number of clients, one line per scenario (log scales: clients double, latency spans decades). */
export function latencyByClients(rows: readonly ChartRow[]): Promise<string> {
  const values = rows.flatMap((row) => [
    { series: series(row), clients: row.clients, percentile: 'p50', ms: Math.max(row.p50, 0.1) },
    { series: series(row), clients: row.clients, percentile: 'p99', ms: Math.max(row.p99, 0.1) },
  ]);
  return svg({
    $schema: SCHEMA, ...SIZE,
    title: 'Latency against concurrent clients (solid: p50, dashed: p99)',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'clients', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'closed-loop clients' },
      y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms)' },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 1, labelLimit: 480 } },
      strokeDash: { field: 'percentile', type: 'nominal', title: 'percentile', legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolStrokeColor: '#333' } },
    },
  });
}

/** Throughput by run length: a short run flatters (caches warm, no backlog yet); sustained numbers need long ones. */
export function throughputByRunLength(rows: readonly ChartRow[]): Promise<string> {
  return svg({
    $schema: SCHEMA, ...SIZE,
    title: 'Throughput against run length',
    data: { values: rows.map((row) => ({ series: `${series(row)}, ${row.clients} clients`, operations: row.operations, throughput: row.throughput })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'operations', type: 'quantitative', scale: { type: 'log' }, title: 'operations in the run' },
      y: { field: 'throughput', type: 'quantitative', title: 'throughput (operations/s)' },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 1, labelLimit: 480 } },
    },
  });
}

/** Every sampled anchor lag of the run, binned: from a filing's 201 to the record shown anchored. */
export function anchorLagDistribution(lags: ReadonlyArray<{ seconds: number; blockTimeSeconds: number | null }>): Promise<string> {
  return svg({
    $schema: SCHEMA, ...SIZE,
    title: 'Anchor lag (201 to anchored on chain)',
    data: { values: lags.map((lag) => ({ seconds: lag.seconds, blocks: lag.blockTimeSeconds ? `${lag.blockTimeSeconds} s blocks` : 'remote chain' })) },
    mark: 'bar',
    encoding: {
      x: { field: 'seconds', type: 'quantitative', bin: { step: 0.25 }, title: 'seconds' },
      y: { aggregate: 'count', type: 'quantitative', title: 'sampled filings' },
      color: { field: 'blocks', type: 'nominal', title: null, legend: { orient: 'bottom' } },
    },
  });
}
