import type { Config } from '../config.js';
import type { Clock } from '../domain/time.js';
import type { NodeBackend } from '../simulation/node-backend.js';
import type { Store } from '../store/store.js';

/** What the services need from the running process. */
export interface ServiceContext {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'simulation' | 'limits' | 'region'>;
  /** Where committed node changes go to the machines (the simulated backend by default). */
  backend: NodeBackend;
}

/** Who is calling, as far as the domain cares. */
export interface Caller {
  accountId: string;
  /** `user@account`, for operation records and logs. */
  display: string;
}
