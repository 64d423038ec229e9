import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Sql } from 'sql-template-tag';
import { quietObserver, statementKind, type StoreObserver } from './observer.js';
import { endsTransaction, type Row, type StepResult, type StepRunner, type Steps } from './statements.js';

function isFlight(step: Sql | readonly Sql[]): step is readonly Sql[] {
  return Array.isArray(step);
}

/** The commands whose row count is the rows they changed (pg's rowCount of a SELECT is the rows it returned). */
const CHANGING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * PostgreSQL parses and plans an unnamed statement on every run, which cost its backends more than running the
 * statement (a 1-node batch-update: 1.5 ms of backend CPU unnamed, 0.9 ms prepared). So each statement text gets a
 * prepared statement's name, prepared once per connection. The texts are few (the PostgreSQL pieces of dialect.ts
 * bind a list of up to SHORT_LIST_MAX values one by one and pass a longer one as one array or JSON parameter, so a
 * text varies with the number of values only up to that many); past NAMED_STATEMENTS_MAX texts the rest run
 * unnamed, which bounds what every backend keeps.
 */
const NAMED_STATEMENTS_MAX = 256;

/**
 * A statement reading every column (`SELECT *`, `p.*`, `RETURNING *`) stays unnamed: PostgreSQL refuses to run a
 * prepared statement whose result columns changed since it was prepared, as they do when a newer replica migrates.
 */
const READS_EVERY_COLUMN = /(?:SELECT\s+|RETURNING\s+|\.)\*/i;

/** The prepared statement's name for a statement text; undefined: run it unnamed. */
export function statementNames(max = NAMED_STATEMENTS_MAX): (text: string) => string | undefined {
  const names = new Map<string, string | undefined>();
  return (text) => {
    if (names.has(text)) return names.get(text);
    if (names.size >= max) return undefined;
    const name = READS_EVERY_COLUMN.test(text) ? undefined : `poolkeeper_${names.size}`;
    names.set(text, name);
    return name;
  };
}

type QueryCallback = (error: Error | undefined, result: pg.QueryResult) => void;

/**
 * Runs `query` (a pg Query, which pg runs as it is) on a pooled connection or on the pool, calling `done` once with
 * its outcome. pg's `query(config)` first copies a config object with `Object.getOwnPropertyDescriptors`: about a
 * seventh of the client's CPU per prepared statement (2.5 of 17.5 µs, bench/README.md "Measured choices"), and a
 * 1-node batch-update sends four statements with values. A Query made from text and values is not copied.
 */
function submit(on: pg.Pool | pg.PoolClient, query: pg.Query, done: QueryCallback): void {
  // The types declare no callback beside a Query object; pg takes it (a Query with no callback of its own gets it).
  (on.query as (query: pg.Query, done: QueryCallback) => unknown).call(on, query, done);
}

/** A statement as a pg Query: prepared under `name` when it has one, unnamed otherwise. */
function statementQuery(name: string | undefined, text: string, values: unknown[] | undefined): pg.Query {
  const query = new pg.Query(text, values);
  // Query reads its name from a config object only; set after construction, it is what pg's submit() reads.
  if (name !== undefined) (query as pg.Query & { name?: string }).name = name;
  return query;
}

/**
 * PostgreSQL: transactions run on a connection of their own with pg in pipeline mode (postgres.ts): BEGIN goes to
 * the server with the first statements, a flight's statements go together and COMMIT goes with a `lastly` flight, so
 * a call costs one round trip per step that needs the answer of the one before, not one per statement. Reads and
 * single statements run on whichever pooled connection is free, one statement at a time.
 */
