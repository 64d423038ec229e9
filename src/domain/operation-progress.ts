import { nodeGone, nodeNotCreated, type NodeFailure } from '../errors/catalogue.js';
import { ANNOTATION_DRAIN } from './node.js';

/**
 * How the end of the work a call started on a node is seen:
 * - `completion`: the operation record's per-node `completion` (driver upgrades, reboots);
 * - `update`: as `completion`, but a node whose driver is not upgrading has nothing to wait for (a BatchUpdatePoolNodes
 *   or PatchPool record, which may or may not have carried a driver upgrade);
 * - `drain`: the node's `os.modelarts.node/drain` annotation reads `Drained` (its work reached zero);
 * - `delete`: the node is gone from the pool;
 * - `create`: a new node has left `Creating` (pool creation and scaling: `Available` succeeded, anything else failed);
 * - `none`: the call's change is complete when it answers (tags, HA, locks).
 */
export type WaitKind = 'none' | 'completion' | 'update' | 'drain' | 'delete' | 'create';

export type NodeStatus = 'succeeded' | 'failed' | 'in-progress';

export interface NodeOutcome {
  name: string;
  status: NodeStatus;
  errorCode?: string;
  errorMsg?: string;
  operationId: string;
}

/** A node's entry in an operation record, as GET .../operations/{id} answers it. */
export interface RecordEntry {
  name: string;
  status: string;
  errorCode?: string;
  errorMsg?: string;
  completion?: { status: string; errorCode?: string; errorMsg?: string };
}

/** What the progress rules read of a node. */
export interface NodeView {
  metadata: { name: string; annotations: Record<string, string> };
  status: { phase: string; driver?: { phase: string } };
}

/** Where progress is read from: the operations extension and the nodes' current state. */
export interface ProgressSource {
  operation(id: string): Promise<{ nodes: RecordEntry[] }>;
  /** The current state of these nodes of the pool; a node that is gone is absent. */
  nodes(pool: string, names: readonly string[]): Promise<ReadonlyMap<string, NodeView>>;
}

function failed(outcome: NodeOutcome, failure: NodeFailure): NodeOutcome {
  return { ...outcome, status: 'failed', errorCode: failure.code, errorMsg: failure.message };
}

/** What waiting for an operation means, by the operation that wrote its record. */
export function waitKindOf(operation: string): WaitKind {
  switch (operation) {
    case 'BatchRebootPoolNodes':
      return 'completion';
    case 'BatchUpdatePoolNodes':
    case 'PatchPool':
      return 'update';
    case 'BatchDrainPoolNodes':
      return 'drain';
    case 'BatchDeletePoolNodes':
      return 'delete';
    default:
      return 'none';
  }
}

/** A node's outcome from its entry in an operation record. */
export function outcomeOfEntry(entry: RecordEntry, operationId: string, wait: WaitKind): NodeOutcome {
  if (entry.status !== 'success') return { name: entry.name, status: 'failed', errorCode: entry.errorCode, errorMsg: entry.errorMsg, operationId };
  if (entry.completion) {
    const { status, errorCode, errorMsg } = entry.completion;
    return status === 'failed' ? { name: entry.name, status: 'failed', errorCode, errorMsg, operationId } : { name: entry.name, status: 'succeeded', operationId };
  }
  return { name: entry.name, status: wait === 'none' ? 'succeeded' : 'in-progress', operationId };
}

/** Outcomes of every node of an operation record, by node name. */
export function outcomesOf(record: { id: string; nodes: readonly RecordEntry[] }, wait: WaitKind): Map<string, NodeOutcome> {
  return new Map(record.nodes.map((entry) => [entry.name, outcomeOfEntry(entry, record.id, wait)]));
}

/** How a node's current state (undefined: gone) ends an in-progress outcome; null while its work goes on. */
export function settleByNode(outcome: NodeOutcome, node: NodeView | undefined, wait: WaitKind): NodeOutcome | null {
  if (wait === 'delete') return node ? null : { ...outcome, status: 'succeeded' };
  if (!node) return failed(outcome, nodeGone(outcome.name));
  switch (wait) {
    case 'drain':
      return node.metadata.annotations[ANNOTATION_DRAIN] === 'Drained' ? { ...outcome, status: 'succeeded' } : null;
    case 'create':
      if (node.status.phase === 'Creating') return null;
      return node.status.phase === 'Available' ? { ...outcome, status: 'succeeded' } : failed(outcome, nodeNotCreated(outcome.name, node.status.phase));
    case 'update':
      return ['Pending', 'Updating'].includes(node.status.driver?.phase ?? '') ? null : { ...outcome, status: 'succeeded' };
    default:
      return null;
  }
}

/**
 * Looks once at what the in-progress outcomes wait for — the records (`completion`, `update`), then the nodes' state
 * (`update`, `drain`, `delete`, `create`) — and updates them in place; answers the ones that ended, in that order.
 */
export async function observeProgress(source: ProgressSource, pool: string, wait: WaitKind, outcomes: Map<string, NodeOutcome>): Promise<NodeOutcome[]> {
  const ended: NodeOutcome[] = [];
  const settle = (outcome: NodeOutcome) => {
    outcomes.set(outcome.name, outcome);
    ended.push(outcome);
  };
  const inProgress = () => [...outcomes.values()].filter((o) => o.status === 'in-progress');
  if (wait === 'completion' || wait === 'update') {
    for (const operationId of new Set(inProgress().map((o) => o.operationId))) {
      for (const entry of (await source.operation(operationId)).nodes) {
        const outcome = outcomeOfEntry(entry, operationId, wait);
        if (outcomes.get(entry.name)?.status === 'in-progress' && outcome.status !== 'in-progress') settle(outcome);
      }
    }
  }
  if (wait === 'completion' || wait === 'none') return ended;
  const still = inProgress();
  if (still.length === 0) return ended;
  const nodes = await source.nodes(
    pool,
    still.map((o) => o.name),
  );
  for (const outcome of still) {
    const settled = settleByNode(outcome, nodes.get(outcome.name), wait);
    if (settled) settle(settled);
  }
  return ended;
}

/** Counts of outcomes by status. */
export function progressCounts(outcomes: Iterable<NodeOutcome>): { succeeded: number; failed: number; pending: number } {
  const counts = { succeeded: 0, failed: 0, pending: 0 };
  for (const o of outcomes) {
    if (o.status === 'in-progress') counts.pending++;
    else counts[o.status]++;
  }
  return counts;
}
