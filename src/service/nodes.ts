import type { ListNodesQuery, Node } from '../schemas/node.js';
import { errors } from '../errors/catalogue.js';
import type { PoolName } from '../store/pools.js';
import type { Caller, ServiceContext } from './context.js';
import { renderNode } from './render.js';

const MAX_PAGE_SIZE = 500;

interface NodePageResult {
  items: Node[];
  continueToken?: string;
  remainingItemCount?: number;
}

/** Reads of a pool's nodes. */
export class NodeService {
  constructor(private readonly ctx: ServiceContext) {}

  /** ListPoolNodes: one page, or 404 ModelArts.50015001 when there is no such pool. */
  async list(pool: PoolName, query: ListNodesQuery, caller: Caller): Promise<NodePageResult> {
    const requested = query.limit === undefined ? 0 : Number(query.limit);
    if (requested > MAX_PAGE_SIZE) throw errors.badRequest(`limit must be from 0 to ${MAX_PAGE_SIZE}`);
    const limit = requested === 0 ? MAX_PAGE_SIZE : requested;
    const afterName = query.continue ? decodeContinue(query.continue, pool.name) : null;
    const page = await this.ctx.store.nodes.list(pool, { afterName, limit });
    if (!page) throw errors.poolNotFound();
    const tenancy = { accountId: caller.accountId, projectId: pool.projectId };
    const items = page.nodes.map((n) => renderNode(n, tenancy, this.ctx.backend));
    if (page.remaining === 0) return { items };
    return { items, continueToken: encodeContinue(pool.name, items[items.length - 1]!.metadata.name), remainingItemCount: page.remaining };
  }

  /** ShowPoolNode: the node, or 404 (ModelArts.50015001 when there is no such pool). */
  async show(pool: PoolName, nodeName: string, caller: Caller): Promise<Node> {
    const found = await this.ctx.store.nodes.get(pool, nodeName);
    if (!found) throw errors.poolNotFound();
    const { node } = found;
    if (!node) throw errors.notFound('Node', nodeName);
    return renderNode(node, { accountId: caller.accountId, projectId: pool.projectId }, this.ctx.backend);
  }
}

/** `continue` tokens are opaque to clients: base64url JSON naming the pool and the last node returned. */
function encodeContinue(poolName: string, lastNodeName: string): string {
  return Buffer.from(JSON.stringify({ p: poolName, a: lastNodeName })).toString('base64url');
}

function decodeContinue(token: string, poolName: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p?: unknown; a?: unknown };
    if (decoded.p === poolName && typeof decoded.a === 'string' && decoded.a !== '') return decoded.a;
  } catch {
    // falls through to the 400 below
  }
  throw errors.badRequest('continue: not a token returned by a previous page of this pool');
}
