import type { JobProgress, NodeJob } from '../store/jobs.js';

/** Which pool a backend call is about. */
export interface PoolRef {
  projectId: string;
  poolName: string;
}

export type Accelerator = 'gpu' | 'npu';

/** What a node of a flavor offers, as Kubernetes quantity strings, and which accelerator driver it runs. */
export interface FlavorProfile {
  resources: Record<string, string>;
  availableResources: Record<string, string>;
  accelerator: Accelerator | null;
}

/** The flavors a backend's nodes come in: what the renderer shows as a node's capacity. */
export interface FlavorCatalogue {
  flavor(flavor: string): FlavorProfile;
}

/**
 * The seam between poolkeeper's control plane and the machines. The API, the planners and the store never talk to
 * machines; they record desired state in the database, and the reconciler hands the backend what has to happen.
 * poolkeeper ships one implementation, the simulated backend (src/simulation/); a real one (for example over
 * Kubernetes Node objects and a driver-installer DaemonSet) implements the same methods:
 *
 * - The catalogue and the timings the services plan with: a flavor's capacity and accelerator, the driver version new
 *   nodes get, and when nodes asked for now are ready, gone or drained (the store moves them on at those times, or
 *   the backend's `progress` does).
 * - `applyMetadata` after a batch call committed label, annotation or taint changes (HA, tags, locks, drains,
 *   upgrade isolation): make the machines' metadata match the store. Called once, after the commit; a real backend
 *   should also resync periodically, since a crash between commit and call skips one push.
 * - `deleteNodes` when nodes went Deleting: release the machines.
 * - `driverUpgrade` and `reboot` are level-triggered: each call says "make sure this job is under way, and tell me
 *   where it stands". The reconciler claims due jobs from the database (a lease, so replicas never share one), calls
 *   these, and records the answers with conditional statements, so a report is applied once. After a crash the same
 *   job is handed over again with its original `startedAt`: implementations must be idempotent (never start a
 *   second upgrade for a job already under way) and answer `InProgress` with when to look again, `Succeeded`, or
 *   `Failed` with a code and message that land in the node's status and the operation record.
 * - `progress` runs on every reconciler tick before the jobs: the backend's own periodic work (the simulated backend
 *   moves nodes out of Creating and Deleting and drains their simulated work there).
 */
export interface NodeBackend extends FlavorCatalogue {
  defaultDriverVersion(accelerator: Accelerator): string;
  /** When nodes asked for at `now` are ready; null when they are at once (they are Creating until then). */
  creatingUntil(now: number): number | null;
  /** When nodes (or a pool) asked at `now` to go are gone: they are Deleting until then. */
  deletingUntil(now: number): number;
  /** When the running work of a node drained at `now` has run out. */
  drainedBy(now: number): number;
  applyMetadata(pool: PoolRef, nodeNames: readonly string[]): Promise<void>;
  deleteNodes(pool: PoolRef, nodeNames: readonly string[]): Promise<void>;
  driverUpgrade(jobs: readonly NodeJob[], now: number): Promise<JobProgress[]>;
  reboot(jobs: readonly NodeJob[], now: number): Promise<JobProgress[]>;
  /** The backend's own work at `now`, on every reconciler tick before the jobs (it logs what moved). */
  progress(now: number): Promise<void>;
}
