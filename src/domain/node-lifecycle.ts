import {
  ANNOTATION_DRAIN,
  type DriverPhase,
  type DriverUpdateStrategy,
  type NodeDelta,
  type NodePhase,
  type NodeState,
  type Taint,
} from './node.js';
import {
  driverUpgradeBlocks,
  driverUpgradeFailed,
  nodeBeingDeleted,
  nodeLocked,
  nodeNotFound,
  nodeNotInPhase,
  rebootFailed,
  type NodeFailure,
} from '../errors/catalogue.js';
import type { NodeDecision } from './node-update-planner.js';
import type { FAULT_KINDS, LOCKABLE_ACTIONS } from '../schemas/node-batch.js';
import type { PoolDriverState, PoolPhase, PoolResource } from '../schemas/pool.js';
import { toTimestamp } from './time.js';

/**
 * The node life beyond labels and tags: locks, deletion, reboots, drains and driver upgrades, as pure functions.
 * The request planners here decide per node; the progression functions say what the background steps do. The SQL
 * store applies the same transitions set-based, and the property test drives a model through these functions.
 */

export type LockableAction = (typeof LOCKABLE_ACTIONS)[number];

/** Placed by an `idle` driver upgrade so no new work lands while the node waits to become idle. */
export const TAINT_DRIVER_UPGRADE = 'os.modelarts.node/driver.upgrade';
/** Placed by a drain alongside the `os.modelarts.node/drain` annotation. */
export const TAINT_DRAIN = ANNOTATION_DRAIN;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** What the lifecycle planners read about a node, on top of what the batch-update planner reads. */
export interface LifecycleNodeState extends NodeState {
  flavor: string;
  nodePool: string | null;
  az: string;
  runningJobs: number;
  drained: boolean;
}

/** An active fault-injection rule: the next `remaining` matching operations fail. */
export interface FaultRule {
  id: number;
  /** null matches every pool of the project. */
  pool: string | null;
  /** null matches every node of the pool. */
  nodes: string[] | null;
  fail: FaultKind;
  remaining: number;
}

/**
 * Hands out injected failures to the operations a request schedules, oldest rule first, one use per node. `used`
 * says how many uses of each rule the request consumed; the store writes that back in the same transaction.
 */
export class FaultBudget {
  readonly used = new Map<number, number>();
  private readonly left: Map<number, number>;

  constructor(
    private readonly rules: readonly FaultRule[],
    private readonly poolName: string,
  ) {
    this.left = new Map(rules.map((r) => [r.id, r.remaining]));
  }

  /** The rule that makes this operation on this node fail, consuming one use, or null. */
  take(kind: FaultKind, nodeName: string): number | null {
    for (const rule of this.rules) {
      if (rule.fail !== kind || (this.left.get(rule.id) ?? 0) <= 0) continue;
      if (rule.pool !== null && rule.pool !== this.poolName) continue;
      if (rule.nodes !== null && !rule.nodes.includes(nodeName)) continue;
      this.left.set(rule.id, this.left.get(rule.id)! - 1);
      this.used.set(rule.id, (this.used.get(rule.id) ?? 0) + 1);
      return rule.id;
    }
    return null;
  }
}

function isUpgrading(phase: DriverPhase | undefined): boolean {
  return phase === 'Pending' || phase === 'Updating';
}

function each(names: readonly string[], nodes: ReadonlyMap<string, LifecycleNodeState>, plan: (name: string, node: LifecycleNodeState) => NodeDecision): NodeDecision[] {
  return names.map((name) => {
    const node = nodes.get(name);
    return node === undefined ? { name, ok: false, failure: nodeNotFound(name) } : plan(name, node);
  });
}

/** BatchLockPoolNodes: adds the actions to the node's locks. A node being deleted cannot be locked. */
export function planLock(names: readonly string[], nodes: ReadonlyMap<string, LifecycleNodeState>, actions: readonly LockableAction[]): NodeDecision[] {
  return each(names, nodes, (name, node) => {
    if (node.phase === 'Deleting') return { name, ok: false, failure: nodeBeingDeleted(name) };
    const locked = [...new Set([...node.lockedActions, ...actions])].sort();
    return { name, ok: true, delta: { nodeId: node.id, setLockedActions: locked } };
  });
}

