import sql, { empty } from 'sql-template-tag';
import type { DriverPhase, NodePhase } from '../domain/node.js';
import { ALL_DETAILS, detailSteps, NODE_COLUMNS, nodeRecord, type NodeRecord } from './node-rows.js';
import { int, nullableText, text } from './rows.js';
import type { SqlContext } from './sql-context.js';

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

/** Reads of a pool's nodes as the API shows them. */
export interface NodeStore {
  /** A page of the pool's nodes by name, after `afterName`. */
  list(poolId: number, page: { afterName: string | null; limit: number }): Promise<NodePage>;
  get(poolId: number, nodeName: string): Promise<NodeRecord | undefined>;
  /** Every node's driver, by name: what a pool-wide driver upgrade chooses its nodes from. */
  drivers(poolId: number): Promise<NodeDriverSummary[]>;
}

/** `sql-template-tag` steps, run outside a transaction (in one synchronous run on SQLite). */
export class SqlNodeStore implements NodeStore {
  constructor(private readonly context: SqlContext) {}

  list(poolId: number, page: { afterName: string | null; limit: number }): Promise<NodePage> {
    const { dialect } = this.context;
    return this.context.runner.read(function* () {
      const after = page.afterName === null ? empty : sql` AND name > ${page.afterName}`;
      const nodes = (yield sql`SELECT ${NODE_COLUMNS} FROM nodes WHERE pool_id = ${poolId}${after} ORDER BY name LIMIT ${page.limit + 1}`).rows.map(nodeRecord);
      let remaining = 0;
      if (nodes.length > page.limit) {
        nodes.pop();
        const last = nodes[nodes.length - 1]!.name;
        const [counted] = (yield sql`SELECT COUNT(*) AS count FROM nodes WHERE pool_id = ${poolId} AND name > ${last}`).rows;
        remaining = int(counted!.count);
      }
      yield* detailSteps(dialect, nodes, ALL_DETAILS);
      return { nodes, remaining };
    });
  }

  get(poolId: number, nodeName: string): Promise<NodeRecord | undefined> {
    const { dialect } = this.context;
    return this.context.runner.read(function* () {
      const [row] = (yield sql`SELECT ${NODE_COLUMNS} FROM nodes WHERE pool_id = ${poolId} AND name = ${nodeName}`).rows;
      if (!row) return undefined;
      const node = nodeRecord(row);
      yield* detailSteps(dialect, [node], ALL_DETAILS);
      return node;
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
