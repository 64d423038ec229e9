import sql, { empty, type Sql } from 'sql-template-tag';
import { FaultBudget, type FaultKind, type FaultRule, type LifecycleNodeState } from '../domain/node-lifecycle.js';
import type { NodeFailure } from '../errors/catalogue.js';
import type { NodeDecision } from '../domain/node-update-planner.js';
import type { BatchNodeState, NodePhase, NodeState } from '../domain/node.js';
import type { PoolSpec } from '../schemas/pool.js';
import { columnList, SHORT_LIST_MAX, type DialectSql } from './dialect.js';
import { deltaStatements } from './node-deltas.js';
import { nodeDriver, taintSteps } from './node-rows.js';
import type { OperationMeta, StoredNodeResult } from './operations.js';
import type { PoolName } from './pools.js';
import { actions, flag, int, nullableText, text } from './rows.js';
import type { SqlContext } from './sql-context.js';
import { lastly, type Row, type StepResult, type Steps } from './statements.js';

/** The node states a planner can be given: batch-update's (the fewest columns), or the lifecycle planners'. */
export interface NodeStates {
  batch: BatchNodeState;
  lifecycle: LifecycleNodeState;
}

export type NodeReadKind = keyof NodeStates;

/** What a node-change planner gets besides the nodes. */
export interface NodeChangeContext {
  /** The project's active fault rules (when asked for); uses taken from it are written back in the same transaction. */
  faults: FaultBudget;
  /** Only when NodeChange.lockPool is set: the pool's spec (row locked) and its nodes that are not Deleting. */
  pool: { spec: PoolSpec; liveNodes: number } | null;
}

/** A whole request refused by its planner (batch-delete is all or nothing): nothing is written. */
interface Refusal {
  /** The 400's detail. */
  detail: string;
  /** The nodes that refused it, each with its reason (none when a pool-wide rule did). */
  failures: NodeFailure[];
}

/** A planner's answer: a decision per requested node, optionally with the pool's new spec, or a refusal. */
export type NodePlan = { decisions: NodeDecision[]; spec?: PoolSpec } | { refused: Refusal };

/** One batch call's change: the request path's one transaction. */
export interface NodeChange<R extends NodeReadKind> {
  pool: PoolName;
  nodeNames: readonly string[];
  read: R;
  /** Read each node's taints (NodeState.taints is empty otherwise). */
  taints?: boolean;
  /**
   * The batch read: read each node's driver (NodeState.driver is null otherwise); only a driver upgrade decides on
   * it. The lifecycle read always has it.
   */
  driver?: boolean;
  /** Count each node's tags whose key is not one of these (BatchNodeState.otherTagCount), without reading the tags. */
  countTagsBesides?: readonly string[];
  /** Lock the pool row, and give the planner its spec and the count of its nodes not being deleted. */
  lockPool?: boolean;
  /**
   * Read (on PostgreSQL: lock) the project's active fault-injection rules. Only operations that injection can fail
   * (driver upgrades, reboots) ask; the others get an empty budget and save the read.
   */
  faults?: boolean;
  plan(nodes: ReadonlyMap<string, NodeStates[R]>, context: NodeChangeContext): NodePlan;
  operation: OperationMeta;
}

type NodeChangeOutcome =
  | { kind: 'applied'; decisions: NodeDecision[] }
  | { kind: 'refused'; refusal: Refusal }
  /** No such pool: nothing was written. */
  | { kind: 'no-pool' };

/** Every batch call on a pool's nodes. */
export interface NodeChangeStore {
  /**
   * In one transaction: finds the pool, reads the named nodes as far as the planner needs (locked against concurrent
   * writers), runs the planner, applies the successful nodes' deltas with set-based statements and writes the
   * operation record.
   */
  apply<R extends NodeReadKind>(change: NodeChange<R>): Promise<NodeChangeOutcome>;
}

interface NodeRead<S extends NodeState> {
  columns: readonly string[];
  /** `columns` and the tag count after them, when the read counts tags (see NodeChange.countTagsBesides). */
  columnsWithTagCount: readonly string[];
  /** A node's state from its values in `columns` order. */
  state(values: unknown[]): S;
}

/** What the batch-update planner reads of every node row, in this order. */
const BATCH_COLUMNS = ['id', 'name', 'phase', 'locked_actions'] as const;

/** A node's driver, after BATCH_COLUMNS, when the call needs it. */
const DRIVER_COLUMNS = ['driver_version', 'driver_phase', 'driver_target_version', 'driver_strategy'] as const;

/** BATCH_COLUMNS' values as the batch planner's node: one object literal, as this runs for each of up to 10,000 nodes. */
function batchState(values: unknown[]): BatchNodeState {
  const [id, name, phase, lockedActions] = values;
  return { id: int(id), name: text(name), phase: text(phase) as NodePhase, taints: [], lockedActions: actions(lockedActions), driver: null, otherTagCount: 0 };
}

/** BATCH_COLUMNS' and then DRIVER_COLUMNS' values as the batch planner's node. */
function batchStateWithDriver(values: unknown[]): BatchNodeState {
  const node = batchState(values);
  node.driver = nodeDriver(values[4], values[5], values[6], values[7]);
  return node;
}

