import { caliperStats, closedLoop } from '../../bench/load/stats';

describe('the bench report (Caliper definitions)', () => {
  it('computes send rate, throughput, latency percentiles and failure rate from samples', () => {
    // 10 operations sent 100 ms apart over 0.9 s; each takes 50 ms except the last, a failure.
    const samples = Array.from({ length: 10 }, (_, i) => ({ sentAt: i * 100, doneAt: i * 100 + 50 + i, ok: i < 9 }));

    const stats = caliperStats(samples);

    expect(stats).toMatchObject({ submitted: 10, succeeded: 9, failed: 1, failureRate: 0.1 });
    expect(stats.sendRate).toBeCloseTo(10 / 0.9, 1);
    // The last success completes at 858 ms after the first send.
    expect(stats.throughput).toBeCloseTo(9 / 0.858, 1);
    expect(stats.latencyMs).toEqual({ min: 50, avg: 54, p50: 54, p95: 58, p99: 58, max: 58 });
  });

  it('runs exactly the operations asked, never more than `clients` at once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const samples = await closedLoop(4, 25, async (index) => {
      running++;
      most = Math.max(most, running);
      seen.push(index);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      return index % 5 !== 0;
    });

    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(most).toBe(4);
    expect(samples.filter((s) => !s.ok)).toHaveLength(5);
  });
});
