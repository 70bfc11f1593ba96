// Markdown tables of the outbox bench's results.
import { DrainResult, ReadResult, SteadyResult } from './scenarios';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const ms = (n: number): string => (!Number.isFinite(n) ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const s = (n: number): string => (n / 1000).toFixed(2);

export function drainTables(results: readonly DrainResult[]): string {
  const throughput = [
    '| database | maxBatchSize | transactions | drain cycles | gas / record | gas / transaction | wall time (s) | records / s | sender ms / batch |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const split = [
    '| database | maxBatchSize | claim | load items (×2) | tree, send | estimate ‖ nonce | sign + encode | markSent | broadcast | receipt | tree, confirm | confirm tx (of it: UPDATE) | rest of cycle |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    const t = r.timings;
    const per = (name: string): number => t.sum(name) / r.batches;
    throughput.push(
      `| ${r.db} | ${r.batchSize} | ${r.batches} | ${r.cycles} | ${int(r.gasPerRecord)} | ${int(r.gasPerTx)} | ${s(r.wallMs)} | ${int(r.records / (r.wallMs / 1000))} | ${ms(r.wallMs / r.batches)} |`,
    );
    // Nonce and estimate run in parallel (Promise.all): the longer of the two is what the send waits for.
    const estimate = Math.max(per('rpc eth_estimateGas (send)'), per('rpc eth_getTransactionCount (send)'));
    const sign = per('handler.send') - per('tree (send)') - estimate - per('markSent') - per('rpc eth_sendRawTransaction (send)');
    const accounted = ['claim', 'items', 'handler.send', 'rpc eth_getTransactionReceipt', 'confirm tx'].reduce((sum, name) => sum + per(name), 0);
    split.push(
      `| ${r.db} | ${r.batchSize} | ${ms(per('claim'))} | ${ms(per('items'))} | ${ms(per('tree (send)'))} | ${ms(estimate)} | ${ms(sign)} | ${ms(per('markSent'))} | ` +
        `${ms(per('rpc eth_sendRawTransaction (send)'))} | ${ms(per('rpc eth_getTransactionReceipt'))} | ${ms(per('tree (confirm)'))} | ` +
        `${ms(per('confirm tx'))} (${ms(per('markAnchored'))}) | ${ms(r.wallMs / r.batches - accounted)} |`,
    );
  }
  return [
    '### Backlog of N records drained on an automine chain (ms are means per batch)',
    '',
    ...throughput,
    '',
    'Where a batch\'s time goes (ms per batch; "tree, confirm" and "UPDATE" are inside "confirm tx"; "rest of cycle" is the',
    'cycle\'s own queries: the lock, the batches by status, the claim that finds nothing):',
    '',
    ...split,
  ].join('\n');
}

export function steadyTable(results: readonly SteadyResult[], windowMs: number): string {
  const lines = [
    `### Steady load for ${windowMs / 1000} s on 1-second blocks, outbox timer 1000 ms`,
    '',
    '| database | maxBatchSize | offered rows / s | enqueued rows / s | anchored / s in the window | backlog at the end | time to clear it (s) | latency p50 (s) | p95 (s) | max (s) | cycle p50 / p95 / max (ms) | event-loop delay p99 / max (ms) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    const cycles = r.timings.all('cycle');
    const cleared = r.unanchored === 0 ? s(r.tailMs) : `> ${s(r.tailMs)} (${int(r.unanchored)} left)`;
    // Rows left count with the time they had waited: every percentile is then a lower bound.
    const lat = (p: number): string => `${r.unanchored > 0 ? '≥ ' : ''}${s(percentile(r.latenciesMs, p))}`;
    lines.push(
      `| ${r.db} | ${r.batchSize} | ${int(r.targetRate)} | ${int(r.enqueueRate)} | ${int(r.anchoredInWindow / (windowMs / 1000))} | ${int(r.backlogAtEnd)} | ${cleared} | ` +
        `${lat(50)} | ${lat(95)} | ${lat(100)} | ` +
        `${ms(percentile(cycles, 50))} / ${ms(percentile(cycles, 95))} / ${ms(Math.max(...cycles))} | ${ms(r.loopDelayP99Ms)} / ${ms(r.loopDelayMaxMs)} |`,
    );
  }
  return lines.join('\n');
}

export function readTable(results: readonly ReadResult[]): string {
  const lines = [
    '### Verified read: GET /v1/blobs/:id/content of a 1 KB blob (ms, p50 / p95)',
    '',
    '| database | chain height (blocks) | Anvil state file (MB) | reads | whole request | eth_call verifyRecord | IPFS get | blob row | rest (HTTP, auth, SHA-512) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    const pp = (values: readonly number[]): string => `${ms(percentile(values, 50))} / ${ms(percentile(values, 95))}`;
    const parts = ['read: verifyRecord', 'read: ipfs get', 'read: db row'];
    const rest = r.totalMs.map((total, i) => total - parts.reduce((sum, name) => sum + (r.timings.all(name)[i] ?? 0), 0));
    lines.push(`| ${r.db} | ${int(r.blockHeight)} | ${(r.stateFileBytes / 1e6).toFixed(1)} | ${r.reads} | ${pp(r.totalMs)} | ${parts.map((name) => pp(r.timings.all(name))).join(' | ')} | ${pp(rest)} |`);
  }
  return lines.join('\n');
}
