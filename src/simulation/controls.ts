import { checkNodeNameList } from '../domain/node-name.js';
import { workloadRefusal } from '../domain/node-lifecycle.js';
import type { NodePhase } from '../domain/node.js';
import { toTimestamp, type Clock } from '../domain/time.js';
import type { Node } from '../schemas/node.js';
import { errors } from '../errors/catalogue.js';
import type { Caller } from '../service/context.js';
import type { FlavorCatalogue } from '../service/node-backend.js';
import { renderNode } from '../service/render.js';
import type { PoolRecord } from '../store/pools.js';
import type { FaultRule, FaultRuleBody } from '../schemas/simulation.js';
import type { FaultRuleRecord, SimulationStore } from './simulation-store.js';

/** What the simulation's routes do: a simulated node's phase and running work, and fault injection. */
export class SimulationControls {
  constructor(
    private readonly store: SimulationStore,
    private readonly clock: Clock,
    private readonly flavors: FlavorCatalogue,
  ) {}

  /** 404 for an unknown node. */
  async setPhase(pool: PoolRecord, nodeName: string, phase: NodePhase): Promise<void> {
    if (!(await this.store.setNodePhase(pool.id, nodeName, phase))) throw errors.notFound('Node', nodeName);
  }

  /** Work may always go down; it grows only on a node that takes new work (workloadRefusal), else 400. */
  async setWorkload(pool: PoolRecord, nodeName: string, runningJobs: number, caller: Caller): Promise<Node> {
    const result = await this.store.setRunningJobs(pool.id, nodeName, runningJobs, (node) => workloadRefusal(node, runningJobs));
    if (result.kind === 'not-found') throw errors.notFound('Node', nodeName);
    if (result.kind === 'refused') throw errors.badRequest(result.detail);
    return renderNode(result.node, { accountId: caller.accountId, projectId: pool.projectId }, this.flavors);
  }

  async createFault(projectId: string, body: FaultRuleBody): Promise<FaultRule> {
    const problem = body.match.nodes ? checkNodeNameList(body.match.nodes, 'match.nodes') : null;
    if (problem) throw errors.badRequest(problem);
    const rule = await this.store.createFaultRule({
      projectId,
      pool: body.match.pool ?? null,
      nodes: body.match.nodes ?? null,
      fail: body.fail,
      times: body.times ?? 1,
      createdAt: this.clock.now(),
    });
    return renderFaultRule(rule);
  }

  async listFaults(projectId: string): Promise<FaultRule[]> {
    return (await this.store.listFaultRules(projectId)).map(renderFaultRule);
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
