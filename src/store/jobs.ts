import sql, { join, type Sql } from 'sql-template-tag';
import { TAINT_DRIVER_UPGRADE } from '../domain/node-lifecycle.js';
import { BACKGROUND_WORK } from './background-work.js';
import { ident, type DialectSql } from './dialect.js';
import { flag, int, nullableText, text } from './rows.js';
import type { SqlContext } from './sql-context.js';
import type { Row, Steps } from './statements.js';

/** The long-running node operations the reconciler hands to the node backend. */
export type NodeJobKind = 'driver_upgrade' | 'reboot';

/** One such operation on one node. */
export interface NodeJob {
  nodeId: number;
  poolId: number;
  name: string;
  startedAt: number;
  /** An injected fault decided, when the operation was requested, that it fails. */
  fail: boolean;
  /** Driver upgrades: the version being installed. */
  targetVersion: string | null;
  operationId: string | null;
}

/** A backend's report on one job; `InProgress` says when to look again. */
export type JobProgress =
  | { nodeId: number; state: 'InProgress'; checkAt: number }
  | { nodeId: number; state: 'Succeeded' }
  | { nodeId: number; state: 'Failed'; code: string; message: string };

/**
 * Durable job progress: claims lease due jobs to one replica, reports are applied only to nodes still in that job,
 * so replicas never run a step twice and a restart resumes from the database.
 */
export interface JobStore {
  /**
   * Claims up to `limit` Pending upgrades that may start (Available; `force`, or no running work): they go Updating
   * (a `force` upgrade stops the work) and are due for the backend at once. One conditional statement.
   */
  startUpgrades(now: number, limit: number): Promise<NodeJob[]>;
  /** Claims up to `limit` jobs due for a look: their next look moves to `now + leaseMillis`, so no other replica takes them meanwhile. */
  claim(kind: NodeJobKind, now: number, leaseMillis: number, limit: number): Promise<NodeJob[]>;
  /** Applies backend reports to nodes still in the job, recording each end in the operation's outcomes; returns how many ended. */
  record(kind: NodeJobKind, progress: readonly JobProgress[], now: number): Promise<number>;
}

/** The columns of one job kind: every statement below is written once, for both. */
interface JobColumns {
  /** The node is still in this job (qualified, so that it reads the same inside UPDATE ... FROM). */
  running: Sql;
  /** When the reconciler next asks the backend; a claim moves it forward as a lease. */
  check: string;
  /** The job's columns as a NodeJob reads them. */
  job: Sql;
  operation: string;
  succeeded: Sql;
  failed: Sql;
  /** Resets the job's columns once it ended either way. */
  ended: Sql;
  /** Runs after success on the nodes it ended for. */
  afterSuccess?: (nodeIds: Sql) => Sql;
}

const JOBS: Readonly<Record<NodeJobKind, JobColumns>> = {
  driver_upgrade: {
    running: sql`nodes.driver_phase = 'Updating'`,
    check: 'driver_check_at',
    job: sql`driver_started_at AS started_at, driver_fail AS fail, driver_target_version AS target_version, driver_operation_id AS operation_id`,
    operation: 'driver_operation_id',
    succeeded: sql`driver_version = driver_target_version, driver_phase = 'Running'`,
    failed: sql`driver_phase = 'Abnormal'`,
    ended: sql`driver_target_version = NULL, driver_strategy = NULL, driver_started_at = NULL, driver_check_at = NULL, driver_fail = 0`,
    // A failed upgrade keeps the isolation taint: no work lands on a node with a broken driver.
    afterSuccess: (nodeIds) => sql`DELETE FROM node_taints WHERE key = ${TAINT_DRIVER_UPGRADE} AND node_id IN ${nodeIds}`,
  },
  reboot: {
    running: sql`nodes.phase = 'Checking' AND nodes.reboot_check_at IS NOT NULL`,
    check: 'reboot_check_at',
    job: sql`reboot_started_at AS started_at, reboot_fail AS fail, NULL AS target_version, reboot_operation_id AS operation_id`,
    operation: 'reboot_operation_id',
    succeeded: sql`phase = 'Available'`,
    failed: sql`phase = 'Abnormal'`,
    ended: sql`reboot_started_at = NULL, reboot_check_at = NULL, reboot_fail = 0`,
  },
};

const OUTCOME_COLUMNS = [['operation_id', 'text'], ['node_name', 'text'], ['status', 'text'], ['error_code', 'text'], ['error_msg', 'text'], ['completed_at', 'integer']] as const;

/**
 * Background steps: `sql-template-tag` statements through the step runner. On PostgreSQL node rows a batch call holds
 * are skipped until a later tick (SKIP LOCKED): progress never waits behind a batch call, and never locks nodes in an
 * order that could deadlock with one.
 */
export class SqlJobStore implements JobStore {
  constructor(private readonly context: SqlContext) {}

