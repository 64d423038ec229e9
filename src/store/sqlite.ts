import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { SqliteSynchronous } from '../config.js';
import { changeListeners, type AccessKeyChanges } from './access-key-changes.js';
import { sqliteSql } from './dialect.js';
import { kyselyStatementLog, quietObserver, type StoreObserver } from './observer.js';
import type { Database as Schema } from './schema.js';
import type { SqlContext } from './sql-context.js';
import { sqliteCheckpointer, type CheckpointResult } from './sqlite-checkpointer.js';
import { sqlStore } from './sql-store.js';
import { syncStepRunner } from './steps.js';
import type { Store } from './store.js';

interface SqliteOptions {
  /** A file path or ':memory:'. */
  path: string;
  /** NORMAL keeps every acknowledged write across a process crash in WAL mode; FULL also across power loss. */
  synchronous: SqliteSynchronous;
  /** Told of every statement and group commit (metrics). */
  observer?: StoreObserver;
}

interface SqliteStore {
  store: Store;
  /** The database the store runs on, for what keeps its own rows beside the store's (the simulated backend). */
  context: SqlContext;
  /** Folds the write-ahead log back into the database, mostly on a thread of its own (a file's store; none for ':memory:'). */
  checkpoint?: () => Promise<CheckpointResult>;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every statement anew; compiling SQL costs more than running it here, so reuse prepared statements
 * by their text. Parameters are bound per call, so a cached statement is safe to share. The request path builds each
 * statement's text anew, and a Map keyed by text would hash every character of it on every lookup (V8 keeps a
 * string's hash only on that string); texts are instead found by length, then compared. When the cache is full it
 * starts over.
 */
export function statementCache(database: Database.Database, max = STATEMENT_CACHE_SIZE): (sql: string) => Database.Statement {
  const byLength = new Map<number, Array<{ sql: string; statement: Database.Statement }>>();
  let size = 0;
  return (sql) => {
    const sameLength = byLength.get(sql.length);
    if (sameLength) for (const cached of sameLength) if (cached.sql === sql) return cached.statement;
    if (size >= max) {
      byLength.clear();
      size = 0;
    }
    const statement = database.prepare(sql);
    const entry = { sql, statement };
    const bucket = byLength.get(sql.length);
    if (bucket) bucket.push(entry);
    else byLength.set(sql.length, [entry]);
    size++;
    return statement;
  };
}

/** How often a cached key lookup asks whether another process has committed to the file (PRAGMA data_version). */
const OTHER_PROCESS_CHECK_MILLIS = 50;

/**
 * This connection's own writes to access_keys call back into the process through a TEMP trigger (it lives only on
 * this connection, so every write by this process is seen, cascades from deleted users included, and nothing is left
 * in the file). `PRAGMA data_version` changes when another connection to the file commits (`poolkeeper admin` in
 * another process), and then any key may have changed; reading it takes a WAL read lock, several microseconds, so a
 * lookup reads it only when the last reading is OTHER_PROCESS_CHECK_MILLIS old: another process's change is seen
 * within that time, this process's at once.
 */
function sqliteAccessKeyChanges(database: Database.Database): AccessKeyChanges {
  const listeners = changeListeners();
  let dataVersion: Database.Statement | undefined;
  let seenVersion: unknown;
  let checkedAt = 0;
  return {
    onChange: listeners.add,
    start() {
      if (dataVersion) return;
      database.function('poolkeeper_access_key_changed', (accessKey: unknown) => {
        listeners.tell(typeof accessKey === 'string' ? accessKey : null);
        return null;
      });
      for (const event of ['UPDATE', 'DELETE']) {
        database.exec(
          `CREATE TEMP TRIGGER IF NOT EXISTS access_key_${event.toLowerCase()}_told AFTER ${event} ON main.access_keys BEGIN SELECT poolkeeper_access_key_changed(OLD.access_key); END`,
        );
      }
      dataVersion = database.prepare('PRAGMA data_version').pluck();
      seenVersion = dataVersion.get();
    },
    watching() {
      if (!dataVersion || !database.open) return false;
      const now = performance.now();
      if (now - checkedAt < OTHER_PROCESS_CHECK_MILLIS) return true;
      checkedAt = now;
      const version = dataVersion.get();
      if (version !== seenVersion) {
        seenVersion = version;
        listeners.tell(null);
      }
      return true;
    },
  };
}

export function openSqliteStore(options: SqliteOptions): SqliteStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
  const database = new Database(options.path);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${options.synchronous}`);
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // 64 MiB of page cache instead of SQLite's 2 MiB: a 10,000-node pool with its tags and operation records outgrows 2 MiB.
  database.pragma('cache_size = -65536');
  // Checkpoints run from the service's maintenance loop, mostly on a thread of their own (`checkpoint` below), instead
  // of inside whichever commit crosses the threshold.
  database.pragma('wal_autocheckpoint = 0');
  const prepare = statementCache(database);
  const cached: SqliteDatabase = { close: () => database.close(), prepare };
  const observer = options.observer ?? quietObserver;
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: cached }), ...kyselyStatementLog(observer) });
  const context: SqlContext = {
    db,
    dialect: sqliteSql,
    runner: syncStepRunner(db, database, prepare, observer),
    accessKeyChanges: sqliteAccessKeyChanges(database),
  };
  const store = sqlStore(context);
  if (options.path === ':memory:') return { store, context };
  const checkpointer = sqliteCheckpointer(options.path);
  return {
    // Closed once both connections are: the last of them folds the log in and removes it.
    store: { ...store, close: () => checkpointer.close().then(() => store.close()) },
    context,
    async checkpoint() {
      let workerFailure: unknown;
      try {
        await checkpointer.checkpoint();
      } catch (error) {
        // Reported below, once the log is copied here all the same: a worker that cannot run must not let it grow.
        workerFailure = error;
      }
      // The worker copies the log while this connection writes on, so it never copies the last frames, and only a log
      // whose every frame is copied starts over from its beginning at the next write: without this, it grows for
      // ever. The frames written meanwhile are copied here, between two transactions: under a steady write load the
      // service's thread waits 7-14 ms for them, with the file's syncs, where it waited 50-70 ms for the whole log.
      const result = database.open ? (database.pragma('wal_checkpoint(PASSIVE)') as [CheckpointResult])[0] : { busy: 0, log: 0, checkpointed: 0 };
      if (workerFailure !== undefined) throw workerFailure;
      return result;
    },
  };
}
