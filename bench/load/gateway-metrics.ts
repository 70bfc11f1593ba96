// What the bench reads of the gateway's own /metrics around each measurement: event-loop
// utilisation and delay (is the one JavaScript thread the bound?), and the outbox's done rows
// and batches (how many records each chain transaction carried).
import type { Target } from './target';

export interface GatewayReading {
  at: number;
  eventLoopActiveSeconds: number;
  eventLoopDelayP99Seconds: number;
  eventLoopDelayMaxSeconds: number;
  anchoredRows: number;
  anchorBatches: number;
}

export interface GatewayFigures {
  /** Share of the interval the event loop was busy, 0..1. */
  eventLoopUtilisation: number;
  /** Event-loop delay p99 and max over the interval, ms (prom-client resets its histogram at each scrape). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Records anchored per chain transaction over the interval; null when none was anchored. */
  recordsPerTransaction: number | null;
}

const value = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);

/** One scrape; undefined when the target gave no scrape token (a remote deployment without BENCH_METRICS_TOKEN). */
export async function readGateway(target: Target): Promise<GatewayReading | undefined> {
  if (!target.metricsAuth) return undefined;
  const res = await fetch(`${target.baseUrl}/metrics`, { headers: target.metricsAuth });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  const text = await res.text();
  return {
    at: performance.now(),
    eventLoopActiveSeconds: value(text, /^ehrchain_event_loop_active_seconds_total (\S+)$/m),
    eventLoopDelayP99Seconds: value(text, /^ehrchain_nodejs_eventloop_lag_p99_seconds (\S+)$/m),
    eventLoopDelayMaxSeconds: value(text, /^ehrchain_nodejs_eventloop_lag_max_seconds (\S+)$/m),
    anchoredRows: value(text, /^ehrchain_outbox_rows\{kind="record-version",status="done"\} (\S+)$/m) || 0,
    anchorBatches: value(text, /^ehrchain_outbox_batches\{kind="record-version",status="done"\} (\S+)$/m) || 0,
  };
}

export function between(before: GatewayReading, after: GatewayReading): GatewayFigures {
  const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;
  const batches = after.anchorBatches - before.anchorBatches;
  return {
    eventLoopUtilisation: round((after.eventLoopActiveSeconds - before.eventLoopActiveSeconds) / ((after.at - before.at) / 1000), 2),
    eventLoopDelayP99Ms: round(after.eventLoopDelayP99Seconds * 1000, 1),
    eventLoopDelayMaxMs: round(after.eventLoopDelayMaxSeconds * 1000, 1),
    recordsPerTransaction: batches > 0 ? round((after.anchoredRows - before.anchoredRows) / batches, 1) : null,
  };
}