  async startUpgrades(now: number, limit: number): Promise<NodeJob[]> {
    const ready = sql`driver_phase = 'Pending' AND phase = 'Available' AND (driver_strategy = 'force' OR running_jobs = 0)`;
    const { rows } = await this.context.runner.query(sql`UPDATE nodes SET driver_phase = 'Updating', driver_started_at = ${now}, driver_check_at = ${now},
        running_jobs = CASE WHEN driver_strategy = 'force' THEN 0 ELSE running_jobs END
      WHERE id IN (SELECT id FROM nodes WHERE ${ready} ORDER BY id LIMIT ${limit} ${this.context.dialect.skipLocked}) AND ${ready}
      RETURNING id, pool_id, name, ${JOBS.driver_upgrade.job}`);
    return rows.map(toNodeJob);
  }

  async claim(kind: NodeJobKind, now: number, leaseMillis: number, limit: number): Promise<NodeJob[]> {
    const job = JOBS[kind];
    const due = BACKGROUND_WORK[kind].due(now);
    const check = ident(job.check);
    const { rows } = await this.context.runner.query(sql`UPDATE nodes SET ${check} = ${now + leaseMillis}
      WHERE id IN (SELECT id FROM nodes WHERE ${due} ORDER BY ${check}, id LIMIT ${limit} ${this.context.dialect.skipLocked}) AND ${due}
      RETURNING id, pool_id, name, ${job.job}`);
    return rows.map(toNodeJob);
  }

  record(kind: NodeJobKind, progress: readonly JobProgress[], now: number): Promise<number> {
    const { dialect } = this.context;
    return this.context.runner.transaction(() => recordSteps(dialect, JOBS[kind], progress, now));
  }
}

function* recordSteps(dialect: DialectSql, job: JobColumns, progress: readonly JobProgress[], now: number): Steps<number> {
  // The reported nodes are locked in id order, the order batch calls lock them in, so the two never deadlock.
  const lock = progress.length === 0 ? null : dialect.lockRows('nodes', dialect.valueList(progress.map((p) => p.nodeId), 'integer'));
  if (lock) yield lock;
  const checks = progress.flatMap((p) => (p.state === 'InProgress' ? [[p.nodeId, p.checkAt]] : []));
  if (checks.length > 0) {
    yield sql`UPDATE nodes SET ${ident(job.check)} = r.check_at FROM ${dialect.jsonRows(checks, [['node_id', 'integer'], ['check_at', 'integer']])} AS r
      WHERE nodes.id = r.node_id AND ${job.running}`;
  }
  const succeeded = yield* endSteps(dialect, job, progress, 'Succeeded', now);
  if (succeeded.length > 0 && job.afterSuccess) yield job.afterSuccess(dialect.valueList(succeeded, 'integer'));
  const failed = yield* endSteps(dialect, job, progress, 'Failed', now);
  return succeeded.length + failed.length;
}

/**
 * Ends the jobs reported in `state`, only where the node is still running that job (so a report applies once even
 * when two replicas observed the same job), and records each end as an outcome of the operation that asked for it.
 */
function* endSteps(dialect: DialectSql, job: JobColumns, progress: readonly JobProgress[], state: 'Succeeded' | 'Failed', now: number): Steps<number[]> {
  const reports = new Map(progress.filter((p) => p.state === state).map((p) => [p.nodeId, p]));
  if (reports.size === 0) return [];
  const set = state === 'Succeeded' ? job.succeeded : job.failed;
  const ended = (
    yield sql`UPDATE nodes SET ${set}, ${job.ended} WHERE id IN ${dialect.valueList([...reports.keys()], 'integer')} AND ${job.running}
      RETURNING id, name, ${ident(job.operation)} AS operation_id`
  ).rows.map((row) => ({ id: int(row.id), name: text(row.name), operationId: nullableText(row.operation_id) }));
  const outcomes = ended.flatMap((row) => {
    if (row.operationId === null) return [];
    const report = reports.get(row.id)!;
    const failure = report.state === 'Failed' ? report : null;
    return [[row.operationId, row.name, state === 'Succeeded' ? 'succeeded' : 'failed', failure?.code ?? null, failure?.message ?? null, now]];
  });
  if (outcomes.length > 0) {
    const names = join(OUTCOME_COLUMNS.map(([name]) => ident(name)));
    yield sql`INSERT INTO operation_outcomes (${names}) SELECT ${names} FROM ${dialect.jsonRows(outcomes, OUTCOME_COLUMNS)} AS r`;
  }
  return ended.map((r) => r.id);
}

/** A row claimed with `id, pool_id, name` and a kind's job columns. */
function toNodeJob(row: Row): NodeJob {
  return {
    nodeId: int(row.id),
    poolId: int(row.pool_id),
    name: text(row.name),
    startedAt: int(row.started_at),
    fail: flag(row.fail),
    targetVersion: nullableText(row.target_version),
    operationId: nullableText(row.operation_id),
  };
}
