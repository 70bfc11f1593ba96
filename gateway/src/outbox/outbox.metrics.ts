import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { KindStatusCount, OutboxStore } from './outbox.store';

/**
 * What an operator watches of the chain writes, read from the outbox tables at each scrape:
 * rows by kind and status (a `failed` count above zero wants a look at `last_error`), and the
 * age of the oldest row not yet on chain (a growing age means the sender is paused or behind).
 */
@Injectable()
export class OutboxMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly store: OutboxStore,
  ) {}

  onModuleInit(): void {
    // prom-client runs the gauges' collects side by side at each scrape: they share one read
    // of the tables (the first starts it, the others join it; the next scrape reads afresh).
    let reading: ReturnType<OutboxStore['health']> | null = null;
    const health = () => (reading ??= this.store.health().finally(() => setImmediate(() => (reading = null))));
    const register = { registers: [this.metrics.registry] };
    const byKindAndStatus = (name: string, help: string, pick: (health: Awaited<ReturnType<OutboxStore['health']>>) => KindStatusCount[]) =>
      new Gauge({
        name,
        help,
        labelNames: ['kind', 'status'] as const,
        ...register,
        async collect() {
          const counts = pick(await health());
          this.reset();
          for (const row of counts) this.set({ kind: row.kind, status: row.status }, row.count);
        },
      });
    byKindAndStatus('ehrchain_outbox_rows', 'Chain writes in the outbox by kind and status (pending, batched, done, failed)', (h) => h.rows);
    // Chain transactions: done rows over done batches is the records each transaction carried.
    byKindAndStatus('ehrchain_outbox_batches', 'Outbox batches (one chain transaction each) by kind and status (claimed, sent, done, failed)', (h) => h.batches);
    new Gauge({
      name: 'ehrchain_outbox_oldest_open_seconds',
      help: 'Age of the oldest chain write of each kind not yet confirmed on chain',
      labelNames: ['kind'] as const,
      ...register,
      async collect() {
        const { oldestOpenSeconds } = await health();
        this.reset();
        for (const row of oldestOpenSeconds) this.set({ kind: row.kind }, row.seconds);
      },
    });
  }
}
