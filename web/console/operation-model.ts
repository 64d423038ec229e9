/** The operations views' model: plain functions, unit-tested in test/console/operation-model.test.ts. */
import { waitKindOf, type NodeOutcome } from '../../src/domain/operation-progress.js';
import type { OperationCompletion, OperationSummary } from '../lib/types.js';

/** What each kind of operation does, in the words the console uses. */
const KIND_LABELS: Record<string, string> = {
  BatchUpdatePoolNodes: 'Update nodes',
  BatchDeletePoolNodes: 'Delete nodes',
  BatchLockPoolNodes: 'Lock nodes',
  BatchUnlockPoolNodes: 'Unlock nodes',
  BatchRebootPoolNodes: 'Reboot nodes',
  BatchDrainPoolNodes: 'Drain nodes',
  PatchPool: 'Pool driver upgrade',
};

const ACTION_LABELS: Record<string, string> = {
  openHaRedundant: 'open HA',
  closeHaRedundant: 'close HA',
  createTags: 'add tags',
  deleteTags: 'delete tags',
  driverUpgrade: 'upgrade the driver',
  delete: 'delete',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** e.g. `Update nodes: add tags`. */
export function operationTitle(summary: Pick<OperationSummary, 'operation' | 'action'>): string {
  const kind = kindLabel(summary.operation);
  if (summary.action === null || summary.operation === 'PatchPool') return kind;
  return `${kind}: ${ACTION_LABELS[summary.action] ?? summary.action}`;
}

/** The display name of a pool id (`demo-<project id>` → `demo`). */
export function poolDisplayName(poolId: string, projectId: string): string {
  return poolId.endsWith(`-${projectId}`) ? poolId.slice(0, -projectId.length - 1) : poolId;
}

/** Drains and deletions: their records do not track their nodes' ends, the nodes' state does. */
export function followsNodes(summary: Pick<OperationSummary, 'operation'>): boolean {
  const wait = waitKindOf(summary.operation);
  return wait === 'drain' || wait === 'delete';
}

export type OperationState = 'running' | 'done' | 'failed' | 'unknown';

/** Where an operation stands as a whole: running while any node's work goes on, then done or done with failures. */
export function operationState(completion: OperationCompletion | null | undefined): OperationState {
  if (!completion) return 'unknown';
  if (completion.pending > 0) return 'running';
  return completion.failed > 0 ? 'failed' : 'done';
}

export const STATE_LABELS: Record<OperationState, string> = { running: 'In progress', done: 'Done', failed: 'Done, with failures', unknown: 'Checking…' };

/** One line for a progress bar's text and accessible name, e.g. `3 of 5 done, 1 failed, 1 in progress`. */
export function completionText(c: OperationCompletion): string {
  const total = c.succeeded + c.failed + c.pending;
  return [`${c.succeeded} of ${total} done`, ...(c.failed > 0 ? [`${c.failed} failed`] : []), ...(c.pending > 0 ? [`${c.pending} in progress`] : [])].join(', ');
}

/** The completion of a drain or deletion from its nodes' outcomes (src/domain/operation-progress.ts). */
export function completionOf(outcomes: Iterable<NodeOutcome>): OperationCompletion {
  const c = { succeeded: 0, failed: 0, pending: 0 };
  for (const o of outcomes) {
    if (o.status === 'in-progress') c.pending++;
    else c[o.status]++;
  }
  return c;
}

/** Outcomes to show first: failures, then the ones still going on, then the rest, each in record order. */
export function byConcern<T extends { status: NodeOutcome['status'] }>(outcomes: readonly T[]): T[] {
  const rank = (o: T) => (o.status === 'failed' ? 0 : o.status === 'in-progress' ? 1 : 2);
  return outcomes
    .map((o, i) => [o, i] as const)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([o]) => o);
}

/** `#/operations?pool=…&kind=…` and `#/operations/<id>`. */
export function readOperationsRoute(hash: string): { id: string } | { pool: string; kind: string } | null {
  const detail = /^#\/operations\/([0-9a-f-]{36})$/.exec(hash);
  if (detail) return { id: detail[1]! };
  const list = /^#\/operations(?:\?(.*))?$/.exec(hash);
  if (!list) return null;
  const query = new URLSearchParams(list[1] ?? '');
  return { pool: query.get('pool') ?? '', kind: query.get('kind') ?? '' };
}

export function operationsHash(filter: { pool: string; kind: string }): string {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ''));
  return `#/operations${query.size > 0 ? `?${query}` : ''}`;
}
