import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  applyDelta,
  FaultBudget,
  invariantViolation,
  planDelete,
  planDrain,
  planLock,
  planReboot,
  planUnlock,
  progressNode,
  withUpgradeEffects,
  workloadRefusal,
  type FaultRule,
  type LifecycleNodeState,
  type ModelNode,
} from '../../src/domain/node-lifecycle.js';
import { planBatchUpdate, type NodeDecision } from '../../src/domain/node-update-planner.js';
import type { BatchNodeState } from '../../src/domain/node.js';
import { modelNode } from '../helpers/lifecycle.js';

const UPGRADE_MS = 10_000;
const REBOOT_MS = 5_000;
const DRAIN_MS = 5_000;
const DELETE_MS = 3_000;
const NAMES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];

type Command =
  | { kind: 'lock' | 'unlock' | 'delete' | 'reboot' | 'drain' | 'update'; nodes: string[] }
  | { kind: 'upgrade'; nodes: string[]; strategy: 'force' | 'idle'; version: string }
  | { kind: 'workload'; node: string; jobs: number }
  | { kind: 'fault'; fail: 'driverUpgrade' | 'reboot'; node: string | null }
  | { kind: 'advance'; ms: number };

const someNodes = fc.uniqueArray(fc.constantFrom(...NAMES, 'ghost'), { minLength: 1, maxLength: 4 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constantFrom('lock', 'unlock', 'delete', 'reboot', 'drain', 'update'), nodes: someNodes }) as fc.Arbitrary<Command>,
  fc.record({ kind: fc.constant('upgrade' as const), nodes: someNodes, strategy: fc.constantFrom('force' as const, 'idle' as const), version: fc.constantFrom('550', '560') }),
  fc.record({ kind: fc.constant('workload' as const), node: fc.constantFrom(...NAMES), jobs: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('fault' as const), fail: fc.constantFrom('driverUpgrade' as const, 'reboot' as const), node: fc.option(fc.constantFrom(...NAMES), { nil: null }) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 1_000, 3_000, 5_000, 10_000) }),
);

function asState(node: ModelNode, id: number): LifecycleNodeState & BatchNodeState {
  const d = node.driver;
  return {
    id,
    name: node.name,
    flavor: 'modelarts.vm.gpu.t4u8',
    nodePool: null,
    az: 'local-1a',
    phase: node.phase,
    taints: node.taints,
    lockedActions: node.lockedActions,
    driver: d && { version: d.version, phase: d.phase, targetVersion: d.targetVersion, updateStrategy: d.updateStrategy },
    runningJobs: node.runningJobs,
    drained: node.drained,
    otherTagCount: 0,
  };
}

/** The pool as the service sees it: nodes by name, driven only through the pure planners and transitions. */
class PoolModel {
  nodes = new Map<string, ModelNode>(
    NAMES.map((name) => [name, modelNode(name)]),
  );
  removed = new Set<string>();
  faults: FaultRule[] = [];
  now = Date.UTC(2026, 10, 28, 12, 0, 0);

  states(): Map<string, LifecycleNodeState & BatchNodeState> {
    return new Map([...this.nodes.values()].map((n, i) => [n.name, asState(n, i + 1)]));
  }

  apply(decisions: NodeDecision[], budget?: FaultBudget): void {
    for (const d of decisions) if (d.ok) this.nodes.set(d.name, applyDelta(this.nodes.get(d.name)!, d.delta, this.now));
    for (const [id, used] of budget?.used ?? []) this.faults.find((f) => f.id === id)!.remaining -= used;
  }

  run(c: Command): void {
    const states = this.states();
    const budget = new FaultBudget(this.faults, 'pool');
    switch (c.kind) {
      case 'lock':
        return this.apply(planLock(c.nodes, states, ['delete']));
      case 'unlock':
        return this.apply(planUnlock(c.nodes, states, ['delete']));
      case 'update':
        return this.apply(planBatchUpdate({ nodeNames: c.nodes, action: 'openHaRedundant' }, states, this.now));
      case 'upgrade': {
        const body = { nodeNames: c.nodes, action: 'closeHaRedundant' as const, driver: { version: c.version, updateStrategy: c.strategy } };
        return this.apply(withUpgradeEffects(planBatchUpdate(body, states, this.now), budget, this.now), budget);
      }
      case 'reboot':
        return this.apply(planReboot(c.nodes, states, budget), budget);
      case 'drain':
        return this.apply(planDrain(c.nodes, states, this.now, this.now + DRAIN_MS));
      case 'delete': {
        const live = [...this.nodes.values()].filter((n) => n.phase !== 'Deleting').length;
        const plan = planDelete(c.nodes, states, live, this.now + DELETE_MS);
        if (plan.ok) this.apply(plan.decisions);
        return;
      }
      case 'workload': {
        const node = states.get(c.node);
        if (node && workloadRefusal(node, c.jobs) === null) this.nodes.set(c.node, { ...this.nodes.get(c.node)!, runningJobs: c.jobs });
        return;
      }
      case 'fault':
        this.faults.push({ id: this.faults.length + 1, pool: null, nodes: c.node === null ? null : [c.node], fail: c.fail, remaining: 1 });
        return;
      case 'advance':
        this.now += c.ms;
        for (const [name, node] of this.nodes) {
          const next = progressNode(node, this.now, UPGRADE_MS, REBOOT_MS);
          if (next === null) {
            expect(node.lockedActions).not.toContain('delete');
            this.nodes.delete(name);
            this.removed.add(name);
          } else {
            this.nodes.set(name, next);
          }
        }
    }
  }

  check(): void {
    for (const node of this.nodes.values()) {
      expect(invariantViolation(node)).toBeNull();
      expect(this.removed.has(node.name)).toBe(false);
      if (node.phase === 'Deleting') expect(node.phaseUntil! > this.now).toBe(true);
    }
    expect([...this.nodes.values()].filter((n) => n.phase !== 'Deleting').length).toBeGreaterThanOrEqual(1);
    for (const f of this.faults) expect(f.remaining).toBeGreaterThanOrEqual(0);
  }
}

it('random lock/unlock/update/upgrade/delete/reboot/drain sequences never leave a node in an invalid state', () => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 60 }), (commands) => {
      const pool = new PoolModel();
      for (const c of commands) {
        pool.run(c);
        pool.check();
      }
      // Given enough quiet time with no work, every upgrade and reboot ends and every deletion completes.
      for (const name of pool.nodes.keys()) pool.run({ kind: 'workload', node: name, jobs: 0 });
      for (let i = 0; i < 4; i++) pool.run({ kind: 'advance', ms: 10_000 });
      pool.check();
      for (const node of pool.nodes.values()) {
        expect(node.phase).not.toBe('Deleting');
        expect(node.reboot).toBeNull();
        if (node.phase === 'Available') expect(['Running', 'Abnormal']).toContain(node.driver!.phase);
      }
    }),
    { numRuns: 500 },
  );
});
