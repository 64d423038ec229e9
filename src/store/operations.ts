import { v7 as uuidv7 } from 'uuid';
import { listOperations, type OperationListPage, type OperationListQuery } from './operation-list.js';
import type { OperationMeta } from './operation-meta.js';
import type { SqlContext } from './sql-context.js';

export type { OperationMeta } from './operation-meta.js';

interface NodeResult {
  name: string;
  status: 'success' | 'failed';
  errorCode?: string;
  errorMsg?: string;
}

export interface OperationRecord extends OperationMeta {
  successCount: number;
  failCount: number;
  results: NodeResult[];
}

/** A node's result as the operations table keeps it: a success as the bare node name (half the JSON at 10,000 nodes). */
export type StoredNodeResult = string | NodeResult;

export interface OperationOutcome {
  nodeName: string;
  status: 'succeeded' | 'failed';
  errorCode?: string;
  errorMsg?: string;
  completedAt: number;
}

/** Time-ordered (UUIDv7): each new record lands at the end of the operations key index instead of on a random page. */
export function newOperationId(): string {
  return uuidv7();
}

/** The records batch calls write (see NodeChangeStore), and how the asynchronous work they started ended. */
export interface OperationStore {
  get(projectId: string, operationId: string): Promise<OperationRecord | undefined>;
  /** A page of the project's records, newest first, with where each one's nodes stand (operation-list.ts). */
  list(query: OperationListQuery): Promise<OperationListPage>;
  /** Async results recorded for an operation's nodes, in completion order. */
  outcomes(operationId: string): Promise<OperationOutcome[]>;
}

/** Reading one record is a cold path: Kysely's builder. The list is operation-list.ts's steps. */
export class SqlOperationStore implements OperationStore {
  constructor(private readonly context: SqlContext) {}

  async get(projectId: string, operationId: string): Promise<OperationRecord | undefined> {
    const row = await this.context.db.selectFrom('operations').selectAll().where('project_id', '=', projectId).where('id', '=', operationId).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      projectId: row.project_id,
      poolName: row.pool_name,
      operation: row.operation,
      action: row.action,
      principal: row.principal,
      requestId: row.request_id,
      createdAt: Number(row.created_at),
      successCount: Number(row.success_count),
      failCount: Number(row.fail_count),
      results: (JSON.parse(row.results) as StoredNodeResult[]).map((r) => (typeof r === 'string' ? { name: r, status: 'success' } : r)),
    };
  }

  list(query: OperationListQuery): Promise<OperationListPage> {
    return listOperations(this.context, query);
  }

  async outcomes(operationId: string): Promise<OperationOutcome[]> {
    const rows = await this.context.db
      .selectFrom('operation_outcomes')
      .selectAll()
      .where('operation_id', '=', operationId)
      .orderBy('completed_at')
      .orderBy('node_name')
      .execute();
    return rows.map((r) => ({
      nodeName: r.node_name,
      status: r.status as OperationOutcome['status'],
      ...(r.error_code === null ? {} : { errorCode: r.error_code }),
      ...(r.error_msg === null ? {} : { errorMsg: r.error_msg }),
      completedAt: Number(r.completed_at),
    }));
  }
}
