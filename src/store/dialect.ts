import { sql as kyselySql, type Kysely } from 'kysely';
import sql, { bulk, empty, join, raw, type Sql } from 'sql-template-tag';
import type { Row, StepResult } from './statements.js';

export type DialectName = 'sqlite' | 'postgres';

type JsonColumnType = 'text' | 'integer';

/**
 * The SQL pieces that differ between SQLite and PostgreSQL; the store files never ask which dialect they run on.
 * Set-based writes pass their rows as one JSON array parameter (one round trip, no per-row placeholders) and read
 * them back as a table expression. Row locks exist only on PostgreSQL: a SQLite write transaction holds the whole
 * database, so its lock pieces are empty.
 */
export interface DialectSql {
  readonly name: DialectName;
  /** The right-hand side of `x IN …` for these values (numbers or strings, as `type` says). */
  valueList(values: readonly unknown[], type: JsonColumnType): Sql;
  /** A subquery yielding one row per integer of `values`, in one column named `column`. */
  integerRows(values: readonly number[], column: string): Sql;
  /** A subquery yielding one row per element of `rows` (each an array), columns named and typed as given. */
  jsonRows(rows: unknown[][], columns: JsonColumns): Sql;
  /**
   * A read of `columns` (in that order) from `query`, shaped for this driver, for batches of thousands of rows;
   * `valuesOf` turns its result into one array of values per row. SQLite returns every row as one JSON value,
   * because better-sqlite3 builds row objects slowly; PostgreSQL returns plain rows, because json_agg costs its server
   * more than pg's row parsing saves (figures: bench/README.md, "Measured choices").
   */
  selectValues(query: Sql, columns: readonly string[], orderBy?: string): Sql;
  valuesOf(result: StepResult, columns: readonly string[]): unknown[][];
  /**
   * A scalar subquery: the rows of `query` (which may refer to the outer statement's tables), `columns` of each in
   * that order, as the text of one JSON array of arrays, ordered by `orderBy`; empty: `[]` or NULL (see jsonArrayValues).
   * A read then takes a node with its labels, taints and tags, or a pool with its node counts, in one statement.
   */
  jsonArrayOf(query: Sql, columns: readonly string[], orderBy?: string): Sql;
  /**
   * The most nodes a page is read with in one statement, its labels, taints and tags inside each row as jsonArrayOf
   * values; a larger page is read with them apart (one set-based statement of plain rows beside the rows, in one
   * snapshot). SQLite: any page; PostgreSQL: small ones (figures: bench/README.md, "Measured choices").
   */
  readonly nodePageInOneStatementMax: number;
  /**
   * Whether a batch call's tag count (NodeChange.countTagsBesides) is a column of its node read, one statement fewer.
   * On SQLite the call holds the write lock from its start, so the read counts every committed tag; on PostgreSQL a
   * subquery of the locking read would count in the snapshot taken before it waited for the rows' locks, missing the
   * tags of the call that held them, so the count is a statement of its own, run once the read holds its locks (in
   * the same flight for a short list of names, by the ids the read found for a longer one).
   */
  readonly tagCountInNodeRead: boolean;
  isUniqueViolation(error: unknown): boolean;
  /** Ends a read whose rows the transaction goes on to change: ` FOR UPDATE`. */
  readonly forUpdate: Sql;
  /** Ends a read of nodes a batch call changes: ` ORDER BY id FOR UPDATE`, so overlapping calls queue instead of deadlocking. */
  readonly forUpdateInIdOrder: Sql;
  /** Ends the subquery of a background step: `FOR UPDATE SKIP LOCKED`, so it skips rows a batch call holds. */
  readonly skipLocked: Sql;
  /** A statement locking the rows of `table` whose ids are in `ids` (a valueList), in id order; none on SQLite. */
  lockRows(table: string, ids: Sql): Sql | null;
  /** Runs the migrations while holding the lock replicas starting together take turns with. */
  withMigrationLock(db: Kysely<any>, migrate: (db: Kysely<any>) => Promise<void>): Promise<void>;
  /** Inserts snapshot rows (as `SELECT *` read them) back into `table`, every column keeping its type. */
  insertRows(table: string, rows: Row[]): Sql;
  /** After `table` got rows with explicit ids: moves its id sequence past them (none on SQLite). */
  syncIdSequence(table: string): Sql | null;
}

/** The rows of a `jsonArrayOf` column: SQLite gives `[]` for none, PostgreSQL NULL. */
export function jsonArrayValues(value: unknown): unknown[][] {
  return typeof value === 'string' && value !== '[]' ? (JSON.parse(value) as unknown[][]) : [];
}

