import { isPostgresUrl, type Config } from '../config.js';
import type { StoreObserver } from './observer.js';
import { openPostgresStore } from './postgres.js';
import type { SqlContext } from './sql-context.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

interface OpenedStore {
  store: Store;
  /** The store's database, for the node backend's own rows (the simulated backend's SimulationStore). */
  context: SqlContext;
  /** Periodic housekeeping, run by the service's background loop. */
  maintenance?: () => Promise<unknown>;
}

interface StoreEvents {
  /** PostgreSQL: a pooled connection failed and was dropped (see PostgresOptions.onConnectionError). */
  onConnectionError?: (error: Error) => void;
  /** Told of every statement and (SQLite) group commit, for metrics. */
  observer?: StoreObserver;
}

/** Picks the store from POOLKEEPER_DATABASE_URL: postgres://... for PostgreSQL, else a SQLite file path or ':memory:'. */
export async function openStore(
  config: Pick<Config, 'databaseUrl' | 'sqliteSynchronous' | 'databasePoolSize'> & Partial<Pick<Config, 'databaseConnectTimeoutMs'>>,
  events: StoreEvents = {},
): Promise<OpenedStore> {
  if (isPostgresUrl(config.databaseUrl)) {
    const { databaseUrl: url, databasePoolSize: poolSize, databaseConnectTimeoutMs: connectTimeoutMs } = config;
    return openPostgresStore({ url, poolSize, connectTimeoutMs, onConnectionError: events.onConnectionError, observer: events.observer });
  }
  const sqlite = openSqliteStore({ path: config.databaseUrl, synchronous: config.sqliteSynchronous, observer: events.observer });
  return { store: sqlite.store, context: sqlite.context, maintenance: sqlite.checkpoint };
}
