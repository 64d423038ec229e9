import type { BatchUpdateBody } from '../schemas/batch-update.js';
import {
  LABEL_HA_REDUNDANT,
  TAINT_HA_REDUNDANT,
  type DriverPhase,
  type DriverUpdateStrategy,
  type BatchNodeState,
  type NodeDelta,
  type NodeState,
  type Tag,
  type Taint,
  type TaintEffect,
} from './node.js';
import {
  driverUpgradeInProgress,
  nodeLocked,
  nodeNotAvailable,
  nodeNotFound,
  tagLimitExceeded,
  type NodeFailure,
} from '../errors/catalogue.js';
import { MAX_TAGS_PER_NODE } from './tags.js';
import { toTimestamp } from './time.js';

const DEFAULT_HA_REDUNDANT_EFFECT: TaintEffect = 'NoSchedule';
export const DEFAULT_DRIVER_UPDATE_STRATEGY: DriverUpdateStrategy = 'idle';

export type NodeDecision =
  | { name: string; ok: true; delta: NodeDelta }
  | { name: string; ok: false; failure: NodeFailure };

/**
 * Decides, for every name in `body.nodeNames` (request order, one decision each), whether that node can be updated
 * and with which delta (api-reference §5 decisions 2-7). `body` must already have passed checkBatchUpdateRequest.
 * `nodes` holds the current state of the named nodes that exist in the pool, read inside the write transaction.
 *
 * Deltas never replace whole lists: they add/remove single taints and upsert/delete single tags, so concurrent
 * requests on the same node keep each other's changes. Request-level parts of the deltas (labels, tag lists, the
 * new taint, the driver upgrade) are frozen objects shared by all decisions of one call: do not mutate them.
 *
 * Linear in the number of names (a node has few taints; its tags are counted by the store, not listed).
 */
export function planBatchUpdate(
  body: BatchUpdateBody,
  nodes: ReadonlyMap<string, BatchNodeState>,
  nowMillis: number,
): NodeDecision[] {
  const planAction = actionPlanner(body, nowMillis);
  const driverUpgrade: NodeDelta['driverUpgrade'] =
    body.driver === undefined
      ? undefined
      : Object.freeze({
          version: body.driver.version,
          updateStrategy: body.driver.updateStrategy ?? DEFAULT_DRIVER_UPDATE_STRATEGY,
        });

  const decisions: NodeDecision[] = [];
  for (const name of body.nodeNames) {
    const node = nodes.get(name);
    if (node === undefined) {
      decisions.push({ name, ok: false, failure: nodeNotFound(name) });
      continue;
    }
    const blocked = blockingFailure(name, node, driverUpgrade !== undefined);
    if (blocked !== null) {
      decisions.push({ name, ok: false, failure: blocked });
      continue;
    }
    const planned = planAction(name, node);
    if (!planned.ok) {
      decisions.push({ name, ok: false, failure: planned.failure });
      continue;
    }
    if (driverUpgrade !== undefined) planned.delta.driverUpgrade = driverUpgrade;
    decisions.push({ name, ok: true, delta: planned.delta });
  }
  return decisions;
}

/** Rules that apply whatever the action: the node must be Available, unlocked, and not mid driver upgrade. */
function blockingFailure(name: string, node: NodeState, upgradesDriver: boolean): NodeFailure | null {
  if (node.phase !== 'Available') return nodeNotAvailable(name, node.phase);
  if (node.lockedActions.length > 0) return nodeLocked(name, node.lockedActions);
  if (upgradesDriver && node.driver !== null && isUpgrading(node.driver.phase)) {
    return driverUpgradeInProgress(name, node.driver.phase);
  }
  return null;
}

type ActionResult = { ok: true; delta: NodeDelta } | { ok: false; failure: NodeFailure };

