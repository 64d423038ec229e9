import sql from 'sql-template-tag';
import { ident } from './dialect.js';
import type { Database } from './schema.js';
import type { SqlContext } from './sql-context.js';
import type { Row } from './statements.js';

/** The rows of every table a reset restores, as the store read them (opaque to callers). */
export interface StoreSnapshot {
  tables: Array<{ table: string; rows: Row[] }>;
}

/** The tables a snapshot holds, parents before children (restored in this order, emptied in the reverse). */
export const SNAPSHOT_TABLES = [
  'accounts',
  'projects',
  'users',
  'user_projects',
  'user_policies',
  'access_keys',
  'pools',
  'nodes',
  'node_labels',
  'node_taints',
  'node_tags',
  'operations',
  'fault_rules',
  'operation_outcomes',
] as const satisfies ReadonlyArray<keyof Database>;

/** Tables whose `id` is drawn from a sequence, which a restore moves past the restored ids. */
const SERIAL_TABLES: ReadonlyArray<(typeof SNAPSHOT_TABLES)[number]> = ['pools', 'nodes', 'fault_rules'];

/** Every table but the token-signing key's, in one read transaction. */
export function snapshot(context: SqlContext): Promise<StoreSnapshot> {
  return context.runner.transaction(function* () {
    const tables: StoreSnapshot['tables'] = [];
    for (const table of SNAPSHOT_TABLES) tables.push({ table, rows: (yield sql`SELECT * FROM ${ident(table)}`).rows });
    return { tables };
  });
}

/** Puts the tables back to `saved` in one transaction: readers see the state before or after, never between. */
export async function restore(context: SqlContext, saved: StoreSnapshot): Promise<void> {
  const { dialect } = context;
  await context.runner.transaction(function* () {
    for (const table of [...SNAPSHOT_TABLES].reverse()) yield sql`DELETE FROM ${ident(table)}`;
    for (const { table, rows } of saved.tables) if (rows.length > 0) yield dialect.insertRows(table, rows);
    for (const table of SERIAL_TABLES) {
      const sync = dialect.syncIdSequence(table);
      if (sync) yield sync;
    }
  });
}
