import type { PoolResource } from '../schemas/pool.js';
import type { NodePhase } from './node.js';

export interface NodeToCreate {
  flavor: string;
  az: string;
  nodePool: string | null;
}

export interface ExistingNode {
  id: number;
  flavor: string;
  nodePool: string | null;
  phase: NodePhase;
  lockedActions: string[];
}

export type ScalingPlan = { ok: true; create: NodeToCreate[]; remove: number[] } | { ok: false; detail: string };

function groupKey(flavor: string, nodePool: string | null | undefined): string {
  return nodePool ? `${flavor}\u0000${nodePool}` : flavor;
}

/** Rules on `spec.resources` beyond the schema; returns a detail naming the field, or null. */
export function checkPoolResources(resources: PoolResource[], maxPoolNodes: number): string | null {
  const seen = new Set<string>();
  let total = 0;
  for (const [i, r] of resources.entries()) {
    const key = groupKey(r.flavor, r.nodePool);
    if (seen.has(key)) return `spec.resources[${i}]: flavor ${r.flavor}${r.nodePool ? ` in node pool ${r.nodePool}` : ''} appears twice`;
    seen.add(key);
    if (r.maxCount !== undefined && r.maxCount !== r.count) return `spec.resources[${i}].maxCount must equal count for a physical pool`;
    if (r.azs && r.azs.length > 0) {
      const sum = r.azs.reduce((n, a) => n + a.count, 0);
      if (sum !== r.count) return `spec.resources[${i}].azs: the az counts add up to ${sum}, not to count ${r.count}`;
    }
    total += r.count;
  }
  if (total > maxPoolNodes) return `spec.resources: ${total} nodes requested; a pool holds at most ${maxPoolNodes}`;
  return null;
}

/** Up to `howMany` nodes of `resource` (none when it is 0 or less): its azs in the order listed, then the default az. */
function nodesFor(resource: PoolResource, howMany: number, defaultAz: string): NodeToCreate[] {
  const out: NodeToCreate[] = [];
  const nodePool = resource.nodePool ?? null;
  if (resource.azs) {
    for (const { az, count } of resource.azs) {
      for (let i = 0; i < count && out.length < howMany; i++) out.push({ flavor: resource.flavor, az, nodePool });
    }
  }
  while (out.length < howMany) out.push({ flavor: resource.flavor, az: defaultAz, nodePool });
  return out;
}

/** The nodes a new pool starts with. */
export function planInitialNodes(resources: PoolResource[], defaultAz: string): NodeToCreate[] {
  return resources.flatMap((r) => nodesFor(r, r.count, defaultAz));
}

const REMOVAL_PREFERENCE: Record<NodePhase, number> = { Abnormal: 0, Creating: 1, Checking: 2, Available: 3, Deleting: 4 };

/**
 * What changes when a pool's resources become `resources`: new nodes for groups that grow, and for groups
 * that shrink (or disappear) the nodes to delete — unlocked ones only, unhealthy and newest first.
 * `existing` must be ordered newest first; nodes already Deleting are not counted.
 */
export function planScaling(existing: ExistingNode[], resources: PoolResource[], defaultAz: string): ScalingPlan {
  const live = new Map<string, ExistingNode[]>();
  for (const node of existing) {
    if (node.phase === 'Deleting') continue;
    const key = groupKey(node.flavor, node.nodePool);
    const group = live.get(key);
    if (group) group.push(node);
    else live.set(key, [node]);
  }
  const create: NodeToCreate[] = [];
  const remove: number[] = [];
  const wanted = new Map(resources.map((r) => [groupKey(r.flavor, r.nodePool), r]));
  for (const r of resources) {
    const have = live.get(groupKey(r.flavor, r.nodePool))?.length ?? 0;
    create.push(...nodesFor(r, r.count - have, defaultAz));
  }
  for (const [key, nodes] of live) {
    const target = wanted.get(key)?.count ?? 0;
    const excess = nodes.length - target;
    // Stryker disable next-line EqualityOperator: with an excess of 0 nothing is removed either way
    if (excess <= 0) continue;
    // sort is stable: within a phase the nodes stay newest first
    const removable = nodes.filter((n) => n.lockedActions.length === 0).sort((a, b) => REMOVAL_PREFERENCE[a.phase] - REMOVAL_PREFERENCE[b.phase]);
    if (removable.length < excess) {
      const flavor = nodes[0]!.flavor;
      return { ok: false, detail: `spec.resources: cannot scale flavor ${flavor} down to ${target}: ${nodes.length - removable.length} of its nodes are locked` };
    }
    for (const n of removable.slice(0, excess)) remove.push(n.id);
  }
  return { ok: true, create, remove };
}
