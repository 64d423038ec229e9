import { checkNodeName } from '../domain/batch-update-request.js';
import {
  planDelete,
  planDrain,
  planLock,
  planReboot,
  planUnlock,
  shrinkResources,
  workloadRefusal,
  type LifecycleNodeState,
} from '../domain/node-lifecycle.js';
import type { NodeDecision } from '../domain/node-update-planner.js';
import { toTimestamp } from '../domain/time.js';
import type { BatchLockBody, FaultRule, FaultRuleBody } from '../schemas/node-batch.js';
import type { Node } from '../schemas/node.js';
import { errors } from '../errors/catalogue.js';
import { renderNode } from '../server/render.js';
import { newOperationId } from '../store/sql-store.js';
import type { FaultRuleRecord, NodeChangeContext, NodeChangePlan, NodeStateNeeds, OperationMeta, PoolRecord } from '../store/store.js';
import type { Caller, ServiceContext } from './context.js';

export interface BatchOutcome {
  decisions: NodeDecision[];
  operationId: string;
}

/** Lock, unlock, delete, reboot and drain of pool nodes, plus the simulation controls (workload, faults). */
export class LifecycleService {
  constructor(private readonly ctx: ServiceContext) {}

  async lock(pool: PoolRecord, body: BatchLockBody, caller: Caller, requestId: string, unlock: boolean): Promise<BatchOutcome> {
    checkNames(body.nodeNames, 'nodeNames');
    const operation = this.operation(pool, unlock ? 'BatchUnlockPoolNodes' : 'BatchLockPoolNodes', body.actions.join(','), caller, requestId);
    const outcome = await this.run(pool, body.nodeNames, operation, {}, (nodes) =>
      unlock ? planUnlock(body.nodeNames, nodes, body.actions) : planLock(body.nodeNames, nodes, body.actions),
    );
    await this.applied(pool, outcome.decisions);
    return outcome;
  }

  /** All or nothing: a refused request answers 400 and writes nothing (see planDelete). */
  async delete(pool: PoolRecord, names: string[], caller: Caller, requestId: string): Promise<BatchOutcome> {
    checkNames(names, 'deleteNodeNames');
    const now = this.ctx.clock.now();
    const deleteUntil = now + this.ctx.config.simulation.nodeDeleteSeconds * 1000;
    const operation = this.operation(pool, 'BatchDeletePoolNodes', null, caller, requestId);
    const outcome = await this.run(pool, names, operation, { pool: true }, (nodes, context): NodeChangePlan => {
      const { spec, liveNodes } = context.pool!;
      const plan = planDelete(names, nodes, liveNodes, deleteUntil);
      if (!plan.ok) {
        this.ctx.events?.refused(operation, plan.failures);
        throw errors.badRequest(plan.detail);
      }
      const removed = plan.decisions.flatMap((d) => (d.ok && d.delta.setPhase ? [nodes.get(d.name)!] : []));
      return { decisions: plan.decisions, spec: { ...spec, resources: shrinkResources(spec.resources, removed) } };
    });
    const deleting = outcome.decisions.flatMap((d) => (d.ok && d.delta.setPhase ? [d.name] : []));
    if (deleting.length > 0) await this.ctx.backend.deleteNodes({ projectId: pool.projectId, poolName: pool.name }, deleting);
    return outcome;
  }

  async reboot(pool: PoolRecord, names: string[], caller: Caller, requestId: string): Promise<BatchOutcome> {
    checkNames(names, 'nodeNames');
    const operation = this.operation(pool, 'BatchRebootPoolNodes', null, caller, requestId);
    return this.run(pool, names, operation, { faults: true }, (nodes, context) => planReboot(names, nodes, context.faults));
  }

  async drain(pool: PoolRecord, names: string[], caller: Caller, requestId: string): Promise<BatchOutcome> {
    checkNames(names, 'nodeNames');
    const now = this.ctx.clock.now();
    const drainUntil = now + this.ctx.config.simulation.drainSeconds * 1000;
    const operation = this.operation(pool, 'BatchDrainPoolNodes', null, caller, requestId);
    const outcome = await this.run(pool, names, operation, {}, (nodes) => planDrain(names, nodes, now, drainUntil));
    await this.applied(pool, outcome.decisions);
    return outcome;
  }

  async setWorkload(pool: PoolRecord, nodeName: string, runningJobs: number, caller: Caller): Promise<Node> {
    const result = await this.ctx.store.setRunningJobs(pool.id, nodeName, runningJobs, (node) => workloadRefusal(node, runningJobs));
    if (result.kind === 'not-found') throw errors.notFound('Node', nodeName);
    if (result.kind === 'refused') throw errors.badRequest(result.detail);
    return renderNode(result.node, { accountId: caller.accountId, projectId: pool.projectId });
  }

  async createFault(projectId: string, body: FaultRuleBody): Promise<FaultRule> {
    if (body.match.nodes) checkNames(body.match.nodes, 'match.nodes');
    const rule = await this.ctx.store.createFaultRule({
      projectId,
      pool: body.match.pool ?? null,
      nodes: body.match.nodes ?? null,
      fail: body.fail,
      times: body.times ?? 1,
      createdAt: this.ctx.clock.now(),
    });
    return renderFaultRule(rule);
  }

  async listFaults(projectId: string): Promise<FaultRule[]> {
    return (await this.ctx.store.listFaultRules(projectId)).map(renderFaultRule);
  }

  private operation(pool: PoolRecord, operation: string, action: string | null, caller: Caller, requestId: string): OperationMeta {
    return {
      id: newOperationId(),
      projectId: pool.projectId,
      poolName: pool.name,
      operation,
      action,
      principal: caller.display,
      requestId,
      createdAt: this.ctx.clock.now(),
    };
  }

  private async run(
    pool: PoolRecord,
    names: string[],
    operation: OperationMeta,
    needs: NodeStateNeeds,
    decide: (nodes: ReadonlyMap<string, LifecycleNodeState>, context: NodeChangeContext) => NodeDecision[] | NodeChangePlan,
  ): Promise<BatchOutcome> {
    const decisions = await this.ctx.store.updateNodes(pool.id, names, { taints: true, ...needs }, decide, operation);
    this.ctx.events?.recorded(operation, decisions);
    return { decisions, operationId: operation.id };
  }

  /** Hands the nodes whose metadata changed to the backend. */
  private async applied(pool: PoolRecord, decisions: NodeDecision[]): Promise<void> {
    const changed = decisions.flatMap((d) => (d.ok ? [d.name] : []));
    if (changed.length > 0) await this.ctx.backend.applyMetadata({ projectId: pool.projectId, poolName: pool.name }, changed);
  }
}

/** Kubernetes node-name syntax and no duplicates, with a plain loop (up to 10,000 names). */
function checkNames(names: readonly string[], field: string): void {
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const reason = checkNodeName(names[i]!);
    if (reason !== null) throw errors.badRequest(`${field}[${i}]: ${reason}`);
    if (seen.has(names[i]!)) throw errors.badRequest(`${field}[${i}]: duplicate node name ${JSON.stringify(names[i])}`);
    seen.add(names[i]!);
  }
}

function renderFaultRule(rule: FaultRuleRecord): FaultRule {
  return {
    id: rule.id,
    match: { ...(rule.pool === null ? {} : { pool: rule.pool }), ...(rule.nodes === null ? {} : { nodes: rule.nodes }) },
    fail: rule.fail,
    times: rule.times,
    remaining: rule.remaining,
    creationTimestamp: toTimestamp(rule.createdAt),
  };
}
