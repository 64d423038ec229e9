import type { KyselyConfig } from 'kysely';

/** What a statement does, as a metric label: a handful of values, never the SQL text. */
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'transaction' | 'schema' | 'other';

export const STATEMENT_KINDS: readonly StatementKind[] = ['select', 'insert', 'update', 'delete', 'transaction', 'schema', 'other'];

/**
 * What the store reports about its own work, for metrics. Its methods run on the request path, once per statement:
 * they must be cheap and must not throw.
 */
export interface StoreObserver {
  /** One SQL statement ran (or failed) in `seconds`. */
  statement(kind: StatementKind, seconds: number): void;
  /** SQLite: one group commit ended, holding `transactions` callers' transactions (see syncStepRunner). */
  groupCommit(transactions: number): void;
}

export const quietObserver: StoreObserver = { statement() {}, groupCommit() {} };

/** Statement verbs, the most frequent first, as this code and Kysely write them: all upper case or all lower case. */
const VERBS: ReadonlyArray<readonly [upper: string, lower: string, kind: StatementKind]> = [
  ['SELECT', 'select', 'select'],
  ['INSERT', 'insert', 'insert'],
  ['UPDATE', 'update', 'update'],
  ['DELETE', 'delete', 'delete'],
  ['BEGIN', 'begin', 'transaction'],
  ['COMMIT', 'commit', 'transaction'],
  ['ROLLBACK', 'rollback', 'transaction'],
  ['SAVEPOINT', 'savepoint', 'transaction'],
  ['RELEASE', 'release', 'transaction'],
  ['START', 'start', 'transaction'],
  ['CREATE', 'create', 'schema'],
  ['ALTER', 'alter', 'schema'],
  ['DROP', 'drop', 'schema'],
];

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * The kind of a statement, from its first word (`WITH ...`, `PRAGMA ...` and anything else are `other`). It runs for
 * every statement, so it compares prefixes in place (about 15 ns) instead of extracting and lower-casing the word.
 */
export function statementKind(sql: string): StatementKind {
  let start = 0;
  while (start < sql.length && sql.charCodeAt(start) <= 32) start++;
  for (const [upper, lower, kind] of VERBS) {
    if ((sql.startsWith(upper, start) || sql.startsWith(lower, start)) && !isLetter(sql.charCodeAt(start + upper.length))) return kind;
  }
  return 'other';
}

/** Kysely's `log` option reporting every statement Kysely runs to `observer` (none when nobody observes). */
export function kyselyStatementLog(observer: StoreObserver): Pick<KyselyConfig, 'log'> {
  if (observer === quietObserver) return {};
  return { log: (event) => observer.statement(statementKind(event.query.sql), event.queryDurationMillis / 1000) };
}
