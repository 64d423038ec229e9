import sql, { join, raw } from 'sql-template-tag';
import type { ExistingNode } from '../domain/pool-scaling.js';
import type { NodePhase } from '../domain/node.js';
import type { PoolPhase, PoolSpec } from '../schemas/pool.js';
import { BACKGROUND_WORK, type BackgroundJobKind } from './background-work.js';
import { ident, jsonArrayValues, type DialectSql } from './dialect.js';
import { actions, int, nullableInt, nullableText, text } from './rows.js';
import type { SqlContext } from './sql-context.js';
import type { Row, Steps } from './statements.js';

/** A pool named as the API names it: by project and name. */
export interface PoolName {
  projectId: string;
  name: string;
}

export interface PoolRecord {
  id: number;
  projectId: string;
  name: string;
  phase: PoolPhase;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PoolSpec;
  createdAt: number;
  deletedAt: number | null;
  /** Bumped by every change of the pool row; scaling checks it to refuse lost updates. */
  resourceVersion: number;
}

export interface NewNode {
  name: string;
  flavor: string;
  az: string;
  privateIp: string;
  nodePool: string | null;
  phase: NodePhase;
  phaseUntil: number | null;
  driverVersion: string | null;
}

interface PoolScaling {
  spec: PoolSpec;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  addNodes: NewNode[];
  /** Nodes chosen for removal go Deleting until this time. */
  deleteNodeIds: number[];
  deleteUntil: number;
  now: number;
}

export interface FlavorPhaseCount {
  poolId: number;
  flavor: string;
  phase: NodePhase;
  count: number;
}

/**
 * How many nodes (not being deleted) of a pool run each flavor, driver phase and version: the pool's `status.driver`
 * is summarised from these.
 */
export interface NodeDriverCount {
  poolId: number;
  flavor: string;
  driverPhase: string;
  driverVersion: string | null;
  count: number;
}

/** What a pool's `status` is summarised from: its nodes by flavor and phase, and by flavor and driver. */
export interface PoolNodeCounts {
  phases: FlavorPhaseCount[];
  drivers: NodeDriverCount[];
}

/** The database's picture of every pool, for monitoring (see census). */
export interface NodeCensus {
  /** Nodes per pool (by name), phase and driver phase (null: the node has no accelerator driver). */
  nodes: Array<{ pool: string; phase: string; driverPhase: string | null; count: number }>;
  /** Per kind: jobs whose time has come but that no replica has taken yet, and when the oldest of them fell due. */
  dueJobs: Array<{ job: BackgroundJobKind; count: number; oldestDueAt: number | null }>;
}

export class PoolExistsError extends Error {
  constructor(readonly poolName: string) {
    super(`pool ${poolName} already exists`);
  }
}

/** Pools with their nodes' creation and removal, and the counts their status and monitoring are summarised from. */
export interface PoolStore {
  create(pool: Omit<PoolRecord, 'id' | 'deletedAt'>, nodes: NewNode[]): Promise<PoolRecord>;
  list(projectId: string): Promise<PoolRecord[]>;
  get(pool: PoolName): Promise<PoolRecord | undefined>;
  /** The pool with its node counts, read in one statement (one state of both). */
  show(pool: PoolName): Promise<{ pool: PoolRecord; counts: PoolNodeCounts } | undefined>;
  /** The node counts of these pools, read in one statement; phases by pool, flavor and phase (code-unit order). */
  nodeCounts(poolIds: number[]): Promise<PoolNodeCounts>;
  /** Node names already used in a pool (for generating new unique ones). */
  nodeNames(poolId: number): Promise<Set<string>>;
  /** Nodes of a pool in creation order, newest first: candidates when scaling down. */
  nodesForScaling(poolId: number): Promise<ExistingNode[]>;
  /** Applies the scaling if the pool is still at `expectedVersion`; false when another writer got there first. */
  scale(poolId: number, expectedVersion: number, scaling: PoolScaling): Promise<boolean>;
  /** The pool and its nodes go Deleting; they are removed once `deleteAfter` has passed. */
  markDeleting(poolId: number, deletedAt: number, deleteAfter: number): Promise<void>;
  /** Every pool's nodes by phase and driver phase, and the background work due at `now`; cheap enough for every scrape. */
  census(now: number): Promise<NodeCensus>;
}

