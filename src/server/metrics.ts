import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchSummary } from '../domain/batch-summary.js';
import { STATEMENT_KINDS, type StatementKind, type StoreObserver } from '../store/observer.js';
import type { OperationMeta } from '../store/operations.js';
import type { NodeCensus } from '../store/pools.js';
import { FixedLabelHistogram } from './fixed-label-histogram.js';

/** Said of every gauge read from the database at scrape time. */
const SHARED_STATE =
  'Read from the database when scraped, so every replica sharing it reports the same value: aggregate replicas with max(), not sum().';

/** The service's Prometheus metrics, in a registry of its own (several apps can live in one process). */
/** A cache's lookups since start, by how they were answered. */
interface CacheCounts {
  readonly hits: number;
  readonly misses: number;
}

/** A lookups counter copied from the cache's own counts when scraped: nothing is counted on the request path. */
function cacheCounter(registry: Registry, name: string, help: string, counts: () => CacheCounts | undefined): Counter<'result'> {
  const counter: Counter<'result'> = new Counter({
    name,
    help,
    labelNames: ['result'] as const,
    registers: [registry],
    collect: () => {
      const current = counts();
      if (current === undefined) return;
      counter.reset();
      counter.inc({ result: 'hit' }, current.hits);
      counter.inc({ result: 'miss' }, current.misses);
    },
  });
  return counter;
}

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
  readonly authFailures = new Counter({
    name: 'poolkeeper_auth_failures_total',
    help: 'Requests refused by authentication or authorization, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly batchNodes = new Counter({
    name: 'poolkeeper_batch_nodes_total',
    help:
      'Nodes named by batch operations, by operation (BatchUpdatePoolNodes, BatchLockPoolNodes, BatchUnlockPoolNodes, ' +
      'BatchDeletePoolNodes, BatchRebootPoolNodes, BatchDrainPoolNodes, PatchPool for a pool-wide driver upgrade), action and ' +
      'result (success or failed); a refused batch delete (all or nothing) counts the nodes that refused it as failed.',
    labelNames: ['operation', 'action', 'result'] as const,
    registers: [this.registry],
  });
  readonly batchNodeFailures = new Counter({
    name: 'poolkeeper_batch_node_failures_total',
    help:
      'Nodes a batch operation failed, by operation and per-node error code (the code in the operation record). A refused ' +
      'batch delete (all or nothing, answered 400) counts the nodes that refused it.',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });
  readonly nodes = new Gauge({
    name: 'poolkeeper_nodes',
    help: `Nodes by pool and phase. ${SHARED_STATE}`,
    labelNames: ['pool', 'phase'] as const,
    registers: [this.registry],
  });
  readonly nodeDrivers = new Gauge({
    name: 'poolkeeper_node_drivers',
    help:
      'Nodes with an accelerator driver, by pool and driver phase: Pending (upgrade waiting), Updating (upgrade running), ' +
      `Running, Abnormal (the last upgrade failed). ${SHARED_STATE}`,
    labelNames: ['pool', 'phase'] as const,
    registers: [this.registry],
  });
  readonly jobsDue = new Gauge({
    name: 'poolkeeper_background_jobs_due',
    help: `Background jobs whose time has come and that no replica has taken yet, by kind. ${SHARED_STATE}`,
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  readonly jobsLag = new Gauge({
    name: 'poolkeeper_background_jobs_oldest_due_seconds',
    help: `How long the oldest due background job of each kind has waited (0 when none is due). ${SHARED_STATE}`,
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  readonly statementDuration = new FixedLabelHistogram({
    name: 'poolkeeper_db_statement_duration_seconds',
    help: 'Time one SQL statement took, by kind (select, insert, update, delete, transaction, schema, other).',
    label: 'kind',
    values: STATEMENT_KINDS,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
  }).register(this.registry);
  readonly groupCommits = new Histogram({
    name: 'poolkeeper_db_group_commit_transactions',
    help: 'SQLite only: callers\' transactions committed together in one group commit.',
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128],
    registers: [this.registry],
  });
  private identityCache: CacheCounts | undefined;
  readonly identityLookups = cacheCounter(
    this.registry,
    'poolkeeper_identity_cache_lookups_total',
    'Users\' rights looked up by authenticated requests, by result: hit (answered from the 5-second cache) or miss (read from the database).',
    () => this.identityCache,
  );
  private accessKeyCache: CacheCounts | undefined;
  readonly accessKeyLookups = cacheCounter(
    this.registry,
    'poolkeeper_access_key_cache_lookups_total',
    'Access keys looked up by signed requests, by result: hit (answered from the cache the database keeps current) or miss (read from the database).',
    () => this.accessKeyCache,
  );

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'poolkeeper_' });
  }

  /** The store's statement and group-commit reports (statements: several per request, so into a histogram made for that). */
  storeObserver(): StoreObserver {
    const byKind = {} as Record<StatementKind, (seconds: number) => void>;
    for (const kind of STATEMENT_KINDS) byKind[kind] = this.statementDuration.child(kind);
    return {
      statement: (kind, seconds) => byKind[kind](seconds),
      groupCommit: (transactions) => this.groupCommits.observe(transactions),
    };
  }

  watchCaches(caches: { identities: CacheCounts; accessKeys: CacheCounts }): void {
    this.identityCache = caches.identities;
    this.accessKeyCache = caches.accessKeys;
  }

  /** A batch operation's record was committed (or, for an all-or-nothing delete, refused): its nodes by result and failure code. */
  batchRecorded(operation: Pick<OperationMeta, 'operation' | 'action'>, summary: BatchSummary): void {
    const action = operation.action ?? '';
    if (summary.successCount > 0) this.batchNodes.inc({ operation: operation.operation, action, result: 'success' }, summary.successCount);
    if (summary.failCount > 0) this.batchNodes.inc({ operation: operation.operation, action, result: 'failed' }, summary.failCount);
    for (const [code, count] of Object.entries(summary.failures)) this.batchNodeFailures.inc({ operation: operation.operation, code }, count);
  }

  /** Sets the database gauges from a census taken at `now`; replaces what the last scrape set (gone pools disappear). */
  setDatabaseState(census: NodeCensus | undefined, now: number): void {
    for (const gauge of [this.nodes, this.nodeDrivers, this.jobsDue, this.jobsLag]) gauge.reset();
    if (census === undefined) return;
    for (const row of census.nodes) {
      this.nodes.inc({ pool: row.pool, phase: row.phase }, row.count);
      if (row.driverPhase !== null) this.nodeDrivers.inc({ pool: row.pool, phase: row.driverPhase }, row.count);
    }
    for (const { job, count, oldestDueAt } of census.dueJobs) {
      this.jobsDue.set({ job }, count);
      this.jobsLag.set({ job }, oldestDueAt === null ? 0 : Math.max(0, now - oldestDueAt) / 1000);
    }
  }
}
