import type { NodeDecision } from '../domain/node-update-planner.js';
import type { NodeDelta } from '../domain/node.js';
import { errors } from '../errors/catalogue.js';
import type { NodeChange, NodeChangeContext, NodePlan, NodeReadKind, NodeStates } from '../store/node-changes.js';
import { newOperationId, type OperationMeta } from '../store/operations.js';
import type { PoolName } from '../store/pools.js';
import type { Caller, ServiceContext } from './context.js';

/** A batch call on a pool's nodes, as its service describes it to the pipeline. */
export interface BatchCall<R extends NodeReadKind> extends Pick<NodeChange<R>, 'nodeNames' | 'read' | 'taints' | 'driver' | 'countTagsBesides' | 'lockPool' | 'faults'> {
  /** The API operation and its action, as the operation record names them. */
  operation: string;
  action: string | null;
  /** The whole-request checks beyond the schema: null, or the detail of a 400. Nothing is read when they fail. */
  problem: string | null;
  /** The pure planner, run inside the transaction; `now` is the call's one reading of the clock. */
  plan(nodes: ReadonlyMap<string, NodeStates[R]>, context: NodeChangeContext, now: number): NodePlan;
}

export interface BatchOutcome {
  decisions: NodeDecision[];
  operationId: string;
}

/** The record's head for a call made now; the one place an operation id is drawn. */
export function operationMeta(pool: PoolName, operation: string, action: string | null, caller: Pick<Caller, 'display'>, requestId: string, now: number): OperationMeta {
  return { id: newOperationId(), projectId: pool.projectId, poolName: pool.name, operation, action, principal: caller.display, requestId, createdAt: now };
}

/**
 * The one path of every change to a pool's nodes (batch-update, lock, unlock, delete, reboot, drain, a pool-wide
 * driver upgrade), and so one order of errors for all of them: the body's own problems (400), then the pool (404),
 * then the planner's refusal of the whole request (400, batch-delete only), then each node on its own. In between,
 * one store call reads the nodes under row locks, plans, writes the deltas and the record; after the commit the
 * backend is told what changed.
 */
export class NodeChanges {
  constructor(private readonly ctx: ServiceContext) {}

  async run<R extends NodeReadKind>(pool: PoolName, call: BatchCall<R>, caller: Caller, requestId: string): Promise<BatchOutcome> {
    if (call.problem !== null) throw errors.badRequest(call.problem);
    const now = this.ctx.clock.now();
    const operation = operationMeta(pool, call.operation, call.action, caller, requestId, now);
    const outcome = await this.ctx.store.changes.apply({
      pool,
      nodeNames: call.nodeNames,
      read: call.read,
      taints: call.taints,
      driver: call.driver,
      countTagsBesides: call.countTagsBesides,
      lockPool: call.lockPool,
      faults: call.faults,
      plan: (nodes, context) => call.plan(nodes, context, now),
      operation,
    });
    if (outcome.kind === 'no-pool') throw errors.poolNotFound();
    if (outcome.kind === 'refused') {
      this.ctx.events?.refused(operation, outcome.refusal.failures);
      throw errors.badRequest(outcome.refusal.detail);
    }
    this.ctx.events?.recorded(operation, outcome.decisions);
    await this.handOff(pool, outcome.decisions);
    return { decisions: outcome.decisions, operationId: operation.id };
  }

  /** Tells the backend, after the commit, which nodes go and which nodes' metadata changed. */
  private async handOff(pool: PoolName, decisions: readonly NodeDecision[]): Promise<void> {
    const deleting: string[] = [];
    const changed: string[] = [];
    for (const d of decisions) {
      if (!d.ok) continue;
      if (d.delta.setPhase?.phase === 'Deleting') deleting.push(d.name);
      else if (changesMetadata(d.delta)) changed.push(d.name);
    }
    const ref = { projectId: pool.projectId, poolName: pool.name };
    if (changed.length > 0) await this.ctx.backend.applyMetadata(ref, changed);
    if (deleting.length > 0) await this.ctx.backend.deleteNodes(ref, deleting);
  }
}

/** Labels, taints, tags, locks, a drain or a scheduled driver upgrade: what a machine's metadata shows. */
function changesMetadata(delta: NodeDelta): boolean {
  return (
    delta.setLabels !== undefined ||
    delta.removeTaints !== undefined ||
    delta.addTaints !== undefined ||
    delta.upsertTags !== undefined ||
    delta.deleteTags !== undefined ||
    delta.setLockedActions !== undefined ||
    delta.drain !== undefined ||
    delta.driverUpgrade !== undefined
  );
}
