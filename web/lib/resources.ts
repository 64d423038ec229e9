/** The console's typed calls to the public API and the operations extension, all through sendCall (so both sign-ins work). */
import { sendCall, type ApiResult } from './api.js';
import type { Session } from './session.js';
import type { Node, OperationRecord, Pool } from './types.js';

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

export async function showOperation(session: Session, id: string): Promise<OperationRecord> {
  return expect200<OperationRecord>(sendCall(session, { method: 'GET', path: `/_poolkeeper/v1/${project(session)}/operations/${encodeURIComponent(id)}` }));
}

/** One batch call on `names`: the answer (any status) and, when the service made one, its operation record id. */
export async function batchCall(session: Session, pool: string, endpoint: string, body: unknown): Promise<ApiResult> {
  return sendCall(session, { method: 'POST', path: `${poolPath(session, pool)}/nodes/${endpoint}`, body: JSON.stringify(body) });
}