/** BatchUnlockPoolNodes: removes the actions from the node's locks; unlocking an unlocked node succeeds. */
export function planUnlock(names: readonly string[], nodes: ReadonlyMap<string, LifecycleNodeState>, actions: readonly LockableAction[]): NodeDecision[] {
  const removed = new Set<string>(actions);
  return each(names, nodes, (name, node) => ({
    name,
    ok: true,
    delta: { nodeId: node.id, setLockedActions: node.lockedActions.filter((a) => !removed.has(a)) },
  }));
}

/** A refused plan names the nodes that refused it, each with its per-node reason (none when the pool would empty). */
export type DeletePlan = { ok: true; decisions: NodeDecision[] } | { ok: false; detail: string; failures: NodeFailure[] };

/**
 * BatchDeletePoolNodes is all or nothing (its answer has no per-node channel): unknown or delete-locked nodes, or
 * leaving the pool without a node that is not being deleted, refuse the whole request. Nodes already Deleting are
 * accepted as they are.
 */
export function planDelete(names: readonly string[], nodes: ReadonlyMap<string, LifecycleNodeState>, liveNodes: number, deleteUntil: number): DeletePlan {
  const unknown = names.filter((n) => !nodes.has(n));
  if (unknown.length > 0) {
    return { ok: false, detail: `deleteNodeNames: ${listNames(unknown)} ${unknown.length === 1 ? 'is' : 'are'} not in the pool`, failures: unknown.map(nodeNotFound) };
  }
  const locked = names.filter((n) => nodes.get(n)!.lockedActions.includes('delete'));
  if (locked.length > 0) {
    return {
      ok: false,
      detail: `deleteNodeNames: ${listNames(locked)} ${locked.length === 1 ? 'is' : 'are'} locked against deletion; unlock first`,
      failures: locked.map((n) => nodeLocked(n, nodes.get(n)!.lockedActions)),
    };
  }
  const deleting = names.filter((n) => nodes.get(n)!.phase !== 'Deleting');
  if (liveNodes - deleting.length < 1) return { ok: false, detail: 'deleteNodeNames: a pool must keep at least one node', failures: [] };
  return {
    ok: true,
    decisions: names.map((name) => {
      const node = nodes.get(name)!;
      return node.phase === 'Deleting'
        ? { name, ok: true, delta: { nodeId: node.id } }
        : { name, ok: true, delta: { nodeId: node.id, setPhase: { phase: 'Deleting', until: deleteUntil } } };
    }),
  };
}

/**
 * The pool's resources after `removed` nodes are deleted by name: each node lowers its (flavor, node pool) count and
 * its AZ's count, and a group that reaches zero leaves `spec.resources`, so a later scaling compares with the truth.
 */
