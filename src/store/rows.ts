/**
 * Readers for the values of a raw row. Each statement's rows are turned into a typed record by one helper that reads
 * every column with these; a value of another type than the column's is a bug, reported as such.
 */

export function text(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`expected a text value, got ${typeof value}`);
  return value;
}

/** Integers: SQLite and pg (bigint parsed as Number, see postgres.ts) give numbers; a few aggregates give strings. */
export function int(value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' || typeof value === 'bigint' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new TypeError(`expected an integer value, got ${typeof value}`);
  return number;
}

export function nullableText(value: unknown): string | null {
  return value === null ? null : text(value);
}

export function nullableInt(value: unknown): number | null {
  return value === null ? null : int(value);
}

/** A 0/1 integer column. */
export function flag(value: unknown): boolean {
  return int(value) === 1;
}

/** Comma-joined locked actions, '' when unlocked. */
export function actions(value: unknown): string[] {
  const joined = text(value);
  return joined === '' ? [] : joined.split(',');
}