const BATCH_WITH_DRIVER_COLUMNS = [...BATCH_COLUMNS, ...DRIVER_COLUMNS] as const;
const LIFECYCLE_COLUMNS = [...BATCH_WITH_DRIVER_COLUMNS, 'flavor', 'az', 'node_pool', 'running_jobs', 'drained'] as const;

/** LIFECYCLE_COLUMNS' values as the lifecycle planners' node. */
function lifecycleState(values: unknown[]): LifecycleNodeState {
  const { id, name, phase, taints, lockedActions, driver } = batchStateWithDriver(values);
  const [flavor, az, nodePool, runningJobs, drained] = values.slice(BATCH_WITH_DRIVER_COLUMNS.length);
  return { id, name, phase, taints, lockedActions, driver, flavor: text(flavor), az: text(az), nodePool: nullableText(nodePool), runningJobs: int(runningJobs), drained: flag(drained) };
}

function nodeRead<S extends NodeState>(columns: readonly string[], state: (values: unknown[]) => S): NodeRead<S> {
  return { columns, columnsWithTagCount: [...columns, 'other_tag_count'], state };
}

/**
 * Only what each planner decides on is read: at 10,000 nodes the read is most of a batch-update's cost, so it leaves
 * out the columns only the lifecycle planners and the node view use, and a batch-update that upgrades no driver the
 * driver's (10,000 nodes on SQLite: 14 ms instead of 20 ms).
 */
const NODE_READS: { [R in NodeReadKind]: NodeRead<NodeStates[R]> } = {
  batch: nodeRead(BATCH_WITH_DRIVER_COLUMNS, batchStateWithDriver),
  lifecycle: nodeRead(LIFECYCLE_COLUMNS, lifecycleState),
};
const BATCH_READ_WITHOUT_DRIVER = nodeRead(BATCH_COLUMNS, batchState);

const COUNT_COLUMNS = ['node_id', 'count'] as const;

const FAULT_USE_COLUMNS = [
  ['rule_id', 'integer'],
  ['used', 'integer'],
] as const;

const NO_POOL: NodeChangeOutcome = { kind: 'no-pool' };

/** The request path: `sql-template-tag` steps, one transaction per call (part of a group commit on SQLite). */
export class SqlNodeChangeStore implements NodeChangeStore {
  constructor(private readonly context: SqlContext) {}

  apply<R extends NodeReadKind>(change: NodeChange<R>): Promise<NodeChangeOutcome> {
    return this.context.runner.transaction(() => changeSteps(this.context.dialect, change));
  }
}

function* changeSteps<R extends NodeReadKind>(dialect: DialectSql, change: NodeChange<R>): Steps<NodeChangeOutcome> {
  const { projectId, name } = change.pool;
  let poolId: Sql;
  let pool: NodeChangeContext['pool'] = null;
  if (change.lockPool) {
    // The pool row is locked before the nodes, in the same order as scaling, so the two never deadlock.
    const [row] = (yield sql`SELECT id, spec FROM pools WHERE project_id = ${projectId} AND name = ${name}${dialect.forUpdate}`).rows;
    if (!row) return NO_POOL;
    const id = int(row.id);
    const [live] = (yield sql`SELECT COUNT(*) AS count FROM nodes WHERE pool_id = ${id} AND phase <> 'Deleting'`).rows;
    pool = { spec: JSON.parse(text(row.spec)) as PoolSpec, liveNodes: int(live!.count) };
    poolId = sql`${id}`;
  } else {
    // Found by the node read itself: one statement fewer than looking the pool up first.
    poolId = sql`(SELECT id FROM pools WHERE project_id = ${projectId} AND name = ${name})`;
  }
  const read = (change.read === 'batch' && !change.driver ? BATCH_READ_WITHOUT_DRIVER : NODE_READS[change.read]) as NodeRead<NodeStates[R]>;
  const countsInRead = change.countTagsBesides !== undefined && dialect.tagCountInNodeRead;
  const tagCount = countsInRead
    ? sql`, (SELECT COUNT(*) FROM node_tags WHERE node_id = nodes.id AND key NOT IN ${dialect.valueList(change.countTagsBesides!, 'text')}) AS other_tag_count`
    : empty;
  const columns = countsInRead ? read.columnsWithTagCount : read.columns;
  // The named nodes, locked on PostgreSQL in id order so that overlapping requests queue instead of deadlocking.
  const selected = sql`SELECT ${columnList(read.columns)}${tagCount} FROM nodes WHERE pool_id = ${poolId}
    AND name IN ${dialect.valueList(change.nodeNames, 'text')}${dialect.forUpdateInIdOrder}`;
  const countsApart = change.countTagsBesides !== undefined && !countsInRead;
  let found: StepResult;
  let counts: StepResult | undefined;
  if (countsApart && change.nodeNames.length <= SHORT_LIST_MAX) {
    // A short list's count goes by name in the same flight as the read, one round trip fewer: PostgreSQL runs it
    // after the read has its locks, with a snapshot of its own, so it counts what a call that held the rows before
    // committed. A long list's goes by the ids the read found, below: by name it cost the backends more.
    const counted = sql`SELECT n.id AS node_id, COUNT(*) AS count FROM nodes AS n JOIN node_tags AS t ON t.node_id = n.id
      WHERE n.pool_id = ${poolId} AND n.name IN ${dialect.valueList(change.nodeNames, 'text')}
      AND t.key NOT IN ${dialect.valueList(change.countTagsBesides!, 'text')} GROUP BY n.id`;
    const { each } = yield [dialect.selectValues(selected, columns), dialect.selectValues(counted, COUNT_COLUMNS)];
    found = each![0]!;
    counts = each![1];
  } else {
    found = yield dialect.selectValues(selected, columns);
  }
  const rows = dialect.valuesOf(found, columns);
  if (rows.length === 0 && pool === null && (yield sql`SELECT 1 AS found FROM pools WHERE id = ${poolId}`).rows.length === 0) return NO_POOL;
  const states = new Map<string, NodeStates[R]>();
  // By id only for what is read by id afterwards (taints, tag counts apart): a 10,000-node call saves a map.
  const byId = change.taints || countsApart ? new Map<number, NodeStates[R]>() : undefined;
  for (const values of rows) {
    const node = read.state(values);
    // Only the batch read asks for tag counts.
    if (countsInRead) (node as BatchNodeState).otherTagCount = int(values[read.columns.length]);
    states.set(node.name, node);
    byId?.set(node.id, node);
  }
  if (byId && byId.size > 0 && change.taints) yield* taintSteps(dialect, byId);
  if (byId && countsApart && !counts && byId.size > 0) {
    const counted = sql`SELECT node_id, COUNT(*) AS count FROM node_tags WHERE node_id IN ${dialect.valueList([...byId.keys()], 'integer')}
      AND key NOT IN ${dialect.valueList(change.countTagsBesides!, 'text')} GROUP BY node_id`;
    counts = yield dialect.selectValues(counted, COUNT_COLUMNS);
  }
  if (byId && counts) {
    for (const [nodeId, count] of dialect.valuesOf(counts, COUNT_COLUMNS)) {
      const node = byId.get(int(nodeId)) as BatchNodeState | undefined;
      if (node) node.otherTagCount = int(count);
    }
  }
  return yield* planAndApplySteps(dialect, poolId, states, pool, change);
}

