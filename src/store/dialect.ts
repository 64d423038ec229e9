import { sql, type RawBuilder } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export type JsonColumnType = 'text' | 'integer';

/**
 * The few SQL pieces that differ between SQLite and PostgreSQL. Set-based writes pass their rows as one JSON
 * array parameter (one round trip, no per-row placeholders) and read them back as a table expression.
 */
export interface DialectSql {
  readonly name: DialectName;
  /** A subquery yielding one row per element of `rows` (each an array), columns named and typed as given. */
  jsonRows(rows: unknown[][], columns: ReadonlyArray<readonly [name: string, type: JsonColumnType]>): RawBuilder<unknown>;
  isUniqueViolation(error: unknown): boolean;
}

/** Up to this many rows, SQLite gets them as bound VALUES: cheaper than parsing JSON for the common small request. */
const SQLITE_VALUES_MAX_ROWS = 8;

export const sqliteSql: DialectSql = {
  name: 'sqlite',
  jsonRows(rows, columns) {
    if (rows.length > 0 && rows.length <= SQLITE_VALUES_MAX_ROWS) {
      const select = columns.map(([name], i) => sql`${sql.ref(`column${i + 1}`)} AS ${sql.ref(name)}`);
      const values = rows.map((row) => sql`(${sql.join(columns.map((_, i) => row[i] ?? null))})`);
      return sql`(SELECT ${sql.join(select)} FROM (VALUES ${sql.join(values)}))`;
    }
    const select = columns.map(([name], i) => sql`j.value ->> ${sql.lit(`$[${i}]`)} AS ${sql.ref(name)}`);
    return sql`(SELECT ${sql.join(select)} FROM json_each(${JSON.stringify(rows)}) AS j)`;
  },
  isUniqueViolation(error) {
    return typeof error === 'object' && error !== null && String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT');
  },
};

export const postgresSql: DialectSql = {
  name: 'postgres',
  jsonRows(rows, columns) {
    const select = columns.map(([name, type], i) =>
      type === 'integer' ? sql`(j.value ->> ${sql.lit(i)})::bigint AS ${sql.ref(name)}` : sql`j.value ->> ${sql.lit(i)} AS ${sql.ref(name)}`,
    );
    return sql`(SELECT ${sql.join(select)} FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS j(value))`;
  },
  isUniqueViolation(error) {
    return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
  },
};
