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
    const store = this.store;
    // One query feeds both gauges, in the collect of the one registered first: the registry
    // serialises metrics in registration order, after each one's own collect.
    const rows: Gauge<'kind' | 'status'> = new Gauge({
      name: 'ehrchain_outbox_rows',
      help: 'Chain writes in the outbox by kind and status (pending, batched, done, failed)',
      labelNames: ['kind', 'status'] as const,
      registers: [this.metrics.registry],
      async collect() {
        const health = await store.health();
        rows.reset();
        for (const row of health.rows) rows.set({ kind: row.kind, status: row.status }, row.count);
        oldest.reset();
        for (const row of health.oldestOpenSeconds) oldest.set({ kind: row.kind }, row.seconds);
      },
    });
    const oldest = new Gauge({
      name: 'ehrchain_outbox_oldest_open_seconds',
      help: 'Age of the oldest chain write of each kind not yet confirmed on chain',
      labelNames: ['kind'] as const,
      registers: [this.metrics.registry],
    });
  }
}