/** Plans the nodes and writes the plan: pool spec, fault uses, node deltas and the operation record. */
function* planAndApplySteps<R extends NodeReadKind>(
  dialect: DialectSql,
  poolId: Sql,
  states: ReadonlyMap<string, NodeStates[R]>,
  pool: NodeChangeContext['pool'],
  change: NodeChange<R>,
): Steps<NodeChangeOutcome> {
  const { operation } = change;
  const faultRows = change.faults
    ? (yield sql`SELECT * FROM fault_rules WHERE project_id = ${operation.projectId} AND remaining > 0 ORDER BY id${dialect.forUpdate}`).rows
    : [];
  const faults = new FaultBudget(faultRows.map(faultRule), operation.poolName);
  const plan = change.plan(states, { faults, pool });
  if ('refused' in plan) return { kind: 'refused', refusal: plan.refused };
  const { decisions } = plan;
  // Every write of the plan as one flight, the transaction's last: none needs another's result.
  const writes: Sql[] = [];
  if (plan.spec) writes.push(sql`UPDATE pools SET spec = ${JSON.stringify(plan.spec)}, resource_version = resource_version + 1 WHERE id = ${poolId}`);
  if (faults.used.size > 0) {
    const used = [...faults.used].map(([id, n]) => [id, n]);
    writes.push(sql`UPDATE fault_rules SET remaining = remaining - r.used FROM ${dialect.jsonRows(used, FAULT_USE_COLUMNS)} AS r
      WHERE fault_rules.id = r.rule_id`);
  }
  writes.push(...deltaStatements(dialect, decisions, operation));
  const results: StoredNodeResult[] = decisions.map((d) => (d.ok ? d.name : { name: d.name, status: 'failed', errorCode: d.failure.code, errorMsg: d.failure.message }));
  const successCount = decisions.reduce((n, d) => (d.ok ? n + 1 : n), 0);
  writes.push(sql`INSERT INTO operations (id, project_id, pool_name, operation, action, principal, request_id, created_at, success_count, fail_count, results)
    VALUES (${operation.id}, ${operation.projectId}, ${operation.poolName}, ${operation.operation}, ${operation.action}, ${operation.principal},
      ${operation.requestId}, ${operation.createdAt}, ${successCount}, ${decisions.length - successCount}, ${JSON.stringify(results)})`);
  yield* lastly(writes);
  return { kind: 'applied', decisions };
}

/** A row of `SELECT * FROM fault_rules` as the planners' fault budget sees it. */
function faultRule(row: Row): FaultRule {
  return {
    id: int(row.id),
    pool: nullableText(row.pool_name),
    nodes: row.node_names === null ? null : (JSON.parse(text(row.node_names)) as string[]),
    fail: text(row.fail) as FaultKind,
    remaining: int(row.remaining),
  };
}
