import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postgresSql } from './dialect.js';
import type { Database } from './schema.js';
import { SqlStore } from './sql-store.js';
import { asyncStepRunner } from './steps.js';

/** BIGINT columns hold epoch milliseconds and ids, all well inside Number's exact range. */
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresOptions {
  url: string;
  /** Connections this replica keeps open. */
  poolSize?: number;
}

export function openPostgresStore(options: PostgresOptions): SqlStore {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new SqlStore(db, postgresSql, asyncStepRunner(db, postgresSql));
}
