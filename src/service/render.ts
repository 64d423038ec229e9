import { ANNOTATION_DRAIN, ANNOTATION_LOCK, ANNOTATION_TAGS } from '../domain/node.js';
import { poolDriverState } from '../domain/node-lifecycle.js';
import { renderTagsAnnotation } from '../domain/tags.js';
import { toTimestamp } from '../domain/time.js';
import type { Node } from '../schemas/node.js';
import type { Pool } from '../schemas/pool.js';
import { LABEL_WORKSPACE } from '../schemas/pool.js';
import type { NodeRecord } from '../store/node-rows.js';
import type { OperationMeta, OperationOutcome, OperationRecord } from '../store/operations.js';
import type { FlavorPhaseCount, NodeDriverCount, PoolRecord } from '../store/pools.js';
import type { FlavorCatalogue } from './node-backend.js';

/** The API objects the services answer with, from the store's records: what `server/` sends as it is. */

interface Tenancy {
  accountId: string;
  projectId: string;
}

/**
 * The ModelArts Node object for a stored node. Tags, locks and HA show as annotations, labels and taints; its
 * capacity is what the node backend says a node of its flavor offers.
 */
export function renderNode(node: NodeRecord, tenancy: Tenancy, flavors: FlavorCatalogue): Node {
  const labels: Record<string, string> = {
    'os.modelarts/tenant.domain.id': tenancy.accountId,
    'os.modelarts/tenant.project.id': tenancy.projectId,
    ...(node.nodePool ? { 'os.modelarts.node/nodepoolname': node.nodePool } : {}),
    ...node.labels,
  };
  const annotations: Record<string, string> = {};
  if (node.tags.length > 0) annotations[ANNOTATION_TAGS] = renderTagsAnnotation(node.tags);
  if (node.lockedActions.length > 0) annotations[ANNOTATION_LOCK] = node.lockedActions.join(',');
  if (node.drained) annotations[ANNOTATION_DRAIN] = node.runningJobs > 0 ? 'Draining' : 'Drained';
  const profile = flavors.flavor(node.flavor);
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

/**
 * The labels a client reads on a pool: the stored ones, the workspace (`0` unless set) and the tenancy ids. ListPools'
 * `labelSelector` and `workspaceId` filter on exactly these.
 */
export function renderPoolLabels(pool: PoolRecord, accountId: string): Record<string, string> {
  return {
    [LABEL_WORKSPACE]: '0',
    ...pool.labels,
    'os.modelarts/tenant.domain.id': accountId,
    'os.modelarts/tenant.project.id': pool.projectId,
  };
}

const STATUS_BUCKET = { Creating: 'creating', Available: 'available', Abnormal: 'abnormal', Checking: 'abnormal', Deleting: 'deleting' } as const;

/** The ModelArts Pool object; `status.resources` is derived from the nodes' phases, never stored. */
export function renderPool(pool: PoolRecord, counts: FlavorPhaseCount[], drivers: NodeDriverCount[], accountId: string, flavors: FlavorCatalogue): Pool {
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
      labels: renderPoolLabels(pool, accountId),
      annotations: pool.annotations,
    },
    spec: pool.spec,
    status: {
      phase: pool.phase,
      root: pool.name,
      resources,
      scope: pool.spec.scope.map((scopeType) => ({ scopeType, state: scopeState })),
      ...renderPoolDriver(pool, drivers, flavors),
    },
  };
}

/**
 * `status.driver.gpu|npu` from the nodes of that accelerator that are not being deleted: the version is the pool's
 * `spec.driver` one, or the one most nodes run; the state is poolDriverState's.
 */
function renderPoolDriver(pool: PoolRecord, drivers: NodeDriverCount[], flavors: FlavorCatalogue): { driver?: NonNullable<Pool['status']['driver']> } {
  const driver: NonNullable<Pool['status']['driver']> = {};
  for (const accelerator of ['gpu', 'npu'] as const) {
    const rows = drivers.filter((d) => d.poolId === pool.id && flavors.flavor(d.flavor).accelerator === accelerator);
    if (rows.length === 0) continue;
    const byVersion = new Map<string, number>();
    for (const r of rows) if (r.driverVersion !== null) byVersion.set(r.driverVersion, (byVersion.get(r.driverVersion) ?? 0) + r.count);
    const common = [...byVersion].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
    const version = (accelerator === 'gpu' ? pool.spec.driver?.gpuVersion : pool.spec.driver?.npuVersion) ?? common;
    driver[accelerator] = { version, state: poolDriverState(pool.phase, rows, version) };
  }
  return Object.keys(driver).length > 0 ? { driver } : {};
}

/** What every view of an operation record shows first: who asked what of which pool, when, and how many nodes took it. */
export function renderOperationHead(record: OperationMeta & { successCount: number; failCount: number }) {
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
  };
}

/** The record of a batch call; a node whose asynchronous work (upgrade, reboot) has ended also shows how it ended. */
export function renderOperation(record: OperationRecord, outcomes: OperationOutcome[]) {
  const ended = new Map(outcomes.map((o) => [o.nodeName, o]));
  return {
    ...renderOperationHead(record),
    nodes: record.results.map((r) => {
      const outcome = ended.get(r.name);
      if (outcome === undefined) return r;
      const { status, errorCode, errorMsg, completedAt } = outcome;
      return { ...r, completion: { status, errorCode, errorMsg, completionTimestamp: toTimestamp(completedAt) } };
    }),
  };
}
