// Caliper's report, computed the way Hyperledger Caliper defined it (we carry its method, not its
// code: Caliper dropped Besu in 2025): send rate = submitted / (last submit - first submit),
// throughput = successful / (last completion - first submit), latency over successful operations,
// failure rate = failed / submitted.

export interface Sample {
  /** ms since the run's clock origin */
  sentAt: number;
  doneAt: number;
  ok: boolean;
}

export interface CaliperStats {
  submitted: number;
  succeeded: number;
  failed: number;
  failureRate: number;
  sendRate: number;
  throughput: number;
  latencyMs: { min: number; avg: number; p50: number; p95: number; p99: number; max: number };
}

const percentile = (sorted: number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

export function caliperStats(samples: readonly Sample[]): CaliperStats {
  const ok = samples.filter((s) => s.ok);
  const firstSend = Math.min(...samples.map((s) => s.sentAt));
  const lastSend = Math.max(...samples.map((s) => s.sentAt));
  const lastDone = Math.max(...ok.map((s) => s.doneAt), firstSend);
  const latencies = ok.map((s) => s.doneAt - s.sentAt).sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    submitted: samples.length,
    succeeded: ok.length,
    failed: samples.length - ok.length,
    failureRate: samples.length === 0 ? 0 : (samples.length - ok.length) / samples.length,
    sendRate: round(samples.length / Math.max((lastSend - firstSend) / 1000, 1e-3)),
    throughput: round(ok.length / Math.max((lastDone - firstSend) / 1000, 1e-3)),
    latencyMs: {
      min: round(latencies[0] ?? NaN),
      avg: round(latencies.reduce((a, b) => a + b, 0) / Math.max(latencies.length, 1)),
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? NaN),
    },
  };
}

/** Runs `total` operations with `clients` concurrent closed-loop clients (each sends its next when its last answered). */
export async function closedLoop(clients: number, total: number, operation: (index: number) => Promise<boolean>, onProgress?: (done: number) => void): Promise<Sample[]> {
  const origin = performance.now();
  const samples: Sample[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    for (let index = next++; index < total; index = next++) {
      const sentAt = performance.now() - origin;
      let ok = false;
      try {
        ok = await operation(index);
      } catch {
        ok = false;
      }
      samples.push({ sentAt, doneAt: performance.now() - origin, ok });
      onProgress?.(samples.length);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return samples;
}
