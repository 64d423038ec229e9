import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../domain/time.js';
import type { Store } from '../store/store.js';
import type { NodeBackend } from './node-backend.js';

export interface ReconcilerOptions {
  store: Store;
  clock: Clock;
  logger: FastifyBaseLogger;
  backend: NodeBackend;
  intervalMs: number;
  /** How long a claimed job stays with this replica before another may take it over. */
  jobLeaseMs: number;
  /** Housekeeping that must stay off the request path (the SQLite WAL checkpoint). */
  maintenance?: () => void;
}

/** Jobs handed to the backend per kind and tick. */
const JOB_BATCH = 5_000;

/**
 * Drives the simulated backend from durable state: every tick moves nodes and pools whose transient phase has
 * expired. Each step is one conditional statement, so a restart resumes where the database says and several
 * replicas never apply a step twice.
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
    const { store, clock, logger } = this.options;
    try {
      const progress = await store.advanceSimulation(clock.now());
      if (progress.nodesAvailable + progress.nodesRemoved + progress.poolsRunning + progress.poolsRemoved > 0) {
        logger.info({ simulation: progress }, 'simulated nodes and pools progressed');
      }
      await this.lifecycleStep(clock.now());
      if (this.options.maintenance && ++this.ticks % 8 === 0) this.options.maintenance();
    } catch (error) {
      logger.error({ err: error }, 'simulation step failed; retrying on the next tick');
    }
  }

  /**
   * Drains, driver upgrades and reboots: upgrades whose node is ready start (Pending → Updating), then due upgrades
   * and reboots are claimed under a lease, handed to the backend, and its reports recorded conditionally.
   */
  private async lifecycleStep(now: number): Promise<void> {
    const { store, backend, logger } = this.options;
    const drained = await store.finishDrains(now);
    const started = await store.startDriverUpgrades(now, JOB_BATCH);
    const upgrades = await store.claimDriverUpgrades(now, this.options.jobLeaseMs, JOB_BATCH);
    const upgradesEnded = upgrades.length === 0 ? 0 : await store.recordDriverUpgrades(await backend.driverUpgrade(upgrades, now), now);
    const reboots = await store.claimReboots(now, this.options.jobLeaseMs, JOB_BATCH);
    const rebootsEnded = reboots.length === 0 ? 0 : await store.recordReboots(await backend.reboot(reboots, now), now);
    if (drained + started.length + upgradesEnded + rebootsEnded > 0) {
      logger.info({ simulation: { drained, upgradesStarted: started.length, upgradesEnded, rebootsEnded } }, 'node lifecycle progressed');
    }
  }
}
