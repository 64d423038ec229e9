import sql from 'sql-template-tag';
import type { FaultKind, LifecycleNodeState } from '../domain/node-lifecycle.js';
import type { NodePhase } from '../domain/node.js';
import { BACKGROUND_WORK } from '../store/background-work.js';
import { ALL_DETAILS, detailSteps, NODE_COLUMNS, nodeRecord, type NodeRecord } from '../store/node-rows.js';
import { int, nullableText, text } from '../store/rows.js';
import type { SqlContext } from '../store/sql-context.js';
import type { Row } from '../store/statements.js';

interface SimulationProgress {
  nodesAvailable: number;
  nodesRemoved: number;
  poolsRunning: number;
  poolsRemoved: number;
  /** Drained nodes whose simulated work ran out. */
  drained: number;
}

export interface FaultRuleRecord {
  id: number;
  projectId: string;
  pool: string | null;
  nodes: string[] | null;
  fail: FaultKind;
  times: number;
  remaining: number;
  createdAt: number;
}

type WorkloadResult = { kind: 'not-found' } | { kind: 'refused'; detail: string } | { kind: 'ok'; node: NodeRecord };

/**
 * What only the simulated backend writes: the simulated machines' progress (nodes leaving Creating and Deleting,
 * pools following, work draining), the controls of its routes (a node's phase and running work), and the fault
 * rules its jobs fail by. It lives on the store's database beside the store's tables.
 */
export interface SimulationStore {
  /** Moves nodes, pools and drained work whose time has come. Idempotent; safe on several replicas. */
  advance(now: number): Promise<SimulationProgress>;
  setNodePhase(poolId: number, nodeName: string, phase: NodePhase): Promise<boolean>;
  /** Sets a node's running jobs unless `refuse` (given the locked row) says why not. */
  setRunningJobs(poolId: number, nodeName: string, runningJobs: number, refuse: (node: LifecycleNodeState) => string | null): Promise<WorkloadResult>;
  createFaultRule(rule: Omit<FaultRuleRecord, 'id' | 'remaining'>): Promise<FaultRuleRecord>;
  /** Rules with uses left, oldest first. */
  listFaultRules(projectId: string): Promise<FaultRuleRecord[]>;
}

/**
 * `sql-template-tag` statements through the store's step runner. Each progress step is one conditional statement
 * committed on its own: replicas running it together never apply a step twice. On PostgreSQL node rows a batch call
 * holds are skipped until a later tick (SKIP LOCKED): progress never waits behind a batch call, and never locks
 * nodes in an order that could deadlock with one.
 */
export class SqlSimulationStore implements SimulationStore {
  constructor(private readonly context: SqlContext) {}

  async advance(now: number): Promise<SimulationProgress> {
    const { runner, dialect } = this.context;
    const created = BACKGROUND_WORK.node_create.due(now);
    const available = await runner.query(sql`UPDATE nodes SET phase = 'Available', phase_until = NULL
      WHERE id IN (SELECT id FROM nodes WHERE ${created} ${dialect.skipLocked}) AND ${created}`);
    const deleted = BACKGROUND_WORK.node_delete.due(now);
    const removedNodes = await runner.query(sql`DELETE FROM nodes WHERE id IN (SELECT id FROM nodes WHERE ${deleted} ${dialect.skipLocked}) AND ${deleted}`);
    const running = await runner.query(sql`UPDATE pools SET phase = 'Running'
      WHERE phase = 'Creating' AND NOT EXISTS (SELECT nodes.id FROM nodes WHERE nodes.pool_id = pools.id AND nodes.phase = 'Creating')`);
    const removedPools = await runner.query(sql`DELETE FROM pools WHERE ${BACKGROUND_WORK.pool_delete.due(now)}`);
    const drain = BACKGROUND_WORK.drain.due(now);
    const drained = await runner.query(sql`UPDATE nodes SET running_jobs = 0, drain_until = NULL
      WHERE id IN (SELECT id FROM nodes WHERE ${drain} ${dialect.skipLocked}) AND ${drain}`);
    return {
      nodesAvailable: available.changes,
      nodesRemoved: removedNodes.changes,
      poolsRunning: running.changes,
      poolsRemoved: removedPools.changes,
      drained: drained.changes,
    };
  }

  async setNodePhase(poolId: number, nodeName: string, phase: NodePhase): Promise<boolean> {
    const { changes } = await this.context.runner.query(sql`UPDATE nodes SET phase = ${phase}, phase_until = NULL WHERE pool_id = ${poolId} AND name = ${nodeName}`);
    return changes > 0;
  }

  setRunningJobs(poolId: number, nodeName: string, runningJobs: number, refuse: (node: LifecycleNodeState) => string | null): Promise<WorkloadResult> {
    const { dialect } = this.context;
    return this.context.runner.transaction(function* () {
      const [row] = (yield sql`SELECT ${NODE_COLUMNS} FROM nodes WHERE pool_id = ${poolId} AND name = ${nodeName}${dialect.forUpdate}`).rows;
      if (!row) return { kind: 'not-found' } as const;
      const node = nodeRecord(row);
      yield* detailSteps(dialect, [node], ALL_DETAILS);
      const detail = refuse(node);
      if (detail !== null) return { kind: 'refused', detail } as const;
      yield sql`UPDATE nodes SET running_jobs = ${runningJobs} WHERE id = ${node.id}`;
      return { kind: 'ok', node: { ...node, runningJobs } } as const;
    });
  }

  async createFaultRule(rule: Omit<FaultRuleRecord, 'id' | 'remaining'>): Promise<FaultRuleRecord> {
    const { rows } = await this.context.runner.query(sql`INSERT INTO fault_rules (project_id, pool_name, node_names, fail, times, remaining, created_at)
      VALUES (${rule.projectId}, ${rule.pool}, ${rule.nodes === null ? null : JSON.stringify(rule.nodes)}, ${rule.fail}, ${rule.times}, ${rule.times}, ${rule.createdAt})
      RETURNING id`);
    return { ...rule, id: int(rows[0]!.id), remaining: rule.times };
  }

  async listFaultRules(projectId: string): Promise<FaultRuleRecord[]> {
    const { rows } = await this.context.runner.query(sql`SELECT * FROM fault_rules WHERE project_id = ${projectId} AND remaining > 0 ORDER BY id`);
    return rows.map(toFaultRuleRecord);
  }
}

function toFaultRuleRecord(row: Row): FaultRuleRecord {
  return {
    id: int(row.id),
    projectId: text(row.project_id),
    pool: nullableText(row.pool_name),
    nodes: row.node_names === null ? null : (JSON.parse(text(row.node_names)) as string[]),
    fail: text(row.fail) as FaultKind,
    times: int(row.times),
    remaining: int(row.remaining),
    createdAt: int(row.created_at),
  };
}
