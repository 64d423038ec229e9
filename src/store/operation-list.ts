import sql, { empty, join, type Sql } from 'sql-template-tag';
import { waitKindOf } from '../domain/operation-progress.js';
import { int, nullableText, text } from './rows.js';
import type { OperationMeta } from './operation-meta.js';
import type { SqlContext } from './sql-context.js';
import type { Row } from './statements.js';

/**
 * The most records one call of the list reads when a filter that no index holds applies (`kind`, `node`): a page then
 * holds the matches among those records, possibly fewer than asked or none, with a cursor to read on. A call's cost
 * stays bounded whatever the filter matches; with `node`, each record read is searched as text (about 30 bytes per
 * node it names).
 */
export const OPERATION_SCAN_LIMIT = 500;

export interface OperationListQuery {
  projectId: string;
  pool: string | null;
  kind: string | null;
  node: string | null;
  /** Only records older than this one (the cursor of the previous page); null from the newest. */
  before: string | null;
  limit: number;
}

/** Where a call's nodes stand (see the list's OpenAPI description); null for drains and deletions. */
export interface OperationCompletion {
  succeeded: number;
  failed: number;
  pending: number;
}

/** An operation record without its per-node results (OperationStore.get has them). */
export interface OperationSummaryRecord extends SummaryRow {
  completion: OperationCompletion | null;
}

export interface OperationListPage {
  items: OperationSummaryRecord[];
  /** The cursor after the last record this call read, while older ones may remain; null when the list ends here. */
  next: string | null;
}

/** What the list runs its statements with: the store's step runner and dialect. */
type OperationListSql = Pick<SqlContext, 'runner' | 'dialect'>;

/** Runs one read and types each of its rows with `row`. */
async function select<T>(db: OperationListSql, statement: Sql, row: (raw: Row) => T): Promise<T[]> {
  return (await db.runner.query(statement)).rows.map(row);
}

interface SummaryRow extends OperationMeta {
  successCount: number;
  failCount: number;
}

/** A row of SUMMARY_COLUMNS. */
function summaryRow(row: Row): SummaryRow {
  return {
    id: text(row.id),
    projectId: text(row.project_id),
    poolName: text(row.pool_name),
    operation: text(row.operation),
    action: nullableText(row.action),
    principal: text(row.principal),
    requestId: text(row.request_id),
    createdAt: int(row.created_at),
    successCount: int(row.success_count),
    failCount: int(row.fail_count),
  };
}

/** A row of `operation_id, status, count` (the outcome counts). */
function outcomeCount(row: Row): { operationId: string; status: string; count: number } {
  return { operationId: text(row.operation_id), status: text(row.status), count: int(row.count) };
}

/** A row of `operation_id, count` (the running nodes). */
function pendingCount(row: Row): { operationId: string; count: number } {
  return { operationId: text(row.operation_id), count: int(row.count) };
}

const SUMMARY_COLUMNS = sql`id, project_id, pool_name, operation, action, principal, request_id, created_at, success_count, fail_count`;

/**
 * The records name `node` (operations.results: a JSON array written by JSON.stringify, a success as the bare name,
 * a failure as {"name": …, …}). A node name needs no JSON escaping and holds no LIKE wildcard, so these patterns match
 * exactly an element that is the name or an object whose first key is that name; the first one only skips records
 * that cannot match before the others look.
 */
