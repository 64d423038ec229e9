import { ANNOTATION_LOCK, ANNOTATION_TAGS } from '../domain/node.js';
import { renderTagsAnnotation } from '../domain/tags.js';
import { toTimestamp } from '../domain/time.js';
import type { Node } from '../schemas/node.js';
import type { Pool } from '../schemas/pool.js';
import { LABEL_WORKSPACE } from '../schemas/pool.js';
import { flavorProfile } from '../simulation/flavors.js';
import type { FlavorPhaseCount, NodeRecord, PoolRecord } from '../store/store.js';

export interface Tenancy {
  accountId: string;
  projectId: string;
}

/** The ModelArts Node object for a stored node. Tags, locks and HA show as annotations, labels and taints. */
export function renderNode(node: NodeRecord, tenancy: Tenancy): Node {
  const labels: Record<string, string> = {
    'os.modelarts/tenant.domain.id': tenancy.accountId,
    'os.modelarts/tenant.project.id': tenancy.projectId,
    ...(node.nodePool ? { 'os.modelarts.node/nodepoolname': node.nodePool } : {}),
    ...node.labels,
  };
  const annotations: Record<string, string> = {};
  if (node.tags.length > 0) annotations[ANNOTATION_TAGS] = renderTagsAnnotation(node.tags);
  if (node.lockedActions.length > 0) annotations[ANNOTATION_LOCK] = node.lockedActions.join(',');
  const profile = flavorProfile(node.flavor);
  return {
    apiVersion: 'v2',
    kind: 'Node',
    metadata: { name: node.name, creationTimestamp: toTimestamp(node.createdAt), labels, annotations },
    spec: { flavor: node.flavor, ...(node.nodePool ? { extendParams: { nodePoolName: node.nodePool } } : {}) },
    status: {
      phase: node.phase,
      az: node.az,
      privateIp: node.privateIp,
      resources: profile.resources,
      availableResources: profile.availableResources,
      ...(node.driver ? { driver: { version: node.driver.version, phase: node.driver.phase } } : {}),
      taints: node.taints,
    },
  };
}

const STATUS_BUCKET = { Creating: 'creating', Available: 'available', Abnormal: 'abnormal', Checking: 'abnormal', Deleting: 'deleting' } as const;

/** The ModelArts Pool object; `status.resources` is derived from the nodes' phases, never stored. */
export function renderPool(pool: PoolRecord, counts: FlavorPhaseCount[], accountId: string): Pool {
  const resources: Pool['status']['resources'] = {};
  for (const c of counts) {
    if (c.poolId !== pool.id) continue;
    const bucket = (resources[STATUS_BUCKET[c.phase]] ??= []);
    const entry = bucket.find((e) => e.flavor === c.flavor);
    if (entry) entry.count += c.count;
    else bucket.push({ flavor: c.flavor, count: c.count });
  }
  const scopeState = pool.phase === 'Creating' ? 'Enabling' : pool.phase === 'Deleting' ? 'Disabling' : 'Enabled';
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: {
      name: pool.name,
      creationTimestamp: toTimestamp(pool.createdAt),
      ...(pool.deletedAt !== null ? { deletionTimestamp: toTimestamp(pool.deletedAt) } : {}),
      labels: {
        [LABEL_WORKSPACE]: '0',
        ...pool.labels,
        'os.modelarts/tenant.domain.id': accountId,
        'os.modelarts/tenant.project.id': pool.projectId,
      },
      annotations: pool.annotations,
    },
    spec: pool.spec,
    status: {
      phase: pool.phase,
      root: pool.name,
      resources,
      scope: pool.spec.scope.map((scopeType) => ({ scopeType, state: scopeState })),
    },
  };
}
