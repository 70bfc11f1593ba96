import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { OutboxStore } from './outbox.store';

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
    new Gauge({
      name: 'ehrchain_outbox_rows',
      help: 'Chain writes in the outbox by kind and status (pending, batched, done, failed)',
      labelNames: ['kind', 'status'] as const,
      ...register,
      async collect() {
        const { rows } = await health();
        this.reset();
        for (const row of rows) this.set({ kind: row.kind, status: row.status }, row.count);
      },
    });
    // Chain transactions: done rows over done batches is the records each transaction carried.
    new Gauge({
      name: 'ehrchain_outbox_batches',
      help: 'Outbox batches (one chain transaction each) by kind and status (claimed, sent, done, failed)',
      labelNames: ['kind', 'status'] as const,
      ...register,
      async collect() {
        const { batches } = await health();
        this.reset();
        for (const row of batches) this.set({ kind: row.kind, status: row.status }, row.count);
      },
    });
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
