import { checkBatchUpdateRequest } from '../domain/batch-update-request.js';
import { withUpgradeEffects } from '../domain/node-lifecycle.js';
import { createdTagKeys, planBatchUpdate } from '../domain/node-update-planner.js';
import type { NodePhase } from '../domain/node.js';
import { toTimestamp } from '../domain/time.js';
import type { BatchUpdateBody } from '../schemas/batch-update.js';
import type { ListNodesQuery, Node } from '../schemas/node.js';
import { errors } from '../errors/catalogue.js';
import { renderNode } from '../server/render.js';
import { newOperationId } from '../store/sql-store.js';
import type { BatchNodeNeeds, OperationMeta, OperationOutcome, OperationRecord, PoolName, PoolRecord } from '../store/store.js';
import type { Caller, ServiceContext } from './context.js';

export const MAX_PAGE_SIZE = 500;

export interface NodePageResult {
  items: Node[];
  continueToken?: string;
  remainingItemCount?: number;
}

export interface BatchUpdateResult {
  successNodeNames: string[];
  failNodeNames: string[];
  operationId: string;
}

/** What the planner reads for the request: HA actions the taints, createTags a count of the tags it keeps; deleteTags nothing. */
function batchNeeds(body: BatchUpdateBody): BatchNodeNeeds {
  const faults = body.driver !== undefined;
  switch (body.action) {
    case 'openHaRedundant':
    case 'closeHaRedundant':
      return { taints: true, faults };
    case 'createTags':
      return { countTagsBesides: createdTagKeys(body), faults };
    case 'deleteTags':
      return { faults };
  }
}

export class NodeService {
  constructor(private readonly ctx: ServiceContext) {}

  async list(pool: PoolRecord, query: ListNodesQuery, caller: Caller): Promise<NodePageResult> {
    const requested = query.limit === undefined ? 0 : Number(query.limit);
    if (requested > MAX_PAGE_SIZE) throw errors.badRequest(`limit must be from 0 to ${MAX_PAGE_SIZE}`);
    const limit = requested === 0 ? MAX_PAGE_SIZE : requested;
    const afterName = query.continue ? decodeContinue(query.continue, pool.name) : null;
    const page = await this.ctx.store.listNodes(pool.id, { afterName, limit });
    const tenancy = { accountId: caller.accountId, projectId: pool.projectId };
    const items = page.nodes.map((n) => renderNode(n, tenancy));
    if (page.remaining === 0) return { items };
    return { items, continueToken: encodeContinue(pool.name, items[items.length - 1]!.metadata.name), remainingItemCount: page.remaining };
  }

  async show(pool: PoolRecord, nodeName: string, caller: Caller): Promise<Node> {
    const node = await this.ctx.store.getNode(pool.id, nodeName);
    if (!node) throw errors.notFound('Node', nodeName);
    return renderNode(node, { accountId: caller.accountId, projectId: pool.projectId });
  }

  /** The pool is found inside the update's transaction: 404 when it does not exist, after the body's own checks. */
  async batchUpdate(pool: PoolName, body: BatchUpdateBody, caller: Caller, requestId: string): Promise<BatchUpdateResult> {
    const problem = checkBatchUpdateRequest(body);
    if (problem) throw errors.badRequest(problem);
    const now = this.ctx.clock.now();
    const operation: OperationMeta = {
      id: newOperationId(),
      projectId: pool.projectId,
      poolName: pool.name,
      operation: 'BatchUpdatePoolNodes',
      action: body.action,
      principal: caller.display,
      requestId,
      createdAt: now,
    };
    const decisions = await this.ctx.store.updatePoolNodes(
      pool,
      body.nodeNames,
      batchNeeds(body),
      (nodes, context) => withUpgradeEffects(planBatchUpdate(body, nodes, now), context.faults, now),
      operation,
    );
    if (decisions === undefined) throw errors.poolNotFound();
    this.ctx.events?.recorded(operation, decisions);
    const successNodeNames: string[] = [];
    const failNodeNames: string[] = [];
    for (const d of decisions) (d.ok ? successNodeNames : failNodeNames).push(d.name);
    if (successNodeNames.length > 0) await this.ctx.backend.applyMetadata({ projectId: pool.projectId, poolName: pool.name }, successNodeNames);
    return { successNodeNames, failNodeNames, operationId: operation.id };
  }

  async setPhase(pool: PoolRecord, nodeName: string, phase: NodePhase, caller: Caller): Promise<Node> {
    if (!(await this.ctx.store.setNodePhase(pool.id, nodeName, phase))) throw errors.notFound('Node', nodeName);
    return this.show(pool, nodeName, caller);
  }

  async operation(projectId: string, operationId: string): Promise<ReturnType<typeof renderOperation>> {
    const record = await this.ctx.store.getOperation(projectId, operationId);
    if (!record) throw errors.notFound('Operation', operationId);
    return renderOperation(record, await this.ctx.store.listOperationOutcomes(operationId));
  }
}

/** The record of a batch call; a node whose asynchronous work (upgrade, reboot) has ended also shows how it ended. */
export function renderOperation(record: OperationRecord, outcomes: OperationOutcome[]) {
  const ended = new Map(outcomes.map((o) => [o.nodeName, o]));
  return {
    id: record.id,
    operation: record.operation,
    action: record.action,
    projectId: record.projectId,
    poolName: record.poolName,
    principal: record.principal,
    requestId: record.requestId,
    creationTimestamp: toTimestamp(record.createdAt),
    successCount: record.successCount,
    failCount: record.failCount,
    nodes: record.results.map((r) => {
      const outcome = ended.get(r.name);
      if (outcome === undefined) return r;
      const { status, errorCode, errorMsg, completedAt } = outcome;
      return { ...r, completion: { status, errorCode, errorMsg, completionTimestamp: toTimestamp(completedAt) } };
    }),
  };
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
