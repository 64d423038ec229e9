import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toTimestamp } from '../../src/domain/time.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT, testDatabase, type TestDatabase } from '../helpers/databases.js';

/** A database made by an earlier release keeps every row when a newer poolkeeper migrates it. */
const T0 = Date.UTC(2026, 10, 1);
/** Operation results as releases before 2026-11-28 wrote them (successes as objects too). */
const OLD_RESULTS = [
  { name: 'node-a', status: 'success' },
  { name: 'node-b', status: 'failed', errorCode: 'ModelArts.50005101', errorMsg: 'Node node-b not found.' },
];
let dataDir: string;
let database: TestDatabase;
let store: Store;

function kyselyFor(url: string): Kysely<any> {
  if (TEST_DIALECT === 'postgres') return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  return new Kysely({ dialect: new SqliteDialect({ database: new Database(url) }) });
}

/** Runs `work` on a connection of its own to the migrated database, beside the store's. */
async function onDatabase(work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  const db = kyselyFor(database.url);
  try {
    await work(db);
  } finally {
    await db.destroy();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'poolkeeper-migrations-'));
  database = await testDatabase(TEST_DIALECT, dataDir);
  const db = kyselyFor(database.url);
  const { error } = await new Migrator({ db, provider: migrationProvider(TEST_DIALECT) }).migrateTo('0003_node_lifecycle');
  expect(error).toBeUndefined();
  await sql`INSERT INTO accounts (id, name, created_at, is_operator) VALUES ('acc', 'acme', ${T0}, 1)`.execute(db);
  await sql`INSERT INTO projects (id, account_id, name, created_at) VALUES ('proj', 'acc', 'local-1', ${T0})`.execute(db);
  await sql`INSERT INTO pools (id, project_id, name, phase, labels, annotations, spec, created_at)
    VALUES (1, 'proj', 'pool-a', 'Running', '{}', '{}', ${JSON.stringify({ type: 'Dedicate', resources: [] })}, ${T0})`.execute(db);
  await sql`INSERT INTO nodes (id, pool_id, name, flavor, az, private_ip, phase, created_at)
    VALUES (7, 1, 'node-a', 'modelarts.vm.cpu.8ud', 'local-1a', '192.168.0.2', 'Available', ${T0})`.execute(db);
  await sql`INSERT INTO node_labels (node_id, key, value) VALUES (7, 'os.modelarts.node/ha-redundant', 'true')`.execute(db);
  await sql`INSERT INTO node_taints (node_id, key, effect, value, time_added) VALUES (7, 'os.modelarts.node/ha-redundant', 'NoSchedule', 'true', ${T0})`.execute(db);
  await sql`INSERT INTO node_tags (node_id, key, value) VALUES (7, '环境', 'prod'), (7, 'team', 'ml')`.execute(db);
  await sql`INSERT INTO operations (id, project_id, pool_name, operation, action, principal, request_id, created_at, success_count, fail_count, results)
    VALUES ('op-1', 'proj', 'pool-a', 'BatchUpdatePoolNodes', 'createTags', 'admin', 'r1', ${T0}, 1, 1, ${JSON.stringify(OLD_RESULTS)})`.execute(db);
  await db.destroy();
  ({ store } = await openStore({ databaseUrl: database.url, sqliteSynchronous: 'NORMAL', databasePoolSize: 2 }));
  await store.migrate();
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`migrating a database from an earlier release (${TEST_DIALECT})`, () => {
  it('keeps the labels, taints and tags of existing nodes', async () => {
    const node = (await store.nodes.get({ projectId: 'proj', name: 'pool-a' }, 'node-a'))?.node;
    expect(node?.labels).toEqual({ 'os.modelarts.node/ha-redundant': 'true' });
    expect(node?.taints).toEqual([{ key: 'os.modelarts.node/ha-redundant', value: 'true', effect: 'NoSchedule', timeAdded: toTimestamp(T0) }]);
    expect(node?.tags).toEqual([
      { key: 'team', value: 'ml' },
      { key: '环境', value: 'prod' },
    ]);
  });

  it('reads the operation records it wrote, and lists them by the nodes they name', async () => {
    expect(await store.operations.get('proj', 'op-1')).toMatchObject({ successCount: 1, failCount: 1, results: OLD_RESULTS });
    const byNode = (node: string) => store.operations.list({ projectId: 'proj', pool: 'pool-a', kind: null, node, before: null, limit: 10 });
    for (const node of ['node-a', 'node-b']) expect((await byNode(node)).items.map((i) => i.id), node).toEqual(['op-1']);
    expect((await byNode('node-c')).items).toEqual([]);
  });

  it('keeps deleting a node deleting its details', async () => {
    await onDatabase(async (db) => {
      await sql`DELETE FROM nodes WHERE id = 7`.execute(db);
      for (const table of ['node_labels', 'node_taints', 'node_tags']) {
        const { rows } = await sql<{ count: number }>`SELECT COUNT(*) AS count FROM ${sql.table(table)}`.execute(db);
        expect(Number(rows[0]!.count), table).toBe(0);
      }
    });
  });
});

