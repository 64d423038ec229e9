import type { Static } from '@sinclair/typebox';
import type { BatchUpdateBody } from '../schemas/batch-update.js';
import type { Node } from '../schemas/node.js';
import type { BatchDeleteBody, BatchLockBody, BatchNodeNamesBody } from '../schemas/node-batch.js';
import type { ListOperationsQuery, OperationSchema, OperationSummary } from '../schemas/operation.js';
import type { CreatePoolBody, ListPoolsQuery, PatchPoolBody, Pool } from '../schemas/pool.js';
import type { ApiResponse, PoolkeeperClient } from './client.js';

export type Operation = Static<typeof OperationSchema>;

/** The service answered with an error: its status, `error_code`, `error_msg` and request id. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly requestId: string | null,
  ) {
    super(`HTTP ${status} ${code}: ${detail}${requestId ? ` (request ${requestId})` : ''}`);
  }
}

/** The node batch calls, by the last segment of their path. */
export type BatchCall =
  | { path: 'batch-update'; body: BatchUpdateBody }
  | { path: 'batch-lock' | 'batch-unlock'; body: BatchLockBody }
  | { path: 'batch-reboot' | 'batch-drain'; body: BatchNodeNamesBody }
  | { path: 'batch-delete'; body: BatchDeleteBody };

/** The ModelArts pool and node operations (and poolkeeper's operation records) for one project, typed by the schemas. */
export class PoolApi {
  constructor(
    readonly client: PoolkeeperClient,
    readonly projectId: string,
  ) {}

  private get base(): string {
    return `/v2/${encodeURIComponent(this.projectId)}/pools`;
  }

  /** Sends the call and answers it, or throws ApiCallError for an error answer. */
  async call<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await this.client.request<T>(method, path, body);
    if (response.status >= 400) {
      const error = response.body as { error_code?: string; error_msg?: string } | string;
      const code = typeof error === 'object' && error?.error_code ? error.error_code : `HTTP.${response.status}`;
      const detail = typeof error === 'object' && error?.error_msg ? error.error_msg : String(error).slice(0, 500);
      throw new ApiCallError(response.status, code, detail, response.requestId);
    }
    return response;
  }

  async listPools(query: ListPoolsQuery = {}): Promise<Pool[]> {
    const search = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    const suffix = search.size > 0 ? `?${search}` : '';
    return (await this.call<{ items: Pool[] }>('GET', `${this.base}${suffix}`)).body.items;
  }

  async getPool(pool: string): Promise<Pool> {
    return (await this.call<Pool>('GET', `${this.base}/${encodeURIComponent(pool)}`)).body;
  }

  async createPool(body: CreatePoolBody): Promise<Pool> {
    return (await this.call<Pool>('POST', this.base, body)).body;
  }

  async patchPool(pool: string, body: PatchPoolBody): Promise<Pool> {
    return (await this.call<Pool>('PATCH', `${this.base}/${encodeURIComponent(pool)}`, body)).body;
  }

  async deletePool(pool: string): Promise<Pool> {
    return (await this.call<Pool>('DELETE', `${this.base}/${encodeURIComponent(pool)}`)).body;
  }

  /** Every node of the pool, following `metadata.continue` page by page. */
  async listNodes(pool: string): Promise<Node[]> {
    const nodes: Node[] = [];
    let next: string | undefined;
    do {
      const query = next === undefined ? '' : `?continue=${encodeURIComponent(next)}`;
      const page = await this.call<{ items: Node[]; metadata: { continue?: string } }>('GET', `${this.base}/${encodeURIComponent(pool)}/nodes${query}`);
      nodes.push(...page.body.items);
      next = page.body.metadata.continue;
    } while (next !== undefined);
    return nodes;
  }

  async getNode(pool: string, node: string): Promise<Node> {
    return (await this.call<Node>('GET', `${this.base}/${encodeURIComponent(pool)}/nodes/${encodeURIComponent(node)}`)).body;
  }

  /** The path a batch call is sent to (for --dry-run). */
  batchPath(pool: string, call: BatchCall): string {
    return `${this.base}/${encodeURIComponent(pool)}/nodes/${call.path}`;
  }

  /** Sends a node batch call; every one answers with the id of its operation record. */
  async batch(pool: string, call: BatchCall): Promise<{ operationId: string; body: unknown }> {
    const response = await this.call('POST', this.batchPath(pool, call), call.body);
    const operationId = response.headers.get('x-operation-id');
    if (!operationId) throw new ApiCallError(response.status, 'HTTP.NoOperation', 'the answer carries no X-Operation-Id', response.requestId);
    return { operationId, body: response.body };
  }

  async operation(id: string): Promise<Operation> {
    return (await this.call<Operation>('GET', `/_poolkeeper/v1/${encodeURIComponent(this.projectId)}/operations/${encodeURIComponent(id)}`)).body;
  }

  /** One page of the project's operation records, newest first (`continue`: the token of the next page). */
  async listOperations(query: ListOperationsQuery = {}): Promise<{ items: OperationSummary[]; continue?: string }> {
    const search = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    const suffix = search.size > 0 ? `?${search}` : '';
    const page = await this.call<{ items: OperationSummary[]; metadata: { continue?: string } }>('GET', `/_poolkeeper/v1/${encodeURIComponent(this.projectId)}/operations${suffix}`);
    return { items: page.body.items, ...(page.body.metadata.continue === undefined ? {} : { continue: page.body.metadata.continue }) };
  }

  async reset(): Promise<{ status: string; restored: Record<string, number> }> {
    return (await this.call<{ status: string; restored: Record<string, number> }>('POST', '/_poolkeeper/v1/reset')).body;
  }

  /**
   * The most node names a batch call accepts, as the service publishes it (`maxItems` in its OpenAPI document);
   * undefined when the document does not say.
   */
  async publishedLimit(call: BatchCall['path']): Promise<number | undefined> {
    const document = (await this.call<OpenApiDocument>('GET', '/openapi.json')).body;
    const schema = document.paths?.[`/v2/{project_id}/pools/{pool_name}/nodes/${call}`]?.post?.requestBody?.content?.['application/json']?.schema;
    const field = call === 'batch-delete' ? 'deleteNodeNames' : 'nodeNames';
    const limit = schema?.properties?.[field]?.maxItems;
    return typeof limit === 'number' ? limit : undefined;
  }
}

interface OpenApiDocument {
  paths?: Record<
    string,
    { post?: { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, { maxItems?: unknown }> } }> } } } | undefined
  >;
}
