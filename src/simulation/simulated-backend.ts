import type { FastifyBaseLogger } from 'fastify';
import { driverUpgradeFailed, rebootFailed } from '../errors/catalogue.js';
import { simulatedProgress, type Progress } from '../domain/node-lifecycle.js';
import type { Accelerator, FlavorProfile, NodeBackend } from '../service/node-backend.js';
import type { JobProgress, NodeJob } from '../store/jobs.js';
import { DEFAULT_DRIVER_VERSIONS, flavorProfile } from './flavors.js';
import type { SimulationStore } from './simulation-store.js';

/** How long the simulated machines take (POOLKEEPER_SIM_*). */
export interface SimulationTiming {
  nodeCreateSeconds: number;
  nodeDeleteSeconds: number;
  driverUpgradeSeconds: number;
  rebootSeconds: number;
  drainSeconds: number;
}

/**
 * The built-in backend: the database is the node. Metadata and deletion need no machine work; nodes are ready, gone
 * and drained after fixed times, which its `progress` applies to the database; an upgrade or a reboot takes a fixed
 * time from when it started and fails when an injected fault marked it to.
 */
export class SimulatedNodeBackend implements NodeBackend {
  constructor(
    private readonly timing: SimulationTiming,
    private readonly store: SimulationStore,
    private readonly logger: FastifyBaseLogger,
  ) {}

  flavor(flavor: string): FlavorProfile {
    return flavorProfile(flavor);
  }

  defaultDriverVersion(accelerator: Accelerator): string {
    return DEFAULT_DRIVER_VERSIONS[accelerator];
  }

  creatingUntil(now: number): number | null {
    return this.timing.nodeCreateSeconds === 0 ? null : now + this.timing.nodeCreateSeconds * 1000;
  }

  deletingUntil(now: number): number {
    return now + this.timing.nodeDeleteSeconds * 1000;
  }

  drainedBy(now: number): number {
    return now + this.timing.drainSeconds * 1000;
  }

  async applyMetadata(): Promise<void> {}

  async deleteNodes(): Promise<void> {}

  async driverUpgrade(jobs: readonly NodeJob[], now: number): Promise<JobProgress[]> {
    const duration = this.timing.driverUpgradeSeconds * 1000;
    return jobs.map((job) =>
      report(job, simulatedProgress(job.startedAt, duration, now, job.fail ? driverUpgradeFailed(job.name, job.targetVersion ?? '') : null)),
    );
  }

  async reboot(jobs: readonly NodeJob[], now: number): Promise<JobProgress[]> {
    const duration = this.timing.rebootSeconds * 1000;
    return jobs.map((job) => report(job, simulatedProgress(job.startedAt, duration, now, job.fail ? rebootFailed(job.name) : null)));
  }

  async progress(now: number): Promise<void> {
    const moved = await this.store.advance(now);
    if (Object.values(moved).some((count) => count > 0)) this.logger.info({ simulation: moved }, 'simulated nodes and pools progressed');
  }
}

function report(job: NodeJob, progress: Progress): JobProgress {
  switch (progress.state) {
    case 'InProgress':
      return { nodeId: job.nodeId, state: 'InProgress', checkAt: progress.checkAt };
    case 'Succeeded':
      return { nodeId: job.nodeId, state: 'Succeeded' };
    case 'Failed':
      return { nodeId: job.nodeId, state: 'Failed', code: progress.failure.code, message: progress.failure.message };
  }
}
