/** The console's typed calls to the public API and the operations extension, all through sendCall (so both sign-ins work). */
import { nodeNotFound } from '../../src/errors/catalogue.js';
import { sendCall, type ApiResult } from './api.js';
import type { Session } from './session.js';
import type { Node, OperationPage, OperationRecord, Pool } from './types.js';

export class ApiError extends Error {
  constructor(readonly result: ApiResult) {
    super(result.error ? `${result.error.code}: ${result.error.message}` : `HTTP ${result.status}`);
  }
}

function project(session: Session): string {
  return encodeURIComponent(session.projectId);
}

function poolPath(session: Session, pool: string): string {
  return `/v2/${project(session)}/pools/${encodeURIComponent(pool)}`;
}

async function expect200<T>(result: Promise<ApiResult>): Promise<T> {
  const answer = await result;
  if (answer.status !== 200) throw new ApiError(answer);
  return answer.json as T;
}

export async function listPools(session: Session, filter: { labelSelector?: string; status?: string } = {}): Promise<Pool[]> {
  const query: Array<[string, string]> = [];
  if (filter.labelSelector) query.push(['labelSelector', filter.labelSelector]);
  if (filter.status) query.push(['status', filter.status]);
  const list = await expect200<{ items: Pool[] }>(sendCall(session, { method: 'GET', path: `/v2/${project(session)}/pools`, query }));
  return list.items;
}

export async function getPool(session: Session, pool: string): Promise<Pool> {
  return expect200<Pool>(sendCall(session, { method: 'GET', path: poolPath(session, pool) }));
}

/** CreatePool, PatchPool and DeletePool answer as they are (a form shows a 400 by its field). */
export function createPool(session: Session, body: unknown): Promise<ApiResult> {
  return sendCall(session, { method: 'POST', path: `/v2/${project(session)}/pools`, body: JSON.stringify(body) });
}

export function patchPool(session: Session, pool: string, body: unknown): Promise<ApiResult> {
  return sendCall(session, { method: 'PATCH', path: poolPath(session, pool), body: JSON.stringify(body) });
}

export function deletePool(session: Session, pool: string): Promise<ApiResult> {
  return sendCall(session, { method: 'DELETE', path: poolPath(session, pool) });
}

export const NODE_PAGE_SIZE = 500;

/** Every node of the pool, a page (limit/continue) at a time; `onPage` sees each page as it arrives. */
export async function listAllNodes(session: Session, pool: string, onPage: (nodes: Node[], remaining: number) => void, signal?: AbortSignal): Promise<void> {
  let token: string | undefined;
  do {
    const query: Array<[string, string]> = [['limit', String(NODE_PAGE_SIZE)]];
    if (token) query.push(['continue', token]);
    const page = await expect200<{ metadata: { continue?: string; remainingItemCount?: number }; items: Node[] }>(
      sendCall(session, { method: 'GET', path: `${poolPath(session, pool)}/nodes`, query }),
    );
    if (signal?.aborted) return;
    token = page.metadata.continue;
    onPage(page.items, page.metadata.remainingItemCount ?? 0);
  } while (token);
}

export async function showNode(session: Session, pool: string, name: string): Promise<Node> {
  return expect200<Node>(sendCall(session, { method: 'GET', path: `${poolPath(session, pool)}/nodes/${encodeURIComponent(name)}` }));
}

/** The node, or null when the pool has no such node (any more). */
export async function findNode(session: Session, pool: string, name: string): Promise<Node | null> {
  const answer = await sendCall(session, { method: 'GET', path: `${poolPath(session, pool)}/nodes/${encodeURIComponent(name)}` });
  if (answer.status === 404 && answer.error?.code === nodeNotFound(name).code) return null;
  if (answer.status !== 200) throw new ApiError(answer);
  return answer.json as Node;
}

export interface OperationFilter {
  pool?: string;
  kind?: string;
  node?: string;
  limit?: number;
}

/** One page of the project's operation records, newest first (ListOperations). */
export async function listOperations(session: Session, filter: OperationFilter, token?: string): Promise<OperationPage> {
  const query: Array<[string, string]> = [];
  if (filter.limit !== undefined) query.push(['limit', String(filter.limit)]);
  if (filter.pool) query.push(['pool', filter.pool]);
  if (filter.kind) query.push(['kind', filter.kind]);
  if (filter.node) query.push(['node', filter.node]);
  if (token) query.push(['continue', token]);
  const page = await expect200<{ metadata: { continue?: string }; items: OperationPage['items'] }>(
    sendCall(session, { method: 'GET', path: `/_poolkeeper/v1/${project(session)}/operations`, query }),
  );
  return { items: page.items, ...(page.metadata.continue ? { continue: page.metadata.continue } : {}) };
}

export async function showOperation(session: Session, id: string): Promise<OperationRecord> {
  return expect200<OperationRecord>(sendCall(session, { method: 'GET', path: `/_poolkeeper/v1/${project(session)}/operations/${encodeURIComponent(id)}` }));
}

/** One batch call on `names`: the answer (any status) and, when the service made one, its operation record id. */
export async function batchCall(session: Session, pool: string, endpoint: string, body: unknown): Promise<ApiResult> {
  return sendCall(session, { method: 'POST', path: `${poolPath(session, pool)}/nodes/${endpoint}`, body: JSON.stringify(body) });
}
