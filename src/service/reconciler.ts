import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../domain/time.js';
import type { JobProgress, NodeJob, NodeJobKind } from '../store/jobs.js';
import type { Store } from '../store/store.js';
import type { NodeBackend } from './node-backend.js';

interface ReconcilerOptions {
  store: Store;
  clock: Clock;
  logger: FastifyBaseLogger;
  backend: NodeBackend;
  intervalMs: number;
  /** How long a claimed job stays with this replica before another may take it over. */
  jobLeaseMs: number;
  /** Housekeeping that must stay off the request path (the SQLite WAL checkpoint). */
  maintenance?: () => Promise<unknown>;
}

/** Jobs handed to the backend per kind and tick. */
const JOB_BATCH = 5_000;

/** Which backend call runs each job kind. */
const RUN: Readonly<Record<NodeJobKind, (backend: NodeBackend, jobs: readonly NodeJob[], now: number) => Promise<JobProgress[]>>> = {
  driver_upgrade: (backend, jobs, now) => backend.driverUpgrade(jobs, now),
  reboot: (backend, jobs, now) => backend.reboot(jobs, now),
};

/**
 * Drives background work from durable state: every tick the backend's own progress runs, Pending upgrades whose
 * node is ready start, and due upgrades and reboots are claimed under a lease, handed to the backend, and its reports
 * recorded conditionally. Each step is conditional on what the database says, so a restart resumes where it left off
 * and several replicas never apply a step twice.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private ticks = 0;

  constructor(private readonly options: ReconcilerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async tick(): Promise<void> {
    const { backend, clock, logger } = this.options;
    try {
      await backend.progress(clock.now());
      await this.jobStep(clock.now());
      if (this.options.maintenance && ++this.ticks % 8 === 0) await this.options.maintenance();
    } catch (error) {
      logger.error({ err: error }, 'background step failed; retrying on the next tick');
    }
  }

  private async jobStep(now: number): Promise<void> {
    const { store, backend, logger, jobLeaseMs } = this.options;
    const started = await store.jobs.startUpgrades(now, JOB_BATCH);
    const ended: Record<NodeJobKind, number> = { driver_upgrade: 0, reboot: 0 };
    for (const kind of ['driver_upgrade', 'reboot'] as const) {
      const jobs = await store.jobs.claim(kind, now, jobLeaseMs, JOB_BATCH);
      if (jobs.length > 0) ended[kind] = await store.jobs.record(kind, await RUN[kind](backend, jobs, now), now);
    }
    if (started.length + ended.driver_upgrade + ended.reboot > 0) {
      logger.info({ jobs: { upgradesStarted: started.length, upgradesEnded: ended.driver_upgrade, rebootsEnded: ended.reboot } }, 'node jobs progressed');
    }
  }
}
