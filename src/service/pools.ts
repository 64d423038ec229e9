import { randomInt } from 'node:crypto';
import { checkMetadataKeys } from '../domain/metadata-keys.js';
import { DEFAULT_NODE_PREFIX, newNodeName, poolName } from '../domain/naming.js';
import { checkPoolResources, planInitialNodes, planScaling, type NodeToCreate } from '../domain/pool-scaling.js';
import { planPoolDriverUpgrade, poolDriverTargets, withUpgradeEffects } from '../domain/node-lifecycle.js';
import { DEFAULT_DRIVER_UPDATE_STRATEGY } from '../domain/node-update-planner.js';
import { errors } from '../errors/catalogue.js';
import {
  LABEL_NODE_PREFIX,
  LABEL_POOL_DISPLAY_NAME,
  LABEL_WORKSPACE,
  type CreatePoolBody,
  type ListPoolsQuery,
  type PatchPoolBody,
  type Pool,
  type PoolSpec,
} from '../schemas/pool.js';
import { PoolExistsError, type NewNode, type PoolRecord } from '../store/pools.js';
import type { Caller, ServiceContext } from './context.js';
import { NodeChanges } from './node-changes.js';
import { renderPool, renderPoolLabels } from './render.js';

export class PoolService {
  private readonly changes: NodeChanges;

  constructor(private readonly ctx: ServiceContext) {
    this.changes = new NodeChanges(ctx);
  }

  private get defaultAz(): string {
    return `${this.ctx.config.region}a`;
  }

  async render(pool: PoolRecord, caller: Caller): Promise<Pool> {
    const { phases, drivers } = await this.ctx.store.pools.nodeCounts([pool.id]);
    return renderPool(pool, phases, drivers, caller.accountId, this.ctx.backend);
  }

  /** ShowPool: the pool and its node counts in one read, or 404 ModelArts.50015001. */
  async show(projectId: string, name: string, caller: Caller): Promise<Pool> {
    const shown = await this.ctx.store.pools.show({ projectId, name });
    if (!shown) throw errors.poolNotFound();
    return renderPool(shown.pool, shown.counts.phases, shown.counts.drivers, caller.accountId, this.ctx.backend);
  }

  /** The pool, or errors.poolNotFound(). */
  async require(projectId: string, name: string): Promise<PoolRecord> {
    const pool = await this.ctx.store.pools.get({ projectId, name });
    if (!pool) throw errors.poolNotFound();
    return pool;
  }

  async create(projectId: string, body: CreatePoolBody, caller: Caller): Promise<Pool> {
    const problem =
      checkMetadataKeys(body.metadata.labels, 'metadata.labels') ??
      checkMetadataKeys(body.metadata.annotations, 'metadata.annotations') ??
      checkPoolResources(body.spec.resources, this.ctx.config.limits.maxPoolNodes);
    if (problem) throw errors.badRequest(problem);
    const now = this.ctx.clock.now();
    const labels = { ...body.metadata.labels };
    const prefix = labels[LABEL_NODE_PREFIX] ?? DEFAULT_NODE_PREFIX;
    const nodes = this.newNodes(planInitialNodes(body.spec.resources, this.defaultAz), prefix, new Set(), body.spec, now);
    const name = poolName(labels[LABEL_POOL_DISPLAY_NAME], projectId);
    try {
      const pool = await this.ctx.store.pools.create(
        {
          projectId,
          name,
          phase: nodes.some((n) => n.phase === 'Creating') ? 'Creating' : 'Running',
          labels,
          annotations: body.metadata.annotations ?? {},
          spec: body.spec,
          createdAt: now,
          resourceVersion: 1,
        },
        nodes,
      );
      return await this.render(pool, caller);
    } catch (error) {
      if (error instanceof PoolExistsError) throw errors.poolExists();
      throw error;
    }
  }

