import type { DialectName } from '../dialect.js';

/** The column types that differ between dialects. */
export function columnTypes(dialect: DialectName) {
  return {
    /** Epoch milliseconds. */
    millis: dialect === 'postgres' ? 'bigint' : 'integer',
    /** An auto-assigned integer primary key. */
    serialId: dialect === 'postgres' ? 'bigserial' : 'integer',
    /** A column referencing a serial id. */
    reference: dialect === 'postgres' ? 'bigint' : 'integer',
  } as const;
}