/**
 * A fragment built once per key and shared from then on: the statements of a request are built anew on every call,
 * and rebuilding their fixed parts (quoted column lists, a JSON row's select list) cost more than the rest of a
 * statement's text (1.6 µs against 0.4 µs for a node read). Sql values are never changed once built, so sharing one
 * is safe. Names are the code's own, a bounded set; a list is held only while the list itself lives (the constant
 * lists of the store files for good, a list built for one call not past it).
 */
function builtOnce<K, V>(build: (key: K) => V, built: { get(key: K): V | undefined; set(key: K, value: V): unknown }): (key: K) => V {
  return (key) => {
    let value = built.get(key);
    if (value === undefined) {
      value = build(key);
      built.set(key, value);
    }
    return value;
  };
}

/** A quoted identifier; only ever given names written in this code, never input. */
export const ident = builtOnce((name: string): Sql => raw(`"${name}"`), new Map());

/** `"a", "b", …`: a constant list of column names, quoted. */
export const columnList = builtOnce((columns: readonly string[]): Sql => join(columns.map(ident)), new WeakMap());

/**
 * Up to this many values or rows, a list is bound value by value: `(?, ?, …)` / `($1, $2, …)` and SQLite's VALUES rows
 * cost less than a JSON or array parameter for the common small request.
 */
export const SHORT_LIST_MAX = 8;

/**
 * `columns` of the rows of `q` as one JSON array of arrays, in the order the rows come: SQLite's selectValues and
 * jsonArrayOf order the subquery `q` (orderedBy) rather than the aggregate (`json_group_array(… ORDER BY …)`), which
 * sorts into a temporary B-tree on every call even where an index gives the order already: an 8-node page with its
 * labels, taints and tags took 306 µs that way and takes 133 µs. SQLite keeps a FROM-subquery's ORDER BY when the
 * outer query uses an aggregate other than count, min or max (select.c, "tag-select-0230", case 4) and reads the
 * subquery in that order; the node-changes contract test holds both dialects to the order.
 */
const sqliteJsonRows = builtOnce((columns: readonly string[]): Sql => raw(`json_group_array(json_array(${columns.map((c) => `q."${c}"`).join(', ')}))`), new WeakMap());

type JsonColumns = ReadonlyArray<readonly [name: string, type: JsonColumnType]>;

/** integerRows' one column, the same list for the same name (so that what is built from it is built once). */
const integerColumn = builtOnce((column: string): JsonColumns => [[column, 'integer']], new Map());

const valuesSelect = builtOnce((columns: JsonColumns): Sql => raw(columns.map(([name], i) => `column${i + 1} AS "${name}"`).join(', ')), new WeakMap());
const jsonEachSelect = builtOnce((columns: JsonColumns): Sql => raw(columns.map(([name], i) => `j.value ->> '$[${i}]' AS "${name}"`).join(', ')), new WeakMap());
const jsonbSelect = builtOnce(
  (columns: JsonColumns): Sql =>
    raw(columns.map(([name, type], i) => (type === 'integer' ? `(j.value ->> ${i})::bigint AS "${name}"` : `j.value ->> ${i} AS "${name}"`)).join(', ')),
  new WeakMap(),
);

/** `query` with `ORDER BY orderBy`, or as it is without one. */
function orderedBy(query: Sql, orderBy: string | undefined): Sql {
  return orderBy ? sql`${query} ORDER BY ${raw(orderBy)}` : query;
}