  async list(projectId: string, query: ListPoolsQuery, caller: Caller): Promise<Pool[]> {
    const selector = query.labelSelector ? parseLabelSelector(query.labelSelector) : [];
    const pools = (await this.ctx.store.pools.list(projectId)).filter((p) => {
      const labels = renderPoolLabels(p, caller.accountId);
      return (
        selector.every((term) => term(labels)) &&
        (query.workspaceId === undefined || labels[LABEL_WORKSPACE] === query.workspaceId) &&
        (query.status === undefined || (POOL_STATUS_FILTER[query.status] as readonly string[]).includes(p.phase))
      );
    });
    const ids = pools.map((p) => p.id);
    const { phases, drivers } = await this.ctx.store.pools.nodeCounts(ids);
    return pools.map((p) => renderPool(p, phases, drivers, caller.accountId, this.ctx.backend));
  }

  /**
   * Merge-patches the pool. Scaling applies with the pool row; a `spec.driver` version then schedules upgrades of
   * the nodes of that accelerator whose driver differs, recorded in an operation (`operationId`) like a batch call.
   */
  async patch(projectId: string, name: string, body: PatchPoolBody, caller: Caller, requestId: string): Promise<{ pool: Pool; operationId: string | null }> {
    for (let attempt = 0; ; attempt++) {
      const pool = await this.require(projectId, name);
      const keyProblem =
        checkMetadataKeys(body.metadata?.labels, 'metadata.labels', pool.labels) ??
        checkMetadataKeys(body.metadata?.annotations, 'metadata.annotations', pool.annotations);
      if (keyProblem) throw errors.badRequest(keyProblem);
      if (pool.phase === 'Deleting') throw errors.badRequest(`pool ${name} is being deleted`);
      const labels = mergePatch(pool.labels, body.metadata?.labels);
      if (labels[LABEL_POOL_DISPLAY_NAME] !== pool.labels[LABEL_POOL_DISPLAY_NAME]) {
        throw errors.badRequest(`metadata.labels["${LABEL_POOL_DISPLAY_NAME}"] cannot be changed`);
      }
      if (labels[LABEL_NODE_PREFIX] !== pool.labels[LABEL_NODE_PREFIX]) throw errors.badRequest(`metadata.labels["${LABEL_NODE_PREFIX}"] cannot be changed`);
      const annotations = mergePatch(pool.annotations, body.metadata?.annotations);
      const spec: PoolSpec = {
        ...pool.spec,
        ...(body.spec?.scope ? { scope: body.spec.scope } : {}),
        ...(body.spec?.resources ? { resources: body.spec.resources } : {}),
        ...(body.spec?.driver ? { driver: { ...pool.spec.driver, ...body.spec.driver } } : {}),
      };
      const now = this.ctx.clock.now();
      let addNodes: NewNode[] = [];
      let deleteNodeIds: number[] = [];
      if (body.spec?.resources) {
        const problem = checkPoolResources(body.spec.resources, this.ctx.config.limits.maxPoolNodes);
        if (problem) throw errors.badRequest(problem);
        const existing = await this.ctx.store.pools.nodesForScaling(pool.id);
        const plan = planScaling(existing, body.spec.resources, this.defaultAz);
        if (!plan.ok) throw errors.badRequest(plan.detail);
        const taken = await this.ctx.store.pools.nodeNames(pool.id);
        addNodes = this.newNodes(plan.create, pool.labels[LABEL_NODE_PREFIX] ?? DEFAULT_NODE_PREFIX, taken, spec, now);
        deleteNodeIds = plan.remove;
      }
      const applied = await this.ctx.store.pools.scale(pool.id, pool.resourceVersion, {
        spec,
        labels,
        annotations,
        addNodes,
        deleteNodeIds,
        deleteUntil: this.ctx.backend.deletingUntil(now),
        now,
      });
      if (applied) {
        const operationId = body.spec?.driver ? await this.upgradeDrivers(pool, body.spec.driver, spec, caller, requestId) : null;
        return { pool: await this.render(await this.require(projectId, name), caller), operationId };
      }
      if (attempt >= 4) throw errors.conflict(`pool ${name} is being changed by another request; retry`);
    }
  }

