import sql, { empty } from 'sql-template-tag';
import type { DriverPhase, NodePhase } from '../domain/node.js';
import { nodeColumnsWithDetails, nodeWithDetails, type NodeRecord } from './node-rows.js';
import { int, nullableText, text } from './rows.js';
import type { SqlContext } from './sql-context.js';

export interface NodePage {
  nodes: NodeRecord[];
  /** Nodes after this page. */
  remaining: number;
}

export interface NodeDriverSummary {
  name: string;
  flavor: string;
  phase: NodePhase;
  driverVersion: string | null;
  driverPhase: DriverPhase | null;
  /** The version a Pending or Updating upgrade goes to. */
  driverTargetVersion: string | null;
}

/** Reads of a pool's nodes as the API shows them. */
export interface NodeStore {
  /** A page of the pool's nodes by name, after `afterName`. */
  list(poolId: number, page: { afterName: string | null; limit: number }): Promise<NodePage>;
  get(poolId: number, nodeName: string): Promise<NodeRecord | undefined>;
  /** Every node's driver, by name: what a pool-wide driver upgrade chooses its nodes from. */
  drivers(poolId: number): Promise<NodeDriverSummary[]>;
}

/**
 * `sql-template-tag` steps, run outside a transaction (in one synchronous run on SQLite). A node and its labels,
 * taints and tags come from one statement (nodeColumnsWithDetails): one round trip, one snapshot on PostgreSQL.
 */
export class SqlNodeStore implements NodeStore {
  constructor(private readonly sql: SqlContext) {}

  list(poolId: number, page: { afterName: string | null; limit: number }): Promise<NodePage> {
    const { dialect } = this.sql;
    return this.sql.runner.read(function* () {
      const after = page.afterName === null ? empty : sql` AND n.name > ${page.afterName}`;
      const nodes = (yield sql`SELECT ${nodeColumnsWithDetails(dialect)} FROM nodes AS n WHERE n.pool_id = ${poolId}${after} ORDER BY n.name LIMIT ${page.limit + 1}`).rows.map(
        nodeWithDetails,
      );
      let remaining = 0;
      if (nodes.length > page.limit) {
        nodes.pop();
        const last = nodes[nodes.length - 1]!.name;
        const [counted] = (yield sql`SELECT COUNT(*) AS count FROM nodes WHERE pool_id = ${poolId} AND name > ${last}`).rows;
        remaining = int(counted!.count);
      }
      return { nodes, remaining };
    });
  }

  async get(poolId: number, nodeName: string): Promise<NodeRecord | undefined> {
    const { rows } = await this.sql.runner.query(sql`SELECT ${nodeColumnsWithDetails(this.sql.dialect)} FROM nodes AS n WHERE n.pool_id = ${poolId} AND n.name = ${nodeName}`);
    return rows[0] && nodeWithDetails(rows[0]);
  }

  async drivers(poolId: number): Promise<NodeDriverSummary[]> {
    const { rows } = await this.sql.runner.query(
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
