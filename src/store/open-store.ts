import type { Config } from '../config.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export interface OpenedStore {
  store: Store;
  /** Periodic housekeeping, run by the service's background loop. */
  maintenance?: () => void;
}

/** Picks the store from POOLKEEPER_DATABASE_URL: a file path or ':memory:' for SQLite. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'sqliteSynchronous'>): Promise<OpenedStore> {
  if (/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new Error('PostgreSQL is not supported yet: set POOLKEEPER_DATABASE_URL to a file path or :memory:');
  }
  const sqlite = openSqliteStore({ path: config.databaseUrl, synchronous: config.sqliteSynchronous });
  return { store: sqlite.store, maintenance: sqlite.checkpoint };
}
