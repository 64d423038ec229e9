import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, in a registry of its own (several apps can live in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'poolkeeper_http_requests_total',
    help: 'HTTP requests answered, by operation and status code.',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'poolkeeper_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by operation and status code.',
    labelNames: ['operation', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly nodeUpdates = new Counter({
    name: 'poolkeeper_node_updates_total',
    help: 'Nodes processed by batch operations, by action and result (success or failed).',
    labelNames: ['action', 'result'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'poolkeeper_auth_failures_total',
    help: 'Requests refused by authentication or authorization, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'poolkeeper_' });
  }
}