export function shrinkResources(resources: readonly PoolResource[], removed: ReadonlyArray<{ flavor: string; nodePool: string | null; az: string }>): PoolResource[] {
  const out = resources.map((r) => ({ ...r, ...(r.azs ? { azs: r.azs.map((a) => ({ ...a })) } : {}) }));
  for (const node of removed) {
    const r = out.find((x) => x.flavor === node.flavor && (x.nodePool ?? null) === node.nodePool);
    if (r === undefined) continue;
    r.count -= 1;
    if (r.maxCount !== undefined) r.maxCount = r.count;
    const az = r.azs?.find((a) => a.az === node.az && a.count > 0) ?? r.azs?.find((a) => a.count > 0);
    if (az) az.count -= 1;
  }
  return out.filter((r) => r.count > 0).map((r) => (r.azs ? { ...r, azs: r.azs.filter((a) => a.count > 0) } : r));
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** BatchRebootPoolNodes: only Available nodes without a driver upgrade in progress reboot; a lock against delete does not block it. */
export function planReboot(names: readonly string[], nodes: ReadonlyMap<string, LifecycleNodeState>, faults: FaultBudget): NodeDecision[] {
  return each(names, nodes, (name, node) => {
    if (node.phase !== 'Available') return { name, ok: false, failure: nodeNotInPhase(name, node.phase, 'rebooted', 'Available') };
    if (node.driver !== null && isUpgrading(node.driver.phase)) return { name, ok: false, failure: driverUpgradeBlocks(name, node.driver.phase, 'rebooted') };
    return { name, ok: true, delta: { nodeId: node.id, reboot: { fail: faults.take('reboot', name) !== null } } };
  });
}

/**
 * BatchDrainPoolNodes: annotation and a NoSchedule taint; the simulated work drains to zero after `drainUntil`.
 * Draining a drained node succeeds and changes nothing; nodes being created or deleted cannot be drained.
 */
export function planDrain(names: readonly string[], nodes: ReadonlyMap<string, LifecycleNodeState>, now: number, drainUntil: number): NodeDecision[] {
  const taint: Taint = Object.freeze({ key: TAINT_DRAIN, value: 'true', effect: 'NoSchedule', timeAdded: toTimestamp(now) });
  return each(names, nodes, (name, node) => {
    if (node.phase === 'Creating' || node.phase === 'Deleting') {
      return { name, ok: false, failure: nodeNotInPhase(name, node.phase, 'drained', 'Available, Abnormal or Checking') };
    }
    if (node.drained) return { name, ok: true, delta: { nodeId: node.id } };
    return { name, ok: true, delta: { nodeId: node.id, addTaints: [taint], drain: { until: node.runningJobs === 0 ? now : drainUntil } } };
  });
}

/**
 * Completes the driver-upgrade part of batch-update decisions: an `idle` upgrade isolates the node with a
 * NoSchedule taint at once, and an injected fault marks the upgrade to fail.
 */
export function withUpgradeEffects(decisions: NodeDecision[], faults: FaultBudget, now: number): NodeDecision[] {
  let taint: Taint | undefined;
  for (const d of decisions) {
    if (!d.ok || d.delta.driverUpgrade === undefined) continue;
    const upgrade = d.delta.driverUpgrade;
    d.delta.driverUpgrade = { ...upgrade, fail: faults.take('driverUpgrade', d.name) !== null };
    if (upgrade.updateStrategy !== 'idle') continue;
    taint ??= Object.freeze({ key: TAINT_DRIVER_UPGRADE, value: 'true', effect: 'NoSchedule', timeAdded: toTimestamp(now) });
    d.delta.addTaints = [...(d.delta.addTaints ?? []), taint];
  }
  return decisions;
}

/** What PatchPool `spec.driver` reads of each node of the pool to choose the ones to upgrade. */
export interface PoolNodeDriver {
  name: string;
  accelerator: 'gpu' | 'npu' | null;
  phase: NodePhase;
  driverVersion: string | null;
  driverPhase: DriverPhase | null;
  driverTargetVersion: string | null;
}

/**
 * PatchPool `spec.driver`: the nodes to upgrade, each with its target version. Those of each named accelerator that
 * are not being deleted, unless their driver already runs that version or is already upgrading to it.
 */
export function poolDriverTargets(nodes: readonly PoolNodeDriver[], wanted: { gpu?: string | undefined; npu?: string | undefined }): Map<string, string> {
  const targets = new Map<string, string>();
  for (const node of nodes) {
    // Stryker disable next-line ConditionalExpression: wanted has no "null" key, so indexing it with null is undefined too
    const version = node.accelerator === null ? undefined : wanted[node.accelerator];
    if (version === undefined || node.phase === 'Deleting') continue;
    if (node.driverVersion === version && node.driverPhase === 'Running') continue;
    // Stryker disable next-line ConditionalExpression: isUpgrading(null) is false too; the null check is for the type
    if (node.driverPhase !== null && isUpgrading(node.driverPhase) && node.driverTargetVersion === version) continue;
    targets.set(node.name, version);
  }
  return targets;
}

/**
 * PatchPool `spec.driver`: schedules an upgrade on every target node whatever its phase. A node that is not
 * Available (Creating, Checking after a reboot, Abnormal) keeps it Pending, and it starts once the node is Available,
 * so a pool-wide upgrade reaches every node. Nodes being deleted, locked, or mid another upgrade fail.
 */
export function planPoolDriverUpgrade(
  targets: ReadonlyMap<string, string>,
  nodes: ReadonlyMap<string, LifecycleNodeState>,
  updateStrategy: DriverUpdateStrategy,
): NodeDecision[] {
  return each([...targets.keys()], nodes, (name, node) => {
    if (node.phase === 'Deleting') return { name, ok: false, failure: nodeBeingDeleted(name) };
    if (node.lockedActions.length > 0) return { name, ok: false, failure: nodeLocked(name, node.lockedActions) };
    if (node.driver !== null && isUpgrading(node.driver.phase)) return { name, ok: false, failure: driverUpgradeBlocks(name, node.driver.phase, 'upgraded again') };
    return { name, ok: true, delta: { nodeId: node.id, driverUpgrade: { version: targets.get(name)!, updateStrategy } } };
  });
}

/**
 * A pool's driver state for one accelerator, from its nodes that are not being deleted and the version the pool
 * shows: Creating while the pool is, Upgrading while any upgrade is Pending or Updating, Running only when every
 * node runs that version, else Abnormal (a node on another version, or a failed upgrade).
 */
export function poolDriverState(
  poolPhase: PoolPhase,
  nodes: ReadonlyArray<{ driverPhase: string; driverVersion: string | null }>,
  version: string,
): PoolDriverState {
  if (poolPhase === 'Creating') return 'Creating';
  if (nodes.some((n) => n.driverPhase === 'Pending' || n.driverPhase === 'Updating')) return 'Upgrading';
  return nodes.every((n) => n.driverPhase === 'Running' && n.driverVersion === version) ? 'Running' : 'Abnormal';
}

/** The simulated workload may only grow on a node that accepts new work (no NoSchedule/NoExecute taint, not drained). */
export function workloadRefusal(node: LifecycleNodeState, runningJobs: number): string | null {
  if (runningJobs <= node.runningJobs) return null;
  if (node.phase !== 'Available') return `runningJobs: node ${node.name} is ${node.phase}; no new work can land on it`;
  // Stryker disable next-line ConditionalExpression: every taint effect is one of these two today; the test says which effects refuse work
  const cordon = node.taints.find((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (cordon) return `runningJobs: node ${node.name} has the taint ${cordon.key}:${cordon.effect}; no new work can land on it`;
  return null;
}

/** A driver upgrade may start: the node is Available and the strategy is `force` or the node runs no work. */
export function upgradeCanStart(phase: NodePhase, strategy: DriverUpdateStrategy | null, runningJobs: number): boolean {
  return phase === 'Available' && (strategy === 'force' || runningJobs === 0);
}

/** Where a backend says a long-running node operation stands. */
export type Progress =
  | { state: 'InProgress'; checkAt: number }
  | { state: 'Succeeded' }
  | { state: 'Failed'; failure: NodeFailure };

/** The simulated backend's progress of an operation that started at `startedAt`, takes `durationMs`, and may be fated to fail. */
export function simulatedProgress(startedAt: number, durationMs: number, now: number, failure: NodeFailure | null): Progress {
  const doneAt = startedAt + durationMs;
  if (now < doneAt) return { state: 'InProgress', checkAt: doneAt };
  return failure === null ? { state: 'Succeeded' } : { state: 'Failed', failure };
}

/** The state one node can be in, as the model of the property test and the invariants see it. */
export interface ModelNode {
  name: string;
  phase: NodePhase;
  lockedActions: string[];
  runningJobs: number;
  drained: boolean;
  taints: Taint[];
  driver: { version: string; phase: DriverPhase; targetVersion: string | null; updateStrategy: DriverUpdateStrategy | null; startedAt: number | null; fail: boolean } | null;
  reboot: { startedAt: number; fail: boolean } | null;
  phaseUntil: number | null;
  drainUntil: number | null;
}

/** Applies one decided delta to a model node: the same effect the SQL store's set-based statements have. */
export function applyDelta(node: ModelNode, delta: NodeDelta, now: number): ModelNode {
  const next: ModelNode = { ...node, taints: [...node.taints], driver: node.driver && { ...node.driver } };
  if (delta.setLockedActions) next.lockedActions = [...delta.setLockedActions];
  if (delta.removeTaints) next.taints = next.taints.filter((t) => !delta.removeTaints!.some((r) => r.key === t.key && r.effect === t.effect));
  for (const t of delta.addTaints ?? []) if (!next.taints.some((x) => x.key === t.key && x.effect === t.effect)) next.taints.push(t);
  if (delta.setPhase) {
    next.phase = delta.setPhase.phase;
    next.phaseUntil = delta.setPhase.until;
    // A reboot in progress is abandoned: the node is going away.
    next.reboot = null;
  }
  if (delta.reboot) {
    next.phase = 'Checking';
    next.runningJobs = 0;
    next.reboot = { startedAt: now, fail: delta.reboot.fail };
  }
  if (delta.drain) {
    next.drained = true;
    next.drainUntil = delta.drain.until;
  }
  if (delta.driverUpgrade) {
    next.driver = {
      version: next.driver?.version ?? '',
      phase: 'Pending',
      targetVersion: delta.driverUpgrade.version,
      updateStrategy: delta.driverUpgrade.updateStrategy,
      startedAt: null,
      fail: delta.driverUpgrade.fail ?? false,
    };
  }
  return next;
}

/**
 * One background pass over a model node at `now`, in the reconciler's order: work drains, Pending upgrades start,
 * due upgrades and reboots end, due deletions remove the node (null).
 */
export function progressNode(node: ModelNode, now: number, upgradeMs: number, rebootMs: number): ModelNode | null {
  const next: ModelNode = { ...node, taints: [...node.taints], driver: node.driver && { ...node.driver } };
  if (next.drainUntil !== null && next.drainUntil <= now) {
    next.runningJobs = 0;
    next.drainUntil = null;
  }
  const d = next.driver;
  if (d !== null && d.phase === 'Pending' && upgradeCanStart(next.phase, d.updateStrategy, next.runningJobs)) {
    d.phase = 'Updating';
    d.startedAt = now;
    // Stryker disable next-line ConditionalExpression: an idle upgrade starts only on a node without work
    if (d.updateStrategy === 'force') next.runningJobs = 0;
  }
  if (d !== null && d.phase === 'Updating') {
    const p = simulatedProgress(d.startedAt!, upgradeMs, now, d.fail ? driverUpgradeFailed(next.name, d.targetVersion!) : null);
    if (p.state !== 'InProgress') {
      if (p.state === 'Succeeded') {
        d.version = d.targetVersion!;
        d.phase = 'Running';
        next.taints = next.taints.filter((t) => t.key !== TAINT_DRIVER_UPGRADE);
      } else {
        d.phase = 'Abnormal';
      }
      d.targetVersion = null;
      d.updateStrategy = null;
      d.startedAt = null;
      d.fail = false;
    }
  }
  if (next.reboot !== null && next.phase === 'Checking') {
    const p = simulatedProgress(next.reboot.startedAt, rebootMs, now, next.reboot.fail ? rebootFailed(next.name) : null);
    if (p.state !== 'InProgress') {
      next.phase = p.state === 'Succeeded' ? 'Available' : 'Abnormal';
      next.reboot = null;
    }
  }
  if (next.phase === 'Deleting' && next.phaseUntil !== null && next.phaseUntil <= now) return null;
  return next;
}

/** What must never be true of a node; returns the violated rule, or null. */
export function invariantViolation(node: ModelNode): string | null {
  const d = node.driver;
  if (d !== null) {
    if (isUpgrading(d.phase) && d.targetVersion === null) return `${node.name}: driver ${d.phase} without a target version`;
    if (d.phase === 'Updating' && d.startedAt === null) return `${node.name}: driver Updating but no upgrade started`;
    if (!isUpgrading(d.phase) && d.targetVersion !== null) return `${node.name}: driver ${d.phase} still has a target version`;
  }
  if (node.phase === 'Deleting' && node.lockedActions.includes('delete')) return `${node.name}: locked against deletion but Deleting`;
  if (node.reboot !== null && node.phase !== 'Checking') return `${node.name}: reboot in progress but phase ${node.phase}`;
  if (node.drained && !node.taints.some((t) => t.key === TAINT_DRAIN)) return `${node.name}: drained without the drain taint`;
  if (node.runningJobs < 0) return `${node.name}: negative running jobs`;
  return null;
}
