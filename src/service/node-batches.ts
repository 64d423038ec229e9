import { checkBatchUpdateRequest } from '../domain/batch-update-request.js';
import { checkNodeNameList } from '../domain/node-name.js';
import { planDelete, planDrain, planLock, planReboot, planUnlock, shrinkResources, withUpgradeEffects } from '../domain/node-lifecycle.js';
import { createdTagKeys, planBatchUpdate } from '../domain/node-update-planner.js';
import type { BatchUpdateBody } from '../schemas/batch-update.js';
import type { BatchLockBody } from '../schemas/batch-lock.js';
import type { PoolName } from '../store/pools.js';
import type { Caller, ServiceContext } from './context.js';
import { NodeChanges, type BatchCall, type BatchOutcome } from './node-changes.js';

/**
 * What the batch-update planner reads: HA actions the taints, createTags a count of the tags it keeps, deleteTags
 * nothing; a driver upgrade also the drivers and the fault rules.
 */
function batchUpdateNeeds(body: BatchUpdateBody): Pick<BatchCall<'batch'>, 'taints' | 'countTagsBesides' | 'driver' | 'faults'> {
  const upgrade = body.driver !== undefined;
  const driver = { driver: upgrade, faults: upgrade };
  switch (body.action) {
    case 'openHaRedundant':
    case 'closeHaRedundant':
      return { taints: true, ...driver };
    case 'createTags':
      return { countTagsBesides: createdTagKeys(body), ...driver };
    case 'deleteTags':
      return driver;
  }
}

/** The batch calls on a pool's nodes, each a description of its checks and planner for the one pipeline (NodeChanges). */
export class NodeBatchService {
  private readonly changes: NodeChanges;

  constructor(private readonly ctx: ServiceContext) {
    this.changes = new NodeChanges(ctx);
  }

  /** BatchUpdatePoolNodes: HA, tags and an optional driver upgrade, each node on its own. */
  update(pool: PoolName, body: BatchUpdateBody, caller: Caller, requestId: string): Promise<BatchOutcome> {
    return this.changes.run(
      pool,
      {
        operation: 'BatchUpdatePoolNodes',
        action: body.action,
        problem: checkBatchUpdateRequest(body),
        nodeNames: body.nodeNames,
        read: 'batch',
        ...batchUpdateNeeds(body),
        plan: (nodes, context, now) => ({ decisions: withUpgradeEffects(planBatchUpdate(body, nodes, now), context.faults, now) }),
      },
      caller,
      requestId,
    );
  }

  lock(pool: PoolName, body: BatchLockBody, caller: Caller, requestId: string, unlock: boolean): Promise<BatchOutcome> {
    return this.changes.run(
      pool,
      {
        operation: unlock ? 'BatchUnlockPoolNodes' : 'BatchLockPoolNodes',
        action: body.actions.join(','),
        problem: checkNodeNameList(body.nodeNames, 'nodeNames'),
        nodeNames: body.nodeNames,
        read: 'lifecycle',
        taints: true,
        plan: (nodes) => ({ decisions: unlock ? planUnlock(body.nodeNames, nodes, body.actions) : planLock(body.nodeNames, nodes, body.actions) }),
      },
      caller,
      requestId,
    );
  }

  /** All or nothing: a refused request answers 400 and writes nothing (see planDelete). */
  delete(pool: PoolName, names: string[], caller: Caller, requestId: string): Promise<BatchOutcome> {
    return this.changes.run(
      pool,
      {
        operation: 'BatchDeletePoolNodes',
        action: null,
        problem: checkNodeNameList(names, 'deleteNodeNames'),
        nodeNames: names,
        read: 'lifecycle',
        taints: true,
        lockPool: true,
        plan: (nodes, context, now) => {
          const { spec, liveNodes } = context.pool!;
          const plan = planDelete(names, nodes, liveNodes, this.ctx.backend.deletingUntil(now));
          if (!plan.ok) return { refused: { detail: plan.detail, failures: plan.failures } };
          const removed = plan.decisions.flatMap((d) => (d.ok && d.delta.setPhase ? [nodes.get(d.name)!] : []));
          return { decisions: plan.decisions, spec: { ...spec, resources: shrinkResources(spec.resources, removed) } };
        },
      },
      caller,
      requestId,
    );
  }

  reboot(pool: PoolName, names: string[], caller: Caller, requestId: string): Promise<BatchOutcome> {
    return this.changes.run(
      pool,
      {
        operation: 'BatchRebootPoolNodes',
        action: null,
        problem: checkNodeNameList(names, 'nodeNames'),
        nodeNames: names,
        read: 'lifecycle',
        taints: true,
        faults: true,
        plan: (nodes, context) => ({ decisions: planReboot(names, nodes, context.faults) }),
      },
      caller,
      requestId,
    );
  }

  drain(pool: PoolName, names: string[], caller: Caller, requestId: string): Promise<BatchOutcome> {
    return this.changes.run(
      pool,
      {
        operation: 'BatchDrainPoolNodes',
        action: null,
        problem: checkNodeNameList(names, 'nodeNames'),
        nodeNames: names,
        read: 'lifecycle',
        taints: true,
        plan: (nodes, _context, now) => ({ decisions: planDrain(names, nodes, now, this.ctx.backend.drainedBy(now)) }),
      },
      caller,
      requestId,
    );
  }
}
