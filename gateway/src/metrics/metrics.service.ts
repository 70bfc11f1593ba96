import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics. Labels carry route templates (`/v1/records/:recordId`), never raw paths, so
 * no identifier, pseudonym or handle ever becomes a metric label (trust model 1).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'ehrchain_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /**
   * Records whose stored form did not prove against what they must be (label `check`: the
   * ciphertext against its key, the plaintext against the recorded digest, the version against
   * its on-chain anchor): each is an attack or corruption, refused and to be alerted on.
   */
  readonly integrityMismatches = new Counter({
    name: 'ehrchain_record_integrity_mismatch_total',
    help: 'Record reads refused because stored data did not match its key, digest or on-chain anchor',
    labelNames: ['check'] as const,
    registers: [this.registry],
  });

  /**
   * Time the event loop spent running code rather than waiting (Node's event-loop utilisation):
   * its rate over an interval is the share of that interval the one JavaScript thread was busy,
   * which says whether the gateway is saturated before its latency does.
   */
  readonly eventLoopActive: Counter;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ehrchain_' });
    let counted = 0;
    this.eventLoopActive = new Counter({
      name: 'ehrchain_event_loop_active_seconds_total',
      help: 'Seconds the event loop was active (running JavaScript or I/O callbacks) since the process started',
      registers: [this.registry],
      collect() {
        const active = performance.eventLoopUtilization().active / 1000;
        this.inc(Math.max(0, active - counted));
        counted = active;
      },
    });
  }

  observeHttp(method: string, route: string | undefined, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route: route ?? 'unmatched', status: String(status) }, seconds);
  }
}