/** Builds the per-node planner for the request's action, precomputing everything that is the same for every node. */
function actionPlanner(body: BatchUpdateBody, nowMillis: number): (name: string, node: BatchNodeState) => ActionResult {
  switch (body.action) {
    case 'openHaRedundant': {
      const effect: TaintEffect = body.haRedundantEffect ?? DEFAULT_HA_REDUNDANT_EFFECT;
      const labels = Object.freeze({ [LABEL_HA_REDUNDANT]: 'true' });
      const taint: Taint = Object.freeze({
        key: TAINT_HA_REDUNDANT,
        value: 'true',
        effect,
        timeAdded: toTimestamp(nowMillis),
      });
      return (_name, node) => {
        const delta: NodeDelta = { nodeId: node.id, setLabels: labels };
        // A taint is unique per (key, effect): drop HA taints with another effect, keep one with this effect as is.
        let present = false;
        let removeNoSchedule = false;
        let removeNoExecute = false;
        for (const t of node.taints) {
          if (t.key !== TAINT_HA_REDUNDANT) continue;
          if (t.effect === effect) present = true;
          else if (t.effect === 'NoSchedule') removeNoSchedule = true;
          else removeNoExecute = true;
        }
        const remove = haTaintRemovals(removeNoSchedule, removeNoExecute);
        if (remove !== null) delta.removeTaints = remove;
        if (!present) delta.addTaints = [taint];
        return { ok: true, delta };
      };
    }

    case 'closeHaRedundant': {
      const labels = Object.freeze({ [LABEL_HA_REDUNDANT]: 'false' });
      return (_name, node) => {
        const delta: NodeDelta = { nodeId: node.id, setLabels: labels };
        let removeNoSchedule = false;
        let removeNoExecute = false;
        for (const t of node.taints) {
          if (t.key !== TAINT_HA_REDUNDANT) continue;
          if (t.effect === 'NoSchedule') removeNoSchedule = true;
          else removeNoExecute = true;
        }
        const remove = haTaintRemovals(removeNoSchedule, removeNoExecute);
        if (remove !== null) delta.removeTaints = remove;
        return { ok: true, delta };
      };
    }

    case 'createTags': {
      // Stryker disable next-line ArrayDeclaration: checkBatchUpdateRequest requires tags for the tag actions
      const upsert: Tag[] = (body.tags ?? []).map((t) => Object.freeze({ key: t.key, value: t.value }));
      Object.freeze(upsert);
      const newKeys = createdTagKeys(body);
      return (name, node) => {
        // Distinct keys after the upsert (a node's tag keys are unique): the ones it keeps plus the request's.
        const wouldHave = node.otherTagCount + newKeys.length;
        if (wouldHave > MAX_TAGS_PER_NODE) return { ok: false, failure: tagLimitExceeded(name, wouldHave, MAX_TAGS_PER_NODE) };
        return { ok: true, delta: { nodeId: node.id, upsertTags: upsert } };
      };
    }

    case 'deleteTags': {
      // An empty value matches any value; deleting an absent tag is a success (idempotent).
      // Stryker disable next-line ArrayDeclaration: checkBatchUpdateRequest requires tags for the tag actions
      const remove: Array<{ key: string; value?: string }> = (body.tags ?? []).map((t) =>
        Object.freeze(t.value === '' ? { key: t.key } : { key: t.key, value: t.value }),
      );
      Object.freeze(remove);
      return (_name, node) => ({ ok: true, delta: { nodeId: node.id, deleteTags: remove } });
    }
  }
}

/** The distinct tag keys a createTags request sets: the keys BatchNodeState.otherTagCount is counted against. */
export function createdTagKeys(body: BatchUpdateBody): string[] {
  return [...new Set((body.tags ?? []).map((t) => t.key))];
}

const REMOVE_NO_SCHEDULE = Object.freeze({ key: TAINT_HA_REDUNDANT, effect: 'NoSchedule' as const });
const REMOVE_NO_EXECUTE = Object.freeze({ key: TAINT_HA_REDUNDANT, effect: 'NoExecute' as const });

function haTaintRemovals(noSchedule: boolean, noExecute: boolean): NodeDelta['removeTaints'] | null {
  if (noSchedule && noExecute) return [REMOVE_NO_SCHEDULE, REMOVE_NO_EXECUTE];
  if (noSchedule) return [REMOVE_NO_SCHEDULE];
  if (noExecute) return [REMOVE_NO_EXECUTE];
  return null;
}

function isUpgrading(phase: DriverPhase): boolean {
  return phase === 'Pending' || phase === 'Updating';
}
