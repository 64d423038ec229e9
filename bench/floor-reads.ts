/**
 * The floor's read routes. Each answers one of poolkeeper's read calls with the least a server can do for it: the
 * same signature check (floor-server.ts), the minimal SELECTs on poolkeeper's own tables (the floor is given
 * poolkeeper's database to read, so both read the very same rows) and the same JSON, rendered with poolkeeper's own
 * render functions and `JSON.stringify`. No identity store, policy, schema validation or serialisation schema.
 *
 * To add a read row to the benchmark: a route here (its floor) and a row in rows.ts (its requests and budget).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import sql, { empty, join, raw, type Sql } from 'sql-template-tag';
import { toTimestamp } from '../src/domain/time.js';
import { renderNode, renderPool } from '../src/service/render.js';
import { flavorProfile } from '../src/simulation/flavors.js';

/** Runs a read on SQLite (better-sqlite3, read-only, statements cached) or PostgreSQL (`pg`, prepared statements named by their text). */
export interface Reader {
  rows(query: Sql): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export function sqliteReader(file: string): Reader {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const statements = new Map<string, Database.Statement>();
  return {
    rows(query) {
      let statement = statements.get(query.sql);
      if (statement === undefined) statements.set(query.sql, (statement = db.prepare(query.sql)));
      return Promise.resolve(statement.all(...query.values) as Record<string, unknown>[]);
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

export function postgresReader(pool: pg.Pool): Reader {
  const names = new Map<string, string>();
  return {
    async rows(query) {
      let name = names.get(query.text);
      if (name === undefined) names.set(query.text, (name = `floor_read_${names.size}`));
      return (await pool.query<Record<string, unknown>>({ name, text: query.text, values: query.values })).rows;
    },
    close: () => Promise.resolve(),
  };
}

export interface ReadRequest {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
}

export interface FloorRead {
  method: 'GET';
  /** Fastify route, the same path as poolkeeper's, so one request list serves both servers. */
  url: string;
  /** The answer's body, or undefined for a 404. */
  answer(reader: Reader, request: ReadRequest): Promise<unknown>;
}

type NodeRecord = Parameters<typeof renderNode>[0];
type PoolRecord = Parameters<typeof renderPool>[0];
type FlavorPhaseCount = Parameters<typeof renderPool>[1][number];
type NodeDriverCount = Parameters<typeof renderPool>[2][number];

const FLAVORS = { flavor: flavorProfile };

const NODE_COLUMNS = raw(
  'id, name, flavor, az, private_ip, node_pool, phase, created_at, driver_version, driver_phase, driver_target_version, driver_strategy, locked_actions, running_jobs, drained',
);

function nodeRecord(row: Record<string, unknown>): NodeRecord {
  const lockedActions = String(row.locked_actions);
  return {
    id: Number(row.id),
    name: String(row.name),
    flavor: String(row.flavor),
    az: String(row.az),
    privateIp: String(row.private_ip),
    nodePool: row.node_pool === null ? null : String(row.node_pool),
    phase: row.phase as NodeRecord['phase'],
    createdAt: Number(row.created_at),
    // renderNode shows the driver's version and phase only.
    driver: row.driver_phase === null ? null : ({ version: String(row.driver_version ?? ''), phase: row.driver_phase, targetVersion: null, updateStrategy: null } as NodeRecord['driver']),
    lockedActions: lockedActions === '' ? [] : lockedActions.split(','),
    labels: {},
    taints: [],
    tags: [],
    runningJobs: Number(row.running_jobs),
    drained: Number(row.drained) === 1,
  };
}

/** The nodes of `rows` with their labels, taints and tags, one SELECT per kind. */
async function withDetails(reader: Reader, rows: Record<string, unknown>[]): Promise<NodeRecord[]> {
  const nodes = new Map<number, NodeRecord>();
  for (const row of rows) nodes.set(Number(row.id), nodeRecord(row));
  if (nodes.size > 0) {
    const ids = join([...nodes.keys()]);
    for (const row of await reader.rows(sql`SELECT node_id, key, value FROM node_labels WHERE node_id IN (${ids}) ORDER BY key`)) {
      nodes.get(Number(row.node_id))!.labels[String(row.key)] = String(row.value);
    }
    for (const row of await reader.rows(sql`SELECT node_id, key, value, effect, time_added FROM node_taints WHERE node_id IN (${ids}) ORDER BY time_added, key`)) {
      nodes.get(Number(row.node_id))!.taints.push({
        key: String(row.key),
        value: String(row.value),
        effect: row.effect as NodeRecord['taints'][number]['effect'],
        timeAdded: toTimestamp(Number(row.time_added)),
      });
    }
    for (const row of await reader.rows(sql`SELECT node_id, key, value FROM node_tags WHERE node_id IN (${ids}) ORDER BY key`)) {
      nodes.get(Number(row.node_id))!.tags.push({ key: String(row.key), value: String(row.value) });
    }
  }
  return [...nodes.values()];
}

/** ListPoolNodes: one page by node name (keyset), the nodes' labels, taints and tags, and how many nodes follow. */
async function listPoolNodes(reader: Reader, { params, query }: ReadRequest): Promise<unknown> {
  const limit = Math.min(500, Number(query.limit ?? 0) || 500);
  const after = query.continue;
  const [pool] = await reader.rows(
    sql`SELECT p.id, pr.account_id FROM pools p JOIN projects pr ON pr.id = p.project_id WHERE p.project_id = ${params.project_id} AND p.name = ${params.pool_name}`,
  );
  if (pool === undefined) return undefined;
  const rows = await reader.rows(
    sql`SELECT ${NODE_COLUMNS} FROM nodes WHERE pool_id = ${pool.id}${after === undefined ? empty : sql` AND name > ${after}`} ORDER BY name LIMIT ${limit + 1}`,
  );
  let remaining = 0;
  if (rows.length > limit) {
    rows.pop();
    const [counted] = await reader.rows(sql`SELECT COUNT(*) AS count FROM nodes WHERE pool_id = ${pool.id} AND name > ${rows[rows.length - 1]!.name}`);
    remaining = Number(counted!.count);
  }
  const nodes = await withDetails(reader, rows);
  const tenancy = { accountId: String(pool.account_id), projectId: params.project_id! };
  const items = nodes.map((node) => renderNode(node, tenancy, FLAVORS));
  // The floor's continue token is the last name itself; poolkeeper's encodes it (and the pool) in base64url JSON.
  const metadata = remaining > 0 ? { continue: items[items.length - 1]!.metadata.name, remainingItemCount: remaining } : {};
  return { apiVersion: 'v2', kind: 'NodeList', metadata, items };
}

/** ShowPoolNode: the pool, the node by name, its labels, taints and tags. */
async function showPoolNode(reader: Reader, { params }: ReadRequest): Promise<unknown> {
  const [pool] = await reader.rows(
    sql`SELECT p.id, pr.account_id FROM pools p JOIN projects pr ON pr.id = p.project_id WHERE p.project_id = ${params.project_id} AND p.name = ${params.pool_name}`,
  );
  if (pool === undefined) return undefined;
  const rows = await reader.rows(sql`SELECT ${NODE_COLUMNS} FROM nodes WHERE pool_id = ${pool.id} AND name = ${params.node_name}`);
  if (rows.length === 0) return undefined;
  const [node] = await withDetails(reader, rows);
  return renderNode(node!, { accountId: String(pool.account_id), projectId: params.project_id! }, FLAVORS);
}

function poolRecord(row: Record<string, unknown>): PoolRecord {
  return {
    id: Number(row.id),
    projectId: String(row.project_id),
    name: String(row.name),
    phase: row.phase as PoolRecord['phase'],
    labels: JSON.parse(String(row.labels)) as PoolRecord['labels'],
    annotations: JSON.parse(String(row.annotations)) as PoolRecord['annotations'],
    spec: JSON.parse(String(row.spec)) as PoolRecord['spec'],
    createdAt: Number(row.created_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    resourceVersion: Number(row.resource_version),
  };
}

const POOL_COLUMNS = raw('p.id, p.project_id, p.name, p.phase, p.labels, p.annotations, p.spec, p.created_at, p.deleted_at, p.resource_version, pr.account_id');

/** The pools rendered with their nodes counted by flavor and phase, and by flavor and driver. */
async function renderPools(reader: Reader, rows: Record<string, unknown>[]): Promise<unknown[]> {
  if (rows.length === 0) return [];
  const ids = join(rows.map((row) => Number(row.id)));
  const counts: FlavorPhaseCount[] = (await reader.rows(sql`SELECT pool_id, flavor, phase, COUNT(*) AS count FROM nodes WHERE pool_id IN (${ids}) GROUP BY pool_id, flavor, phase`)).map(
    (row) => ({ poolId: Number(row.pool_id), flavor: String(row.flavor), phase: row.phase as FlavorPhaseCount['phase'], count: Number(row.count) }),
  );
  const drivers: NodeDriverCount[] = (
    await reader.rows(sql`SELECT pool_id, flavor, driver_phase, driver_version, COUNT(*) AS count FROM nodes
      WHERE pool_id IN (${ids}) AND driver_phase IS NOT NULL AND phase <> 'Deleting' GROUP BY pool_id, flavor, driver_phase, driver_version`)
  ).map((row) => ({
    poolId: Number(row.pool_id),
    flavor: String(row.flavor),
    driverPhase: String(row.driver_phase),
    driverVersion: row.driver_version === null ? null : String(row.driver_version),
    count: Number(row.count),
  }));
  return rows.map((row) => renderPool(poolRecord(row), counts, drivers, String(row.account_id), FLAVORS));
}

/** ShowPool: the pool and its node counts. */
async function showPool(reader: Reader, { params }: ReadRequest): Promise<unknown> {
  const rows = await reader.rows(
    sql`SELECT ${POOL_COLUMNS} FROM pools p JOIN projects pr ON pr.id = p.project_id WHERE p.project_id = ${params.project_id} AND p.name = ${params.pool_name}`,
  );
  if (rows.length === 0) return undefined;
  return (await renderPools(reader, rows))[0];
}

/** ListPools: the project's pools, those whose labels match a `key=value` labelSelector, and their node counts. */
async function listPools(reader: Reader, { params, query }: ReadRequest): Promise<unknown> {
  const rows = await reader.rows(
    sql`SELECT ${POOL_COLUMNS} FROM pools p JOIN projects pr ON pr.id = p.project_id WHERE p.project_id = ${params.project_id} ORDER BY p.created_at, p.id`,
  );
  const [key, value] = query.labelSelector?.split('=') ?? [];
  const chosen = key === undefined ? rows : rows.filter((row) => (JSON.parse(String(row.labels)) as Record<string, string>)[key] === value);
  return { apiVersion: 'v2', kind: 'PoolList', metadata: {}, items: await renderPools(reader, chosen) };
}

export const FLOOR_READS: FloorRead[] = [
  { method: 'GET', url: '/v2/:project_id/pools', answer: listPools },
  { method: 'GET', url: '/v2/:project_id/pools/:pool_name', answer: showPool },
  { method: 'GET', url: '/v2/:project_id/pools/:pool_name/nodes', answer: listPoolNodes },
  { method: 'GET', url: '/v2/:project_id/pools/:pool_name/nodes/:node_name', answer: showPoolNode },
];