describe(`the ${TEST_DIALECT} schema after migrating`, () => {
  it('keeps an operation record of 10,000 results whole, compressed with lz4 on PostgreSQL', async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => (i === 0 ? 'node-a' : `missing-${i}`));
    const meta = { id: 'op-big', projectId: 'proj', poolName: 'pool-a', operation: 'BatchUpdatePoolNodes', action: 'createTags', principal: 'admin', requestId: 'r2', createdAt: T0 };
    // The first name succeeds with an empty delta (node-a may be gone by now: nothing is written for it), the others fail.
    const decide = () => names.map((name, i) => (i === 0 ? { name, ok: true as const, delta: { nodeId: 7 } } : { name, ok: false as const, failure: { code: 'X', message: `${name} missing` } }));
    await store.changes.apply({ pool: { projectId: 'proj', name: 'pool-a' }, nodeNames: names, read: 'lifecycle', plan: () => ({ decisions: decide() }), operation: meta });
    const record = await store.operations.get('proj', 'op-big');
    expect(record?.results).toHaveLength(10_000);
    expect(record?.results[0]).toEqual({ name: 'node-a', status: 'success' });
    expect(record?.results[9_999]).toEqual({ name: 'missing-9999', status: 'failed', errorCode: 'X', errorMsg: 'missing-9999 missing' });
    if (TEST_DIALECT !== 'postgres') return;
    await onDatabase(async (db) => {
      const { rows } = await sql<{ method: string }>`SELECT pg_column_compression(results) AS method FROM operations WHERE id = 'op-big'`.execute(db);
      expect(rows[0]?.method).toBe('lz4');
    });
  });

  it('keeps no resource version on nodes (nothing read it; pools keep theirs for scaling)', async () => {
    await onDatabase(async (db) => {
      const query =
        TEST_DIALECT === 'postgres'
          ? sql<{ table: string; name: string }>`SELECT table_name AS table, column_name AS name FROM information_schema.columns WHERE column_name = 'resource_version'`
          : sql<{ table: string; name: string }>`SELECT m.name AS "table", c.name AS name FROM sqlite_schema AS m, pragma_table_info(m.name) AS c
              WHERE m.type = 'table' AND c.name = 'resource_version'`;
      const { rows } = await query.execute(db);
      expect(rows.map((r) => r.table)).toEqual(['pools']);
    });
  });

  it('keeps operation records by (project_id, id), WITHOUT ROWID on SQLite, and one index besides, for listing a pool (each costs every batch call a page write)', async () => {
    await onDatabase(async (db) => {
      const indexes =
        TEST_DIALECT === 'postgres'
          ? sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'operations'`
          : sql<{ name: string }>`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'operations'`;
      const { rows } = await indexes.execute(db);
      expect(rows.map((r) => r.name).filter((name) => !/pkey|autoindex/.test(name))).toEqual(['operations_project_pool_id']);
      const key =
        TEST_DIALECT === 'postgres'
          ? sql<{ name: string }>`SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              WHERE i.indrelid = 'operations'::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`
          : sql<{ name: string }>`SELECT name FROM pragma_table_info('operations') WHERE pk > 0 ORDER BY pk`;
      expect((await key.execute(db)).rows.map((r) => r.name)).toEqual(['project_id', 'id']);
      if (TEST_DIALECT === 'postgres') return;
      const { rows: table } = await sql<{ definition: string }>`SELECT sql AS definition FROM sqlite_schema WHERE name = 'operations'`.execute(db);
      expect(table[0]?.definition).toMatch(/WITHOUT ROWID$/);
    });
  });

  it('keeps node details in their primary-key B-tree on SQLite (WITHOUT ROWID), with room for HOT updates on PostgreSQL', async () => {
    await onDatabase(async (db) => {
      const query =
        TEST_DIALECT === 'postgres'
          ? sql<{ name: string; definition: string }>`SELECT c.relname AS name, array_to_string(c.reloptions, ',') AS definition FROM pg_class c
              WHERE c.relname IN ('node_labels', 'node_taints', 'node_tags')`
          : sql<{ name: string; definition: string }>`SELECT name, sql AS definition FROM sqlite_schema WHERE name IN ('node_labels', 'node_taints', 'node_tags')`;
      const { rows } = await query.execute(db);
      expect(rows.map((r) => r.name).sort()).toEqual(['node_labels', 'node_tags', 'node_taints']);
      for (const table of rows) expect(table.definition, table.name).toMatch(TEST_DIALECT === 'postgres' ? /^fillfactor=70$/ : /WITHOUT ROWID$/);
    });
  });
});