  async delete(projectId: string, name: string, caller: Caller): Promise<Pool> {
    const pool = await this.require(projectId, name);
    if (pool.phase === 'Deleting') return this.render(pool, caller);
    const now = this.ctx.clock.now();
    await this.ctx.store.pools.markDeleting(pool.id, now, this.ctx.backend.deletingUntil(now));
    // Answer from what was marked: without a deletion delay the background loop may remove the pool at once, and a
    // re-read would then answer 404 for a delete that succeeded.
    return this.render({ ...pool, phase: 'Deleting', deletedAt: now }, caller);
  }

  private async upgradeDrivers(pool: PoolRecord, patch: NonNullable<PoolSpec['driver']>, spec: PoolSpec, caller: Caller, requestId: string): Promise<string | null> {
    const nodes = (await this.ctx.store.nodes.drivers(pool.id)).map((n) => ({ ...n, accelerator: this.ctx.backend.flavor(n.flavor).accelerator }));
    const targets = poolDriverTargets(nodes, { gpu: patch.gpuVersion, npu: patch.npuVersion });
    if (targets.size === 0) return null;
    const strategy = spec.driver?.updateStrategy ?? DEFAULT_DRIVER_UPDATE_STRATEGY;
    const { operationId } = await this.changes.run(
      { projectId: pool.projectId, name: pool.name },
      {
        operation: 'PatchPool',
        action: 'driverUpgrade',
        problem: null,
        nodeNames: [...targets.keys()],
        read: 'lifecycle',
        taints: true,
        faults: true,
        plan: (nodes, context, now) => ({ decisions: withUpgradeEffects(planPoolDriverUpgrade(targets, nodes, strategy), context.faults, now) }),
      },
      caller,
      requestId,
    );
    return operationId;
  }

  private newNodes(planned: NodeToCreate[], prefix: string, taken: Set<string>, spec: PoolSpec, now: number): NewNode[] {
    const { backend } = this.ctx;
    const until = backend.creatingUntil(now);
    return planned.map((n) => {
      const accelerator = backend.flavor(n.flavor).accelerator;
      const driverVersion =
        accelerator === null ? null : ((accelerator === 'gpu' ? spec.driver?.gpuVersion : spec.driver?.npuVersion) ?? backend.defaultDriverVersion(accelerator));
      return {
        name: newNodeName(prefix, taken),
        flavor: n.flavor,
        az: n.az,
        privateIp: `192.168.${randomInt(256)}.${randomInt(2, 255)}`,
        nodePool: n.nodePool,
        phase: until === null ? 'Available' : 'Creating',
        phaseUntil: until,
        driverVersion,
      };
    });
  }
}

const POOL_STATUS_FILTER = {
  created: ['Running', 'Abnormal'],
  creating: ['Creating'],
  failed: ['Error'],
} as const satisfies Record<string, readonly string[]>;

/** RFC 7386 for a flat string map: null removes a key. */
function mergePatch(current: Record<string, string>, patch: Record<string, string | null> | undefined): Record<string, string> {
  if (!patch) return current;
  const out = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

type LabelTerm = (labels: Record<string, string>) => boolean;

/** Kubernetes equality-based selectors: `k=v`, `k==v`, `k!=v`, `k` (exists), `!k` (absent), comma-joined (AND). */
function parseLabelSelector(selector: string): LabelTerm[] {
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term): LabelTerm => {
      const ne = term.indexOf('!=');
      if (ne > 0) {
        const key = term.slice(0, ne).trim();
        const value = term.slice(ne + 2).trim();
        return (labels) => !Object.hasOwn(labels, key) || labels[key] !== value;
      }
      const eq = term.indexOf('=');
      if (eq > 0) {
        const key = term.slice(0, eq).trim();
        const value = term.slice(term[eq + 1] === '=' ? eq + 2 : eq + 1).trim();
        return (labels) => Object.hasOwn(labels, key) && labels[key] === value;
      }
      if (term.startsWith('!')) {
        const key = term.slice(1).trim();
        return (labels) => !Object.hasOwn(labels, key);
      }
      if (eq === 0 || ne === 0) throw errors.badRequest(`labelSelector: "${term}" has no key`);
      return (labels) => Object.hasOwn(labels, term);
    });
}
