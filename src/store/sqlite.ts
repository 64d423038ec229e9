import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { sqliteSql } from './dialect.js';
import type { Database as Schema } from './schema.js';
import { SqlStore } from './sql-store.js';

export type SqliteSynchronous = 'NORMAL' | 'FULL';

export interface SqliteOptions {
  /** A file path or ':memory:'. */
  path: string;
  /** NORMAL keeps every acknowledged write across a process crash in WAL mode; FULL also across power loss. */
  synchronous: SqliteSynchronous;
}

export interface SqliteStore {
  store: SqlStore;
  /** Folds the write-ahead log back into the database; run it off the request path. */
  checkpoint(): void;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every statement anew; compiling SQL costs more than running it here, so reuse prepared statements
 * by their text. Parameters are bound per call, so a cached statement is safe to share.
 */
function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
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
  // Checkpoints run from the service's maintenance loop instead of inside whichever commit crosses the threshold.
  database.pragma('wal_autocheckpoint = 0');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return {
    store: new SqlStore(db, sqliteSql),
    checkpoint: () => {
      if (database.open) database.pragma('wal_checkpoint(PASSIVE)');
    },
  };
}
