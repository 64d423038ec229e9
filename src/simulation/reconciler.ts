import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../domain/time.js';
import type { Store } from '../store/store.js';

export interface ReconcilerOptions {
  store: Store;
  clock: Clock;
  logger: FastifyBaseLogger;
  intervalMs: number;
  /** Housekeeping that must stay off the request path (the SQLite WAL checkpoint). */
  maintenance?: () => void;
}

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
      if (this.options.maintenance && ++this.ticks % 8 === 0) this.options.maintenance();
    } catch (error) {
      logger.error({ err: error }, 'simulation step failed; retrying on the next tick');
    }
  }
}
