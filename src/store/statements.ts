import type { Sql } from 'sql-template-tag';

/** A row as the driver returns it; each statement's rows are typed once, by the helper that reads them (rows.ts). */
export type Row = Record<string, unknown>;

export interface StepResult {
  rows: Row[];
  /** Rows changed by an INSERT, UPDATE or DELETE. */
  changes: number;
}

/**
 * A store operation written once as a sequence of SQL statements built with `sql-template-tag`: it yields each
 * statement and receives its result. A runner (steps.ts) drives it — synchronously on SQLite, where that is the fast
 * path, and asynchronously on PostgreSQL.
 */
export type Steps<T> = Generator<Sql, T, StepResult>;

/** How the store files that run `sql-template-tag` statements run them. */
export interface StepRunner {
  /** Runs the steps in one transaction. */
  transaction<T>(steps: () => Steps<T>): Promise<T>;
  /**
   * Runs read-only steps outside a transaction: on SQLite in one synchronous run (nothing interleaves with it, so it
   * reads one state), on PostgreSQL statement by statement.
   */
  read<T>(steps: () => Steps<T>): Promise<T>;
  /** Runs one statement on its own. */
  query(statement: Sql): Promise<StepResult>;
}