export function asyncStepRunner(pool: pg.Pool, observer: StoreObserver = quietObserver): StepRunner {
  const names = statementNames();
  const send = (on: pg.Pool | pg.PoolClient, statement: Sql | string): Promise<StepResult> => {
    const text = typeof statement === 'string' ? statement : statement.text;
    const query = typeof statement === 'string' ? statementQuery(undefined, text, undefined) : statementQuery(names(text), text, statement.values);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      submit(on, query, (error, result) => {
        observer.statement(statementKind(text), (performance.now() - started) / 1000);
        if (error) reject(error);
        else resolve({ rows: result.rows as Row[], changes: CHANGING_COMMANDS.has(result.command) ? (result.rowCount ?? 0) : 0 });
      });
    });
  };
  /**
   * Sent together, answered in order; when one fails, those behind it fail too (the transaction is aborted). pg
   * writes each query to the socket on its own; with the socket corked the whole flight leaves in one write, and the
   * backend reads it in one go instead of waking once per statement.
   */
  const sendAll = (client: pg.PoolClient, statements: ReadonlyArray<Sql | string>): Promise<StepResult[]> => {
    const socket = client.connection.stream;
    socket.cork();
    try {
      // Each `send` hands its query to pg before its first await, so all of them are written while corked.
      return Promise.all(statements.map((statement) => send(client, statement)));
    } finally {
      socket.uncork();
    }
  };
  /** Runs `work` on a connection of its own; when it fails, rolls back whatever transaction it left open. */
  const onClient = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      const value = await work(client);
      client.release();
      return value;
    } catch (error) {
      try {
        await send(client, 'ROLLBACK');
        client.release();
      } catch (rollbackError) {
        client.release(rollbackError as Error);
      }
      throw error;
    }
  };
  const transaction = async <T>(steps: () => Steps<T>): Promise<T> => {
    const run = steps();
    let next = run.next();
    if (next.done) return next.value;
    return onClient(async (client) => {
      let begin = true;
      while (!next.done) {
        const step = next.value;
        const statements = isFlight(step) ? step : [step];
        const commits = endsTransaction(step);
        const results = await sendAll(client, [...(begin ? ['BEGIN'] : []), ...statements, ...(commits ? ['COMMIT'] : [])]);
        const each = results.slice(begin ? 1 : 0, (begin ? 1 : 0) + statements.length);
        begin = false;
        next = run.next(isFlight(step) ? { rows: [], changes: 0, each } : each[0]!);
        if (commits) {
          if (!next.done) throw new Error('the steps yielded a statement after their last flight');
          return next.value;
        }
      }
      await send(client, 'COMMIT');
      return next.value;
    });
  };
  const read = async <T>(steps: () => Steps<T>): Promise<T> => {
    const run = steps();
    let next = run.next();
    while (!next.done) {
      const step = next.value;
      if (!isFlight(step)) {
        next = run.next(await send(pool, step));
        continue;
      }
      const each: StepResult[] = [];
      for (const statement of step) each.push(await send(pool, statement));
      next = run.next({ rows: [], changes: 0, each });
    }
    return next.value;
  };
  const snapshot = (statements: readonly Sql[]): Promise<StepResult[]> =>
    onClient(async (client) =>
      // One statement is one snapshot already.
      statements.length === 1
        ? [await send(client, statements[0]!)]
        : (await sendAll(client, ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', ...statements, 'COMMIT'])).slice(1, -1),
    );
  return { transaction, snapshot, read, query: (statement) => send(pool, statement) };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface PendingSteps {
  steps: () => Steps<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * SQLite: statements run synchronously on the one connection, with cached prepared statements. Transactions are
 * committed in groups: the step runs asked for while the event loop handles one round of I/O all run in one
 * better-sqlite3 transaction (when one fails, the group runs again with each in a savepoint of its own, so a failure
 * undoes only its own writes and rejects only its own promise), and every promise settles only after that one
 * COMMIT. Concurrent requests then share the cost of the
 * commit and of the WAL pages it writes (a page two requests change is written once); a lone request waits one
 * `setImmediate`. A synchronous run cannot interleave with anything, so it only waits for Kysely's connection while a
 * Kysely transaction is open on it (one that awaits between its statements).
 */
export function syncStepRunner(
  db: Kysely<any>,
  database: Database.Database,
  prepare: (sql: string) => Database.Statement,
  observer: StoreObserver = quietObserver,
): StepRunner {
  const execute = (statement: Sql): StepResult => {
    // `sql` joins the statement's parts anew on every read.
    const text = statement.sql;
    const prepared = prepare(text);
    const started = performance.now();
    try {
      if (prepared.reader) return { rows: prepared.all(...statement.values) as Row[], changes: 0 };
      return { rows: [], changes: prepared.run(...statement.values).changes };
    } finally {
      observer.statement(statementKind(text), (performance.now() - started) / 1000);
    }
  };
  const drive = <T>(run: Steps<T>): T => {
    let next = run.next();
    while (!next.done) {
      const step = next.value;
      next = run.next(isFlight(step) ? { rows: [], changes: 0, each: step.map(execute) } : execute(step));
    }
    return next.value;
  };
  const whenConnectionFree = <T>(work: () => T): Promise<T> =>
    database.inTransaction ? db.connection().execute(async () => work()) : new Promise<T>((resolve) => resolve(work()));

  // The common case, where no call fails: every call's statements in the one transaction, with nothing around them.
  const commitTogether = database.transaction((group: PendingSteps[]) => group.map((item): Outcome => ({ ok: true, value: drive(item.steps()) }))).immediate;
  // Called inside a transaction, a better-sqlite3 transaction function runs as a savepoint.
  const inSavepoint = database.transaction(drive);
  const commitApart = database.transaction((group: PendingSteps[]) =>
    group.map((item): Outcome => {
      try {
        return { ok: true, value: inSavepoint(item.steps()) };
      } catch (error) {
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then every call in the group failed.
        if (!database.inTransaction) throw error;
        return { ok: false, error };
      }
    }),
  ).immediate;
  /**
   * A failed call rolls the whole group back; the group then runs again with each call in a savepoint of its own, so
   * the failure undoes only its own writes. Steps compute only from what their statements return, so running them
   * again is the same as running them once. A lone call needs no second run: its failure is its own.
   */
  const commitGroup = (group: PendingSteps[]): Outcome[] => {
    try {
      return commitTogether(group);
    } catch (error) {
      if (group.length === 1) return [{ ok: false, error }];
      return commitApart(group);
    }
  };
  let pending: PendingSteps[] = [];
  const flush = (): void => {
    const group = pending;
    pending = [];
    let outcomes;
    try {
      outcomes = commitGroup(group);
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    observer.groupCommit(group.length);
    outcomes.forEach((outcome, i) => (outcome.ok ? group[i]!.resolve(outcome.value) : group[i]!.reject(outcome.error)));
  };
  const scheduleFlush = (): void => {
    setImmediate(() => {
      whenConnectionFree(flush).catch((error: unknown) => {
        const group = pending;
        pending = [];
        for (const item of group) item.reject(error);
      });
    });
  };

  return {
    transaction: <T>(steps: () => Steps<T>) =>
      new Promise<T>((resolve, reject) => {
        pending.push({ steps, resolve: resolve as (value: unknown) => void, reject });
        if (pending.length === 1) scheduleFlush();
      }),
    read: <T>(steps: () => Steps<T>) => whenConnectionFree(() => drive(steps())),
    snapshot: (statements) => whenConnectionFree(() => statements.map(execute)),
    query: (statement) => whenConnectionFree(() => execute(statement)),
  };
}
