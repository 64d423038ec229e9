import { driverUpgradeFailed, rebootFailed } from '../errors/catalogue.js';
import { simulatedProgress, type Progress } from '../domain/node-lifecycle.js';
import type { JobProgress, NodeJob } from '../store/store.js';
import type { NodeBackend } from './node-backend.js';

export interface SimulatedBackendTiming {
  driverUpgradeSeconds: number;
  rebootSeconds: number;
}

/**
 * The built-in backend: the database is the node. Metadata and deletion need no machine work; an upgrade or a
 * reboot takes a fixed time from when it started and fails when an injected fault marked it to.
 */
export class SimulatedNodeBackend implements NodeBackend {
  constructor(private readonly timing: SimulatedBackendTiming) {}

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