const NEW_NODE_COLUMNS = [
  ['pool_id', 'integer'],
  ['name', 'text'],
  ['flavor', 'text'],
  ['az', 'text'],
  ['private_ip', 'text'],
  ['node_pool', 'text'],
  ['phase', 'text'],
  ['phase_until', 'integer'],
  ['created_at', 'integer'],
  ['driver_version', 'text'],
  ['driver_phase', 'text'],
] as const;

/** The pool API's statements: `sql-template-tag` steps through the step runner, new nodes written set-based. */
export class SqlPoolStore implements PoolStore {
  constructor(private readonly context: SqlContext) {}

  async create(pool: Omit<PoolRecord, 'id' | 'deletedAt'>, nodes: NewNode[]): Promise<PoolRecord> {
    const { dialect } = this.context;
    try {
      return await this.context.runner.transaction(function* () {
        const [row] = (
          yield sql`INSERT INTO pools (project_id, name, phase, labels, annotations, spec, created_at, deleted_at, delete_after, resource_version)
            VALUES (${pool.projectId}, ${pool.name}, ${pool.phase}, ${JSON.stringify(pool.labels)}, ${JSON.stringify(pool.annotations)},
              ${JSON.stringify(pool.spec)}, ${pool.createdAt}, NULL, NULL, ${pool.resourceVersion}) RETURNING id`
        ).rows;
        const poolId = int(row!.id);
        yield* insertNodeSteps(dialect, poolId, nodes, pool.createdAt);
        return { ...pool, id: poolId, deletedAt: null };
      });
    } catch (error) {
      if (dialect.isUniqueViolation(error)) throw new PoolExistsError(pool.name);
      throw error;
    }
  }

  async list(projectId: string): Promise<PoolRecord[]> {
    const { rows } = await this.context.runner.query(sql`SELECT ${POOL_COLUMNS} FROM pools WHERE project_id = ${projectId} ORDER BY created_at, id`);
    return rows.map(toPoolRecord);
  }

  async get(pool: PoolName): Promise<PoolRecord | undefined> {
    const { rows } = await this.context.runner.query(sql`SELECT ${POOL_COLUMNS} FROM pools WHERE project_id = ${pool.projectId} AND name = ${pool.name}`);
    return rows[0] && toPoolRecord(rows[0]);
  }

  async show(pool: PoolName): Promise<{ pool: PoolRecord; counts: PoolNodeCounts } | undefined> {
    const groups = this.context.dialect.jsonArrayOf(
      sql`SELECT ${GROUPED_BY}, COUNT(*) AS count FROM nodes WHERE pool_id = p.id GROUP BY ${GROUPED_BY}`,
      NODE_GROUP_COLUMNS,
    );
    const { rows } = await this.context.runner.query(sql`SELECT ${POOL_COLUMNS_OF_P}, ${groups} AS node_groups FROM pools AS p WHERE p.project_id = ${pool.projectId} AND p.name = ${pool.name}`);
    const row = rows[0];
    if (!row) return undefined;
    const record = toPoolRecord(row);
    return { pool: record, counts: nodeCounts(jsonArrayValues(row.node_groups).map((group) => [record.id, ...group])) };
  }