export const sqliteSql: DialectSql = {
  name: 'sqlite',
  valueList(values) {
    // A short list is bound as (?, ?, …): SQLite plans an IN over a subquery with a Bloom filter that is slow to set up.
    if (values.length > 0 && values.length <= SHORT_LIST_MAX) return sql`(${join(values)})`;
    return sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;
  },
  integerRows(values, column) {
    if (values.length > 0 && values.length <= SHORT_LIST_MAX) return this.jsonRows(values.map((value) => [value]), integerColumn(column));
    // A flat array: json_each yields each integer as it is, with no `->>` per row (10,000 ids: 13 ms instead of 17).
    return sql`(SELECT value AS ${ident(column)} FROM json_each(${JSON.stringify(values)}))`;
  },
  jsonRows(rows, columns) {
    if (rows.length > 0 && rows.length <= SHORT_LIST_MAX) {
      return sql`(SELECT ${valuesSelect(columns)} FROM (VALUES ${bulk(rows.map((row) => columns.map((_, i) => row[i] ?? null)))}))`;
    }
    return sql`(SELECT ${jsonEachSelect(columns)} FROM json_each(${JSON.stringify(rows)}) AS j)`;
  },
  selectValues(query, columns, orderBy) {
    return sql`SELECT ${sqliteJsonRows(columns)} AS rows FROM (${orderedBy(query, orderBy)}) AS q`;
  },
  valuesOf(result) {
    const json = result.rows[0]?.rows;
    return typeof json === 'string' ? (JSON.parse(json) as unknown[][]) : [];
  },
  jsonArrayOf(query, columns, orderBy) {
    return sql`(SELECT ${sqliteJsonRows(columns)} FROM (${orderedBy(query, orderBy)}) AS q)`;
  },
  nodePageInOneStatementMax: Infinity,
  tagCountInNodeRead: true,
  isUniqueViolation(error) {
    return typeof error === 'object' && error !== null && String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT');
  },
  forUpdate: empty,
  forUpdateInIdOrder: empty,
  skipLocked: empty,
  lockRows: () => null,
  // One process owns a SQLite file; there are no replicas to take turns with.
  withMigrationLock: (db, migrate) => migrate(db),
  insertRows(table, rows) {
    const columns = Object.keys(rows[0] ?? {});
    const values = raw(columns.map((c) => `j.value ->> '$."${c}"'`).join(', '));
    return sql`INSERT INTO ${ident(table)} (${join(columns.map(ident))}) SELECT ${values} FROM json_each(${JSON.stringify(rows)}) AS j`;
  },
  syncIdSequence: () => null,
};

/** Any fixed 64-bit number: the advisory lock replicas take while migrating. */
const MIGRATION_LOCK_KEY = 7_210_551_903;

/**
 * Integers travel as one bigint[] parameter: parsing it costs the server less than JSON. Its text is written here,
 * `{1,2,3}`, because pg would quote and escape every element (figures: bench/README.md, "Measured choices"). Text and
 * mixed rows travel as JSON, which needs no escaping on our side.
 */
export const postgresSql: DialectSql = {
  name: 'postgres',
  valueList(values, type) {
    // A short list is an index condition even in a prepared statement's generic plan; a join with the set an array
    // parameter unpacks into is not (one pool's node counts among 11,500 nodes: 0.05 ms against a 1.6 ms scan).
    if (values.length > 0 && values.length <= SHORT_LIST_MAX) return sql`(${join(values)})`;
    if (type === 'integer') return sql`(SELECT unnest(${bigintArray(values as readonly number[])}::bigint[]))`;
    return sql`(SELECT value FROM jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
  },
  integerRows(values, column) {
    return sql`(SELECT unnest(${bigintArray(values)}::bigint[]) AS ${ident(column)})`;
  },
  jsonRows(rows, columns) {
    return sql`(SELECT ${jsonbSelect(columns)} FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS j(value))`;
  },
  selectValues(query, _columns, orderBy) {
    return orderedBy(query, orderBy);
  },
  valuesOf(result, columns) {
    return result.rows.map((row) => columns.map((c) => row[c]));
  },
  jsonArrayOf(query, columns, orderBy) {
    const row = raw(`json_agg(json_build_array(${columns.map((c) => `q."${c}"`).join(', ')})${orderBy ? ` ORDER BY ${orderBy}` : ''})::text`);
    return sql`(SELECT ${row} FROM (${query}) AS q)`;
  },
  nodePageInOneStatementMax: 50,
  tagCountInNodeRead: false,
  isUniqueViolation(error) {
    return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
  },
  forUpdate: sql` FOR UPDATE`,
  forUpdateInIdOrder: sql` ORDER BY id FOR UPDATE`,
  skipLocked: sql`FOR UPDATE SKIP LOCKED`,
  lockRows: (table, ids) => sql`SELECT id FROM ${ident(table)} WHERE id IN ${ids} ORDER BY id FOR UPDATE`,
  /** Replicas starting together take turns: a session-level advisory lock held on one connection while migrating. */
  async withMigrationLock(db, migrate) {
    await db.connection().execute(async (connection) => {
      await kyselySql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
      try {
        await migrate(connection);
      } finally {
        await kyselySql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
      }
    });
  },
  insertRows: (table, rows) => sql`INSERT INTO ${ident(table)} SELECT * FROM json_populate_recordset(NULL::${ident(table)}, ${JSON.stringify(rows)}::json)`,
  syncIdSequence: (table) => sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM ${ident(table)}`,
};

/** The text of a PostgreSQL bigint[] holding `values`, which must be integers (PostgreSQL rejects anything else). */
function bigintArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}