function namesNode(node: string): Sql {
  const quoted = JSON.stringify(node);
  const element = ['[', ','].flatMap((before) => [']', ','].map((after) => `%${before}${quoted}${after}%`));
  return sql`(results LIKE ${`%${quoted}%`} AND (${join(
    [...element, `%{"name":${quoted},%`].map((pattern) => sql`results LIKE ${pattern}`),
    ' OR ',
  )}))`;
}

/**
 * A page of the project's operation records, newest first (ids are UUIDv7: by id), each with where its nodes stand.
 * Reads one range of the primary key (project_id, id) or of the index on (project_id, pool_name, id); see OPERATION_SCAN_LIMIT for `kind`
 * and `node`.
 */
export async function listOperations(db: OperationListSql, query: OperationListQuery): Promise<OperationListPage> {
  const scope = sql`project_id = ${query.projectId}${query.pool === null ? empty : sql` AND pool_name = ${query.pool}`}${
    query.before === null ? empty : sql` AND id < ${query.before}`
  }`;
  const filters: Sql[] = [];
  if (query.kind !== null) filters.push(sql`operation = ${query.kind}`);
  if (query.node !== null) filters.push(namesNode(query.node));
  const take = query.limit + 1;
  const statement =
    filters.length === 0
      ? sql`SELECT ${SUMMARY_COLUMNS} FROM operations WHERE ${scope} ORDER BY id DESC LIMIT ${take}`
      : sql`SELECT ${SUMMARY_COLUMNS} FROM operations
          WHERE project_id = ${query.projectId} AND id IN (SELECT id FROM operations WHERE ${scope} ORDER BY id DESC LIMIT ${OPERATION_SCAN_LIMIT})
            AND ${join(filters, ' AND ')}
          ORDER BY id DESC LIMIT ${take}`;
  const rows = await select(db, statement, summaryRow);
  let next: string | null = null;
  if (rows.length > query.limit) {
    rows.length = query.limit;
    next = rows[rows.length - 1]!.id;
  } else if (filters.length > 0) {
    // Fewer matches than asked: the list goes on after the records read, if there were as many as a call reads.
    const [last] = await select(db, sql`SELECT id FROM operations WHERE ${scope} ORDER BY id DESC LIMIT 1 OFFSET ${OPERATION_SCAN_LIMIT - 1}`, (row) => ({ id: text(row.id) }));
    next = last?.id ?? null;
  }
  return { items: await withCompletion(db, query.projectId, rows), next };
}

/** Adds each record's completion: its nodes' recorded ends, and the nodes still running the work it started. */
async function withCompletion(db: OperationListSql, projectId: string, rows: SummaryRow[]): Promise<OperationSummaryRecord[]> {
  const tracked = rows.filter((r) => ['completion', 'update'].includes(waitKindOf(r.operation)));
  const ended = new Map<string, { succeeded: number; failed: number }>();
  const running = new Map<string, number>();
  if (tracked.length > 0) {
    const ids = db.dialect.valueList(
      tracked.map((r) => r.id),
      'text',
    );
    const outcomes = await select(db, sql`SELECT operation_id, status, COUNT(*) AS count FROM operation_outcomes WHERE operation_id IN ${ids} GROUP BY operation_id, status`, outcomeCount);
    for (const o of outcomes) {
      const counts = ended.get(o.operationId) ?? { succeeded: 0, failed: 0 };
      counts[o.status === 'failed' ? 'failed' : 'succeeded'] += o.count;
      ended.set(o.operationId, counts);
    }
    const unfinished = tracked.filter((r) => {
      const counts = ended.get(r.id);
      return r.successCount > (counts ? counts.succeeded + counts.failed : 0);
    });
    if (unfinished.length > 0) {
      // The nodes of the records' pools (index on pool_id) that still run an upgrade or a reboot one of them started.
      const pools = sql`(SELECT id FROM pools WHERE project_id = ${projectId} AND name IN ${db.dialect.valueList([...new Set(unfinished.map((r) => r.poolName))], 'text')})`;
      const operations = db.dialect.valueList(
        unfinished.map((r) => r.id),
        'text',
      );
      const pending = await select(
        db,
        sql`SELECT operation_id, COUNT(*) AS count FROM (
          SELECT driver_operation_id AS operation_id FROM nodes
            WHERE pool_id IN ${pools} AND driver_phase IN ('Pending', 'Updating') AND driver_operation_id IN ${operations}
          UNION ALL
          SELECT reboot_operation_id AS operation_id FROM nodes
            WHERE pool_id IN ${pools} AND phase = 'Checking' AND reboot_check_at IS NOT NULL AND reboot_operation_id IN ${operations}
        ) AS running GROUP BY operation_id`,
        pendingCount,
      );
      for (const p of pending) running.set(p.operationId, p.count);
    }
  }
  return rows.map((row) => {
    const { successCount, failCount } = row;
    const wait = waitKindOf(row.operation);
    let completion: OperationCompletion | null = null;
    if (wait !== 'drain' && wait !== 'delete') {
      const failedLater = ended.get(row.id)?.failed ?? 0;
      const pending = running.get(row.id) ?? 0;
      completion = { succeeded: successCount - failedLater - pending, failed: failCount + failedLater, pending };
    }
    return { ...row, completion };
  });
}
