import type { Config } from '../config.js';
import type { NodeFailure } from '../errors/catalogue.js';
import type { NodeDecision } from '../domain/node-update-planner.js';
import type { Clock } from '../domain/time.js';
import type { NodeBackend } from '../simulation/node-backend.js';
import type { OperationMeta, Store } from '../store/store.js';

/** What the services need from the running process. */
export interface ServiceContext {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'simulation' | 'limits' | 'region'>;
  /** Where committed node changes go to the machines (the simulated backend by default). */
  backend: NodeBackend;
  /** Told of every batch operation's outcome (metrics, the batch log line); absent, nobody is. */
  events?: BatchEvents;
}

export interface BatchEvents {
  /** The operation's record was committed with these per-node decisions. */
  recorded(operation: OperationMeta, decisions: readonly NodeDecision[]): void;
  /** An all-or-nothing batch (delete) was refused because of these nodes; nothing was written. */
  refused(operation: OperationMeta, failures: readonly NodeFailure[]): void;
}

/** Who is calling, as far as the domain cares. */
export interface Caller {
  accountId: string;
  /** `user@account`, for operation records and logs. */
  display: string;
}