  async nodeCounts(poolIds: number[]): Promise<PoolNodeCounts> {
    if (poolIds.length === 0) return { phases: [], drivers: [] };
    const { rows } = await this.context.runner.query(sql`SELECT pool_id, ${GROUPED_BY}, COUNT(*) AS count FROM nodes
      WHERE pool_id IN ${this.context.dialect.valueList(poolIds, 'integer')} GROUP BY pool_id, ${GROUPED_BY}`);
    return nodeCounts(rows.map((r) => [r.pool_id, ...NODE_GROUP_COLUMNS.map((c) => r[c])]));
  }

  async nodeNames(poolId: number): Promise<Set<string>> {
    const { rows } = await this.context.runner.query(sql`SELECT name FROM nodes WHERE pool_id = ${poolId}`);
    return new Set(rows.map((r) => text(r.name)));
  }

  async nodesForScaling(poolId: number): Promise<ExistingNode[]> {
    const { rows } = await this.context.runner.query(
      sql`SELECT id, flavor, node_pool, phase, locked_actions FROM nodes WHERE pool_id = ${poolId} ORDER BY created_at DESC, id DESC`,
    );
    return rows.map((r) => ({ id: int(r.id), flavor: text(r.flavor), nodePool: nullableText(r.node_pool), phase: text(r.phase) as NodePhase, lockedActions: actions(r.locked_actions) }));
  }

  scale(poolId: number, expectedVersion: number, scaling: PoolScaling): Promise<boolean> {
    const { dialect } = this.context;
    return this.context.runner.transaction(function* () {
      const updated = yield sql`UPDATE pools SET spec = ${JSON.stringify(scaling.spec)}, labels = ${JSON.stringify(scaling.labels)},
          annotations = ${JSON.stringify(scaling.annotations)}, resource_version = resource_version + 1
        WHERE id = ${poolId} AND resource_version = ${expectedVersion}`;
      if (updated.changes === 0) return false;
      yield* insertNodeSteps(dialect, poolId, scaling.addNodes, scaling.now);
      if (scaling.deleteNodeIds.length > 0) {
        yield sql`UPDATE nodes SET phase = 'Deleting', phase_until = ${scaling.deleteUntil}
          WHERE pool_id = ${poolId} AND id IN ${dialect.valueList(scaling.deleteNodeIds, 'integer')}`;
      }
      return true;
    });
  }

  async markDeleting(poolId: number, deletedAt: number, deleteAfter: number): Promise<void> {
    await this.context.runner.transaction(function* () {
      yield sql`UPDATE pools SET phase = 'Deleting', deleted_at = ${deletedAt}, delete_after = ${deleteAfter}, resource_version = resource_version + 1
        WHERE id = ${poolId}`;
      yield sql`UPDATE nodes SET phase = 'Deleting', phase_until = ${deleteAfter} WHERE pool_id = ${poolId}`;
    });
  }

  /** Two statements: the node count reads only the nodes_census index; each due-work count is a range of its own index. */
  async census(now: number): Promise<NodeCensus> {
    // Grouped before the join: grouping by the pool's name as well made SQLite sort a table scan instead (20x slower).
    const counts = await this.context.runner.query(sql`SELECT p.name AS pool, c.phase, c.driver_phase, c.count
      FROM (SELECT pool_id, phase, driver_phase, COUNT(*) AS count FROM nodes GROUP BY pool_id, phase, driver_phase) AS c
      JOIN pools AS p ON p.id = c.pool_id`);
    const due = await this.context.runner.query(
      join(
        Object.entries(BACKGROUND_WORK).map(
          ([job, work]) => sql`SELECT ${raw(`'${job}'`)} AS job, COUNT(*) AS count, MIN(${raw(work.since)}) AS since FROM ${raw(work.table)} WHERE ${work.due(now)}`,
        ),
        ' UNION ALL ',
      ),
    );
    return {
      nodes: counts.rows.map((row) => ({ pool: text(row.pool), phase: text(row.phase), driverPhase: nullableText(row.driver_phase), count: int(row.count) })),
      dueJobs: due.rows.map((row) => ({ job: text(row.job) as BackgroundJobKind, count: int(row.count), oldestDueAt: nullableInt(row.since) })),
    };
  }
}

