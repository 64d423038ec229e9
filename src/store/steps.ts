import type { Kysely, RawBuilder } from 'kysely';
import type Database from 'better-sqlite3';

export interface StepResult {
  rows: Array<Record<string, unknown>>;
  /** Rows changed by an INSERT, UPDATE or DELETE. */
  changes: number;
}

/**
 * A store operation written once as a sequence of SQL statements: it yields each statement and receives its result.
 * A runner drives it inside one transaction — synchronously on SQLite, where that is the fast path, and
 * asynchronously on PostgreSQL.
 */
export type Steps<T> = Generator<RawBuilder<unknown>, T, StepResult>;

export interface StepRunner {
  /** Runs the steps in one transaction. */
  transaction<T>(steps: () => Steps<T>): Promise<T>;
  /** Runs one statement on its own. */
  query(statement: RawBuilder<unknown>): Promise<StepResult>;
}

async function execute(statement: RawBuilder<unknown>, executor: Kysely<any>): Promise<StepResult> {
  const result = await statement.execute(executor);
  return { rows: result.rows as Array<Record<string, unknown>>, changes: Number(result.numAffectedRows ?? 0) };
}

/** Drives steps statement by statement on a Kysely executor (a database or an open transaction). */
export async function driveSteps<T>(run: Steps<T>, executor: Kysely<any>): Promise<T> {
  let next = run.next();
  while (!next.done) next = run.next(await execute(next.value, executor));
  return next.value;
}

/** PostgreSQL: each statement is a round trip inside a Kysely transaction. */
export function asyncStepRunner(db: Kysely<any>): StepRunner {
  return {
    transaction: <T>(steps: () => Steps<T>) => db.transaction().execute((trx) => driveSteps(steps(), trx)),
    query: (statement) => execute(statement, db),
  };
}

/**
 * SQLite: statements run synchronously on the one connection, with cached prepared statements, inside a
 * better-sqlite3 transaction. It takes Kysely's connection first, so it never interleaves with a Kysely transaction.
 */
export function syncStepRunner(db: Kysely<any>, database: Database.Database, prepare: (sql: string) => Database.Statement): StepRunner {
  const execute = (statement: RawBuilder<unknown>): StepResult => {
    const compiled = statement.compile(db);
    const prepared = prepare(compiled.sql);
    if (prepared.reader) return { rows: prepared.all(...compiled.parameters) as Array<Record<string, unknown>>, changes: 0 };
    return { rows: [], changes: prepared.run(...compiled.parameters).changes };
  };
  return {
    transaction: <T>(steps: () => Steps<T>) =>
      db.connection().execute(async () =>
        database.transaction(() => {
          const run = steps();
          let next = run.next();
          while (!next.done) next = run.next(execute(next.value));
          return next.value;
        }).immediate(),
      ),
    query: (statement) => db.connection().execute(async () => execute(statement)),
  };
}
