import { DEFAULT_OPERATION_PAGE, MAX_OPERATION_PAGE } from '../schemas/operation-kinds.js';
import type { ListOperationsQuery, OperationSummary } from '../schemas/operation.js';
import { errors } from '../errors/catalogue.js';
import type { OperationSummaryRecord } from '../store/operation-list.js';
import type { ServiceContext } from './context.js';
import { renderOperation, renderOperationHead } from './render.js';

interface OperationListResult {
  items: OperationSummary[];
  continueToken?: string;
}

/** The filters a page was read with; a `continue` token is good only for the same ones. */
interface ListFilters {
  pool: string | null;
  kind: string | null;
  node: string | null;
}

/** The operations extension: the records batch calls write, one by one or as a list. */
export class OperationService {
  constructor(private readonly ctx: Pick<ServiceContext, 'store'>) {}

  async show(projectId: string, operationId: string): Promise<ReturnType<typeof renderOperation>> {
    const record = await this.ctx.store.operations.get(projectId, operationId);
    if (!record) throw errors.notFound('Operation', operationId);
    return renderOperation(record, await this.ctx.store.operations.outcomes(operationId));
  }

  async list(projectId: string, query: ListOperationsQuery): Promise<OperationListResult> {
    const requested = query.limit === undefined ? 0 : Number(query.limit);
    if (requested > MAX_OPERATION_PAGE) throw errors.badRequest(`limit must be from 0 to ${MAX_OPERATION_PAGE}`);
    if (query.node !== undefined && query.pool === undefined) throw errors.badRequest('node needs pool as well: node names are unique only within a pool');
    const filters: ListFilters = { pool: query.pool ?? null, kind: query.kind ?? null, node: query.node ?? null };
    const before = query.continue ? decodeContinue(query.continue, filters) : null;
    const page = await this.ctx.store.operations.list({ projectId, ...filters, before, limit: requested === 0 ? DEFAULT_OPERATION_PAGE : requested });
    const items = page.items.map(renderSummary);
    return page.next === null ? { items } : { items, continueToken: encodeContinue(page.next, filters) };
  }
}

function renderSummary(record: OperationSummaryRecord): OperationSummary {
  return { ...renderOperationHead(record), completion: record.completion };
}

const OPERATION_ID = /^[0-9a-f-]{36}$/;

/** `continue` tokens are opaque to clients: base64url JSON of the last record read and the filters of the list. */
function encodeContinue(lastId: string, filters: ListFilters): string {
  return Buffer.from(JSON.stringify({ b: lastId, p: filters.pool, k: filters.kind, n: filters.node })).toString('base64url');
}

function decodeContinue(token: string, filters: ListFilters): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { b?: unknown; p?: unknown; k?: unknown; n?: unknown };
    if (typeof decoded.b === 'string' && OPERATION_ID.test(decoded.b) && decoded.p === filters.pool && decoded.k === filters.kind && decoded.n === filters.node) {
      return decoded.b;
    }
  } catch {
    // falls through to the 400 below
  }
  throw errors.badRequest('continue: not a token returned by a previous page of this list (with the same pool, kind and node)');
}
