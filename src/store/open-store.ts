import { isPostgresUrl, type Config } from '../config.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export interface OpenedStore {
  store: Store;
  /** Periodic housekeeping, run by the service's background loop. */
  maintenance?: () => void;
}

/** Picks the store from POOLKEEPER_DATABASE_URL: postgres://... for PostgreSQL, else a SQLite file path or ':memory:'. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'sqliteSynchronous' | 'databasePoolSize'>): Promise<OpenedStore> {
  if (isPostgresUrl(config.databaseUrl)) {
    return { store: openPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize }) };
  }
  const sqlite = openSqliteStore({ path: config.databaseUrl, synchronous: config.sqliteSynchronous });
  return { store: sqlite.store, maintenance: sqlite.checkpoint };
}
