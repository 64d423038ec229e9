import type { JobProgress, NodeJob } from '../store/store.js';

/** Which pool a backend call is about. */
export interface PoolRef {
  projectId: string;
  poolName: string;
}

/**
 * The seam between poolkeeper's control plane and the machines. The API, the planners and the store never talk to
 * machines; they record desired state in the database, and the reconciler hands the backend what has to happen.
 * poolkeeper ships one implementation, the simulated backend (simulated-backend.ts); a real one (for example over
 * Kubernetes Node objects and a driver-installer DaemonSet) implements the same four methods:
 *
 * - `applyMetadata` after a batch call committed label, annotation or taint changes (HA, tags, locks, drains,
 *   upgrade isolation): make the machines' metadata match the store. Called once, after the commit; a real backend
 *   should also resync periodically, since a crash between commit and call skips one push.
 * - `deleteNodes` when nodes went Deleting: release the machines. The store removes the rows once the Deleting
 *   time has passed.
 * - `driverUpgrade` and `reboot` are level-triggered: each call says "make sure this job is under way, and tell me
 *   where it stands". The reconciler claims due jobs from the database (a lease, so replicas never share one), calls
 *   these, and records the answers with conditional statements, so a report is applied once. After a crash the same
 *   job is handed over again with its original `startedAt`: implementations must be idempotent (never start a
 *   second upgrade for a job already under way) and answer `InProgress` with when to look again, `Succeeded`, or
 *   `Failed` with a code and message that land in the node's status and the operation record.
 *
 * The simulated workload (running jobs) lives in the database; a real backend would report it instead.
 */
export interface NodeBackend {
  applyMetadata(pool: PoolRef, nodeNames: readonly string[]): Promise<void>;
  deleteNodes(pool: PoolRef, nodeNames: readonly string[]): Promise<void>;
  driverUpgrade(jobs: readonly NodeJob[], now: number): Promise<JobProgress[]>;
  reboot(jobs: readonly NodeJob[], now: number): Promise<JobProgress[]>;
}
