import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ACCESS_KEY_CHANNEL, changeListeners, type AccessKeyChanges } from './access-key-changes.js';
import { postgresSql } from './dialect.js';
import { kyselyStatementLog, quietObserver, type StoreObserver } from './observer.js';
import type { Database } from './schema.js';
import type { SqlContext } from './sql-context.js';
import { sqlStore } from './sql-store.js';
import { asyncStepRunner } from './steps.js';
import type { Store } from './store.js';

/** BIGINT columns hold epoch milliseconds and ids, all well inside Number's exact range. */
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresOptions {
  url: string;
  /** Connections this replica keeps open. */
  poolSize?: number;
  /** How long a call waits for a connection (opening one, or for one to come free) before it fails; default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Told when a pooled connection fails outside a query (server restart, failover, a terminated backend); the pool
   * drops it and opens another on demand. A query running on it fails with the error instead.
   */
  onConnectionError?: (error: Error) => void;
  /** Told of every statement (metrics). */
  observer?: StoreObserver;
}

/**
 * Every pooled connection LISTENs to the access_keys trigger's channel (migration 0009), so a change committed by
 * any replica reaches each one's idle connections at once, and a change made through this replica is told before
 * the write's own call returns (PostgreSQL sends a session its notifications ahead of the end of the command). While
 * no connection listens (the pool closes idle ones), a change would go unheard: the cache is emptied and not used
 * until a connection listens again.
 */
function postgresAccessKeyChanges(pool: pg.Pool): AccessKeyChanges {
  const listeners = changeListeners();
  const listening = new Set<pg.PoolClient>();
  pool.on('connect', (client) => {
    client.on('notification', (message) => {
      if (message.channel === ACCESS_KEY_CHANNEL) listeners.tell(message.payload ?? null);
    });
    // Queued ahead of whatever the connection was opened for; a failure shows on that query too.
    client.query(`LISTEN ${ACCESS_KEY_CHANNEL}`).then(
      () => listening.add(client),
      () => {},
    );
  });
  pool.on('remove', (client) => {
    if (listening.delete(client) && listening.size === 0) listeners.tell(null);
  });
  return { onChange: listeners.add, watching: () => listening.size > 0, start: () => {} };
}

export function openPostgresStore(options: PostgresOptions): { store: Store; context: SqlContext } {
  // pg's default is to wait forever: a database that stops answering would hang every call instead of failing it.
  // Pipeline mode: a query is sent at once, not after the answer to the one before (see asyncStepRunner).
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000, pipeline: true });
  // pg emits 'error' on a connection the server closes while no query runs on it, idle in the pool or checked out
  // between a transaction's statements; with no listener that event would end the process. The pool re-emits the
  // errors of idle connections: already reported by the connection's own listener.
  pool.on('connect', (client) => client.on('error', (error) => options.onConnectionError?.(error)));
  pool.on('error', () => {});
  const observer = options.observer ?? quietObserver;
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...kyselyStatementLog(observer) });
  const context: SqlContext = { db, dialect: postgresSql, runner: asyncStepRunner(pool, observer), accessKeyChanges: postgresAccessKeyChanges(pool) };
  return { store: sqlStore(context), context };
}
