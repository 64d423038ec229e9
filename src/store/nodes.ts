import sql, { empty, raw, type Sql } from 'sql-template-tag';
import type { DriverPhase, NodePhase } from '../domain/node.js';
import { addDetails, ALL_DETAILS, detailRead, NODE_COLUMNS_OF_N, nodeColumnsWithDetails, nodeRecord, nodeWithDetails, type NodeRecord } from './node-rows.js';
import { int, nullableText, text } from './rows.js';
import type { PoolName } from './pools.js';
import type { SqlContext } from './sql-context.js';
import type { Steps } from './statements.js';

interface NodePage {
  nodes: NodeRecord[];
  /** Nodes after this page. */
  remaining: number;
}

interface NodeDriverSummary {
  name: string;
  flavor: string;
  phase: NodePhase;
  driverVersion: string | null;
  driverPhase: DriverPhase | null;
  /** The version a Pending or Updating upgrade goes to. */
  driverTargetVersion: string | null;
}

/** Reads of a pool's nodes as the API shows them, the pool named as the API names it. */
export interface NodeStore {
  /** A page of the pool's nodes by name, after `afterName`; undefined when there is no such pool. */
  list(pool: PoolName, page: { afterName: string | null; limit: number }): Promise<NodePage | undefined>;
  /** The node, in `node` (undefined when the pool has none of that name); undefined when there is no such pool. */
  get(pool: PoolName, nodeName: string): Promise<{ node: NodeRecord | undefined } | undefined>;
  /** Every node's driver, by name: what a pool-wide driver upgrade chooses its nodes from. */
  drivers(poolId: number): Promise<NodeDriverSummary[]>;
}

/** The pool's id as a subquery: a node read finds its pool in the same statement. */
function poolIdOf(pool: PoolName): Sql {
  return sql`(SELECT id FROM pools WHERE project_id = ${pool.projectId} AND name = ${pool.name})`;
}

/** Only when a node read found nothing: whether that is because there is no such pool. */
function* poolExists(pool: PoolName): Steps<boolean> {
  return (yield sql`SELECT id FROM pools WHERE project_id = ${pool.projectId} AND name = ${pool.name}`).rows.length > 0;
}

/**
 * `sql-template-tag` steps, run outside a transaction (in one synchronous run on SQLite). The pool, a node and its
 * labels, taints and tags come from one statement (nodeColumnsWithDetails): one round trip, one snapshot on PostgreSQL.
 */
export class SqlNodeStore implements NodeStore {
  constructor(private readonly context: SqlContext) {}

  async list(pool: PoolName, page: { afterName: string | null; limit: number }): Promise<NodePage | undefined> {
    const { dialect, runner } = this.context;
    const poolId = poolIdOf(pool);
    const after = (column: string) => (page.afterName === null ? empty : sql` AND ${raw(column)} > ${page.afterName}`);
    const onPage = (limit: number) => sql`FROM nodes AS n WHERE n.pool_id = ${poolId}${after('n.name')} ORDER BY n.name LIMIT ${limit + 1}`;
    // How many nodes there are from the page's first on: the page's own, then the rest.
    const following = sql`(SELECT COUNT(*) FROM nodes WHERE pool_id = ${poolId}${after('name')}) AS following`;
    // One state: a single statement; when that finds more nodes than it may read, the page and then its details
    // set-based in one snapshot.
    const firstLimit = Math.min(page.limit, dialect.nodePageInOneStatementMax);
    let [rows] = await runner.snapshot([sql`SELECT ${nodeColumnsWithDetails(dialect)}, ${following} ${onPage(firstLimit)}`]);
    let nodes: NodeRecord[];
    if (rows!.rows.length > firstLimit && firstLimit < page.limit) {
      let details;
      [rows, details] = await runner.snapshot([sql`SELECT ${NODE_COLUMNS_OF_N}, ${following} ${onPage(page.limit)}`, detailRead(dialect, sql`(SELECT n.id ${onPage(page.limit)})`, ALL_DETAILS)]);
      nodes = rows!.rows.map(nodeRecord);
      addDetails(dialect, new Map(nodes.map((node) => [node.id, node])), details!);
    } else {
      nodes = rows!.rows.map(nodeWithDetails);
    }
    if (nodes.length === 0) return (await runner.read(() => poolExists(pool))) ? { nodes, remaining: 0 } : undefined;
    if (nodes.length <= page.limit) return { nodes, remaining: 0 };
    nodes.pop();
    return { nodes, remaining: int(rows!.rows[0]!.following) - page.limit };
  }

  get(pool: PoolName, nodeName: string): Promise<{ node: NodeRecord | undefined } | undefined> {
    const { dialect } = this.context;
    return this.context.runner.read(function* () {
      const [row] = (yield sql`SELECT ${nodeColumnsWithDetails(dialect)} FROM nodes AS n WHERE n.pool_id = ${poolIdOf(pool)} AND n.name = ${nodeName}`).rows;
      if (row) return { node: nodeWithDetails(row) };
      return (yield* poolExists(pool)) ? { node: undefined } : undefined;
    });
  }

  async drivers(poolId: number): Promise<NodeDriverSummary[]> {
    const { rows } = await this.context.runner.query(
      sql`SELECT name, flavor, phase, driver_version, driver_phase, driver_target_version FROM nodes WHERE pool_id = ${poolId} ORDER BY name`,
    );
    return rows.map((r) => ({
      name: text(r.name),
      flavor: text(r.flavor),
      phase: text(r.phase) as NodePhase,
      driverVersion: nullableText(r.driver_version),
      driverPhase: nullableText(r.driver_phase) as DriverPhase | null,
      driverTargetVersion: nullableText(r.driver_target_version),
    }));
  }
}