/** New nodes in one statement whatever their number, their rows as one JSON parameter. */
function* insertNodeSteps(dialect: DialectSql, poolId: number, nodes: NewNode[], createdAt: number): Steps<void> {
  if (nodes.length === 0) return;
  const rows = nodes.map((n) => [poolId, n.name, n.flavor, n.az, n.privateIp, n.nodePool, n.phase, n.phaseUntil, createdAt, n.driverVersion, n.driverVersion === null ? null : 'Running']);
  const columns = join(NEW_NODE_COLUMNS.map(([name]) => ident(name)));
  yield sql`INSERT INTO nodes (${columns}) SELECT ${columns} FROM ${dialect.jsonRows(rows, NEW_NODE_COLUMNS)} AS r`;
}

/** Nodes are grouped by what a pool's status counts them by: every count of PoolNodeCounts comes from these groups. */
const GROUPED_BY = raw('flavor, phase, driver_phase, driver_version');
const NODE_GROUP_COLUMNS = ['flavor', 'phase', 'driver_phase', 'driver_version', 'count'];

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The counts from node groups `[poolId, flavor, phase, driverPhase, driverVersion, count]`: by flavor and phase (in
 * pool, flavor, phase order, code unit by code unit on either dialect), and by flavor and driver of the nodes that
 * have a driver and are not being deleted.
 */
function nodeCounts(groups: unknown[][]): PoolNodeCounts {
  const phases = new Map<string, FlavorPhaseCount>();
  const drivers = new Map<string, NodeDriverCount>();
  for (const [poolId, flavor, phase, driverPhase, driverVersion, count] of groups) {
    const node = { poolId: int(poolId), flavor: text(flavor), phase: text(phase) as NodePhase, count: int(count) };
    const phaseKey = JSON.stringify([node.poolId, node.flavor, node.phase]);
    const counted = phases.get(phaseKey);
    if (counted) counted.count += node.count;
    else phases.set(phaseKey, { ...node });
    if (driverPhase === null || node.phase === 'Deleting') continue;
    const driver = { poolId: node.poolId, flavor: node.flavor, driverPhase: text(driverPhase), driverVersion: nullableText(driverVersion), count: node.count };
    const driverKey = JSON.stringify([driver.poolId, driver.flavor, driver.driverPhase, driver.driverVersion]);
    const running = drivers.get(driverKey);
    if (running) running.count += driver.count;
    else drivers.set(driverKey, driver);
  }
  const sorted = [...phases.values()].sort((a, b) => a.poolId - b.poolId || byCodeUnits(a.flavor, b.flavor) || byCodeUnits(a.phase, b.phase));
  return { phases: sorted, drivers: [...drivers.values()] };
}

/** What toPoolRecord reads, named rather than `*`: PostgreSQL runs the read prepared (store/steps.ts). */
const POOL_RECORD_COLUMNS = ['id', 'project_id', 'name', 'phase', 'labels', 'annotations', 'spec', 'created_at', 'deleted_at', 'resource_version'];
const POOL_COLUMNS = raw(POOL_RECORD_COLUMNS.join(', '));
const POOL_COLUMNS_OF_P = raw(POOL_RECORD_COLUMNS.map((column) => `p.${column}`).join(', '));

function toPoolRecord(row: Row): PoolRecord {
  return {
    id: int(row.id),
    projectId: text(row.project_id),
    name: text(row.name),
    phase: text(row.phase) as PoolPhase,
    labels: JSON.parse(text(row.labels)) as Record<string, string>,
    annotations: JSON.parse(text(row.annotations)) as Record<string, string>,
    spec: JSON.parse(text(row.spec)) as PoolSpec,
    createdAt: int(row.created_at),
    deletedAt: nullableInt(row.deleted_at),
    resourceVersion: int(row.resource_version),
  };
}
