import type { Sql } from 'sql-template-tag';

/** A row as the driver returns it; each statement's rows are typed once, by the helper that reads them (rows.ts). */
export type Row = Record<string, unknown>;

export interface StepResult {
  rows: Row[];
  /** Rows changed by an INSERT, UPDATE or DELETE. */
  changes: number;
  /** After a flight (`lastly`): each statement's result, in order. */
  each?: StepResult[];
}

/**
 * A store operation written once as a sequence of SQL statements built with `sql-template-tag`: it yields each
 * statement, or a flight of statements (`lastly`), and receives its result. A runner (steps.ts) drives it —
 * synchronously on SQLite, where that is the fast path, and asynchronously on PostgreSQL.
 */
export type Steps<T> = Generator<Sql | readonly Sql[], T, StepResult>;

const ENDS_TRANSACTION = Symbol('ends the transaction');

/**
 * Statements none of which needs another's result, as one flight, the last of a transaction's steps: they run one
 * after another, in order, exactly as if yielded one by one (each sees what the ones before it did), but on
 * PostgreSQL they go to the server together, pipelined, with COMMIT: one round trip for all of them. The steps yield
 * nothing after it; when one of its statements fails the transaction is aborted, and that COMMIT rolls it back.
 */
export function* lastly(statements: readonly Sql[]): Steps<void> {
  if (statements.length === 0) return;
  yield Object.assign([...statements], { [ENDS_TRANSACTION]: true });
}

/** Whether a yielded step is a `lastly` flight. */
export function endsTransaction(step: Sql | readonly Sql[]): boolean {
  return (step as { [ENDS_TRANSACTION]?: boolean })[ENDS_TRANSACTION] === true;
}

/** How the store files that run `sql-template-tag` statements run them. */
export interface StepRunner {
  /**
   * Runs the steps in one transaction. The steps may be run again from the start after a failed attempt was rolled
   * back (SQLite's group commit does when another call of its group fails), so they must compute only from what
   * their statements return and from values fixed before the call, never change anything outside the database.
   */
  transaction<T>(steps: () => Steps<T>): Promise<T>;
  /**
   * Runs read-only steps outside a transaction: on SQLite in one synchronous run (nothing interleaves with it, so it
   * reads one state), on PostgreSQL statement by statement.
   */
  read<T>(steps: () => Steps<T>): Promise<T>;
  /**
   * Runs read-only statements that must see one state, none needing another's result: on SQLite in one synchronous
   * run; on PostgreSQL in a REPEATABLE READ READ ONLY transaction sent, BEGIN to COMMIT, as one flight (a single
   * statement is sent alone: it is one snapshot).
   */
  snapshot(statements: readonly Sql[]): Promise<StepResult[]>;
  /** Runs one statement on its own. */
  query(statement: Sql): Promise<StepResult>;
}
