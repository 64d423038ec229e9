import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  FaultBudget,
  invariantViolation,
  planDelete,
  planDrain,
  planLock,
  planPoolDriverUpgrade,
  planReboot,
  poolDriverState,
  poolDriverTargets,
  planUnlock,
  progressNode,
  shrinkResources,
  simulatedProgress,
  TAINT_DRAIN,
  TAINT_DRIVER_UPGRADE,
  upgradeCanStart,
  withUpgradeEffects,
  workloadRefusal,
  type FaultRule,
  type LifecycleNodeState,
  type ModelNode,
  type PoolNodeDriver,
} from '../../src/domain/node-lifecycle.js';
import { nodeLocked, nodeNotFound } from '../../src/errors/catalogue.js';
import type { NodeDecision } from '../../src/domain/node-update-planner.js';
import { modelNode } from '../helpers/lifecycle.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
let nextId = 1;

function state(name: string, overrides: Partial<LifecycleNodeState> = {}): LifecycleNodeState {
  return {
    id: nextId++,
    name,
    flavor: 'modelarts.vm.gpu.t4u8',
    nodePool: null,
    az: 'local-1a',
    phase: 'Available',
    taints: [],
    lockedActions: [],
    driver: { version: '535', phase: 'Running', targetVersion: null, updateStrategy: null },
    runningJobs: 0,
    drained: false,
    ...overrides,
  };
}

function nodes(...states: LifecycleNodeState[]): Map<string, LifecycleNodeState> {
  return new Map(states.map((s) => [s.name, s]));
}


const failureCode = (d: NodeDecision) => (d.ok ? null : d.failure.code);
const noFaults = () => new FaultBudget([], 'pool');

describe('lock and unlock', () => {
  it('adds and removes locked actions per node; unknown nodes and nodes being deleted fail', () => {
    const a = state('a');
    const gone = state('gone', { phase: 'Deleting' });
    const locked = planLock(['a', 'x', 'gone'], nodes(a, gone), ['delete']);
    expect(locked.map(failureCode)).toEqual([null, 'ModelArts.50005101', 'ModelArts.50004006']);
    expect(locked[0]).toEqual({ name: 'a', ok: true, delta: { nodeId: a.id, setLockedActions: ['delete'] } });
    const relock = planLock(['a'], nodes({ ...a, lockedActions: ['delete'] }), ['delete']);
    expect(relock[0]).toMatchObject({ ok: true, delta: { setLockedActions: ['delete'] } });
    const unlocked = planUnlock(['a', 'x'], nodes({ ...a, lockedActions: ['delete'] }), ['delete']);
    expect(unlocked.map(failureCode)).toEqual([null, 'ModelArts.50005101']);
    expect(unlocked[0]).toMatchObject({ ok: true, delta: { setLockedActions: [] } });
  });
});

describe('delete', () => {
  const a = state('a');
  const b = state('b');
  it('is all or nothing: unknown, locked, or emptying the pool refuse the whole request with a detail naming the nodes', () => {
    expect(planDelete(['a', 'x'], nodes(a, b), 2, NOW)).toEqual({ ok: false, detail: 'deleteNodeNames: x is not in the pool', failures: [nodeNotFound('x')] });
    const locked = planDelete(['a', 'b'], nodes(a, { ...b, lockedActions: ['delete'] }), 2, NOW);
    expect(locked).toEqual({ ok: false, detail: 'deleteNodeNames: b is locked against deletion; unlock first', failures: [nodeLocked('b', ['delete'])] });
    expect(planDelete(['a', 'b'], nodes(a, b), 2, NOW)).toEqual({ ok: false, detail: 'deleteNodeNames: a pool must keep at least one node', failures: [] });
  });

  it('sends nodes Deleting until the given time, and accepts nodes already Deleting without change', () => {
    const deleting = state('c', { phase: 'Deleting' });
    const plan = planDelete(['a', 'c'], nodes(a, b, deleting), 2, NOW + 3000);
    expect(plan).toEqual({
      ok: true,
      decisions: [
        { name: 'a', ok: true, delta: { nodeId: a.id, setPhase: { phase: 'Deleting', until: NOW + 3000 } } },
        { name: 'c', ok: true, delta: { nodeId: deleting.id } },
      ],
    });
  });

  it('shrinks spec.resources by each deleted node, dropping empty groups and AZ counts', () => {
    const resources = [
      { flavor: 'f1', count: 3, azs: [{ az: 'z1', count: 2 }, { az: 'z2', count: 1 }] },
      { flavor: 'f2', count: 1, nodePool: 'np' },
    ];
    const out = shrinkResources(resources, [
      { flavor: 'f1', nodePool: null, az: 'z2' },
      { flavor: 'f2', nodePool: 'np', az: 'z1' },
    ]);
    expect(out).toEqual([{ flavor: 'f1', count: 2, azs: [{ az: 'z1', count: 2 }] }]);
    expect(resources[0]!.count).toBe(3);
  });
});

describe('reboot', () => {
  it('reboots Available nodes not mid-upgrade; a delete lock does not block it; faults mark the reboot to fail', () => {
    const ok = state('ok', { lockedActions: ['delete'] });
    const abnormal = state('ab', { phase: 'Abnormal' });
    const upgrading = state('up', { driver: { version: '535', phase: 'Updating', targetVersion: '550', updateStrategy: 'force' } });
    const faulty = state('faulty');
    const faults = new FaultBudget([{ id: 1, pool: null, nodes: ['faulty'], fail: 'reboot', remaining: 1 }], 'pool');
    const decisions = planReboot(['ok', 'x', 'ab', 'up', 'faulty'], nodes(ok, abnormal, upgrading, faulty), faults);
    expect(decisions.map(failureCode)).toEqual([null, 'ModelArts.50005101', 'ModelArts.50004002', 'ModelArts.50004005', null]);
    expect(decisions[0]).toMatchObject({ delta: { reboot: { fail: false } } });
    expect(decisions[4]).toMatchObject({ delta: { reboot: { fail: true } } });
    expect(faults.used).toEqual(new Map([[1, 1]]));
  });
});

describe('drain', () => {
  it('taints and annotates; work drains at the drain time, or at once when there is none; creating/deleting nodes fail', () => {
    const busy = state('busy', { runningJobs: 3 });
    const idle = state('idle');
    const drained = state('drained', { drained: true });
    const creating = state('new', { phase: 'Creating' });
    const decisions = planDrain(['busy', 'idle', 'drained', 'new', 'x'], nodes(busy, idle, drained, creating), NOW, NOW + 5000);
    expect(decisions.map(failureCode)).toEqual([null, null, null, 'ModelArts.50004002', 'ModelArts.50005101']);
    expect(decisions[0]).toMatchObject({ delta: { drain: { until: NOW + 5000 }, addTaints: [{ key: TAINT_DRAIN, effect: 'NoSchedule', value: 'true' }] } });
    expect(decisions[1]).toMatchObject({ delta: { drain: { until: NOW } } });
    expect(decisions[2]).toEqual({ name: 'drained', ok: true, delta: { nodeId: drained.id } });
  });

  it('refuses more work on a cordoned or unavailable node, never less', () => {
    const cordoned = state('c', { runningJobs: 2, taints: [{ key: TAINT_DRAIN, value: 'true', effect: 'NoSchedule', timeAdded: '' }] });
    expect(workloadRefusal(cordoned, 3)).toContain(`${TAINT_DRAIN}:NoSchedule`);
    expect(workloadRefusal(cordoned, 1)).toBeNull();
    expect(workloadRefusal(state('ab', { phase: 'Abnormal' }), 1)).toContain('Abnormal');
    expect(workloadRefusal(state('free'), 10)).toBeNull();
  });
});

describe('driver upgrades', () => {
  const upgradeDecision = (name: string, id: number, updateStrategy: 'force' | 'idle'): NodeDecision => ({
    name,
    ok: true,
    delta: { nodeId: id, driverUpgrade: { version: '550', updateStrategy } },
  });

  it('idle isolates with a NoSchedule taint; force does not; a matching fault marks one upgrade to fail', () => {
    const faults = new FaultBudget([{ id: 7, pool: 'pool', nodes: null, fail: 'driverUpgrade', remaining: 1 }], 'pool');
    const [idle, force] = withUpgradeEffects([upgradeDecision('a', 1, 'idle'), upgradeDecision('b', 2, 'force')], faults, NOW);
    expect(idle).toMatchObject({ delta: { driverUpgrade: { fail: true }, addTaints: [{ key: TAINT_DRIVER_UPGRADE, effect: 'NoSchedule' }] } });
    expect(force).toMatchObject({ delta: { driverUpgrade: { fail: false } } });
    expect(force!.ok && force!.delta.addTaints).toBeUndefined();
  });

  it('fault rules match by pool and node, oldest first, and run out', () => {
    const rules: FaultRule[] = [
      { id: 1, pool: 'other', nodes: null, fail: 'driverUpgrade', remaining: 5 },
      { id: 2, pool: null, nodes: ['b'], fail: 'driverUpgrade', remaining: 1 },
      { id: 3, pool: 'pool', nodes: null, fail: 'reboot', remaining: 1 },
    ];
    const budget = new FaultBudget(rules, 'pool');
    expect(budget.take('driverUpgrade', 'a')).toBeNull();
    expect(budget.take('driverUpgrade', 'b')).toBe(2);
    expect(budget.take('driverUpgrade', 'b')).toBeNull();
    expect(budget.take('reboot', 'a')).toBe(3);
    expect(budget.used).toEqual(new Map([[2, 1], [3, 1]]));
    expect(rules[1]!.remaining).toBe(1);
  });

  it('PatchPool upgrades: locked, upgrading, deleted and unknown nodes fail; nodes in any other phase are scheduled', () => {
    const targets = new Map(['a', 'locked', 'busy', 'x', 'gone', 'checking', 'creating', 'abnormal'].map((n) => [n, '550']));
    const decisions = planPoolDriverUpgrade(
      targets,
      nodes(
        state('a'),
        state('locked', { lockedActions: ['delete'] }),
        state('busy', { driver: { version: '535', phase: 'Pending', targetVersion: '540', updateStrategy: 'idle' } }),
        state('gone', { phase: 'Deleting' }),
        state('checking', { phase: 'Checking' }),
        state('creating', { phase: 'Creating' }),
        state('abnormal', { phase: 'Abnormal' }),
      ),
      'force',
    );
    expect(decisions.map(failureCode)).toEqual([null, 'ModelArts.50004003', 'ModelArts.50004005', 'ModelArts.50005101', 'ModelArts.50004006', null, null, null]);
    for (const i of [0, 5, 6, 7]) expect(decisions[i]).toMatchObject({ delta: { driverUpgrade: { version: '550', updateStrategy: 'force' } } });
  });

  it('PatchPool targets the named accelerators’ nodes not on the version nor already upgrading to it, and not being deleted', () => {
    const node = (name: string, overrides: Partial<PoolNodeDriver> = {}): PoolNodeDriver => ({
      name,
      accelerator: 'gpu',
      phase: 'Available',
      driverVersion: '535',
      driverPhase: 'Running',
      driverTargetVersion: null,
      ...overrides,
    });
    const targets = poolDriverTargets(
      [
        node('old'),
        node('current', { driverVersion: '550' }),
        node('broken', { driverVersion: '550', driverPhase: 'Abnormal' }),
        node('on-its-way', { driverPhase: 'Updating', driverTargetVersion: '550' }),
        node('elsewhere', { driverPhase: 'Pending', driverTargetVersion: '540' }),
        node('failed-to-it', { driverPhase: 'Abnormal', driverTargetVersion: '550' }),
        node('checking', { phase: 'Checking' }),
        node('gone', { phase: 'Deleting' }),
        node('npu', { accelerator: 'npu' }),
        node('cpu', { accelerator: null, driverVersion: null, driverPhase: null }),
      ],
      { gpu: '550' },
    );
    expect([...targets]).toEqual([
      ['old', '550'],
      ['broken', '550'],
      ['elsewhere', '550'],
      ['failed-to-it', '550'],
      ['checking', '550'],
    ]);
    expect([...poolDriverTargets([node('npu', { accelerator: 'npu' })], { gpu: '550', npu: '24.1' })]).toEqual([['npu', '24.1']]);
  });

  it('a pool’s driver state is Running only when every node runs the version it shows', () => {
    const running = (version: string, count = 1) => ({ driverPhase: 'Running', driverVersion: version, count });
    expect(poolDriverState('Running', [running('550', 3)], '550')).toBe('Running');
    expect(poolDriverState('Running', [running('550', 2), running('535')], '550')).toBe('Abnormal');
    expect(poolDriverState('Running', [running('550'), { driverPhase: 'Abnormal', driverVersion: '550' }], '550')).toBe('Abnormal');
    expect(poolDriverState('Running', [running('535'), { driverPhase: 'Pending', driverVersion: '535' }], '550')).toBe('Upgrading');
    expect(poolDriverState('Running', [{ driverPhase: 'Abnormal', driverVersion: '535' }, { driverPhase: 'Updating', driverVersion: '535' }], '550')).toBe('Upgrading');
    expect(poolDriverState('Creating', [running('535')], '550')).toBe('Creating');
    expect(poolDriverState('Abnormal', [running('550')], '550')).toBe('Running');
  });

  it('may start when Available and force, or idle with no work', () => {
    expect(upgradeCanStart('Available', 'force', 3)).toBe(true);
    expect(upgradeCanStart('Available', 'idle', 3)).toBe(false);
    expect(upgradeCanStart('Available', 'idle', 0)).toBe(true);
    expect(upgradeCanStart('Checking', 'force', 0)).toBe(false);
  });

  it('simulated progress: in progress until the duration has passed, then succeeds or fails', () => {
    const failure = { code: 'X', message: 'm' };
    expect(simulatedProgress(NOW, 10_000, NOW + 9_999, null)).toEqual({ state: 'InProgress', checkAt: NOW + 10_000 });
    expect(simulatedProgress(NOW, 10_000, NOW + 10_000, null)).toEqual({ state: 'Succeeded' });
    expect(simulatedProgress(NOW, 10_000, NOW + 10_000, failure)).toEqual({ state: 'Failed', failure });
  });
});

describe('state machine over time (model)', () => {
  const UPGRADE = 10_000;
  const REBOOT = 5_000;
  const step = (n: ModelNode, at: number) => progressNode(n, at, UPGRADE, REBOOT)!;

  it('force: Pending → Updating (work stops) → Running with the new version', () => {
    let n = applyDelta(modelNode('a', { runningJobs: 2 }), { nodeId: 1, driverUpgrade: { version: '550', updateStrategy: 'force' } }, NOW);
    expect(n.driver).toMatchObject({ phase: 'Pending', targetVersion: '550' });
    n = step(n, NOW);
    expect(n.driver).toMatchObject({ phase: 'Updating', startedAt: NOW });
    expect(n.runningJobs).toBe(0);
    n = step(n, NOW + UPGRADE - 1);
    expect(n.driver!.phase).toBe('Updating');
    n = step(n, NOW + UPGRADE);
    expect(n.driver).toEqual({ version: '550', phase: 'Running', targetVersion: null, updateStrategy: null, startedAt: null, fail: false });
    expect(invariantViolation(n)).toBeNull();
  });

  it('idle waits for zero work, keeps the isolation taint until success; a failed upgrade ends Abnormal on the old version', () => {
    const taint = { key: TAINT_DRIVER_UPGRADE, value: 'true', effect: 'NoSchedule' as const, timeAdded: '' };
    let n = applyDelta(modelNode('a', { runningJobs: 1 }), { nodeId: 1, driverUpgrade: { version: '550', updateStrategy: 'idle', fail: true }, addTaints: [taint] }, NOW);
    n = step(n, NOW + 60_000);
    expect(n.driver!.phase).toBe('Pending');
    n = step({ ...n, runningJobs: 0 }, NOW + 60_000);
    expect(n.driver!.phase).toBe('Updating');
    n = step(n, NOW + 60_000 + UPGRADE);
    expect(n.driver).toMatchObject({ version: '535', phase: 'Abnormal', targetVersion: null });
    expect(n.taints).toEqual([taint]);
    n = step(applyDelta(n, { nodeId: 1, driverUpgrade: { version: '550', updateStrategy: 'idle' } }, NOW), NOW + 100_000);
    n = step(n, NOW + 100_000 + UPGRADE);
    expect(n.driver).toMatchObject({ version: '550', phase: 'Running' });
    expect(n.taints).toEqual([]);
  });

  it('reboot: Checking with work stopped, then Available (or Abnormal when fated to fail)', () => {
    let n = applyDelta(modelNode('a', { runningJobs: 4 }), { nodeId: 1, reboot: { fail: false } }, NOW);
    expect(n).toMatchObject({ phase: 'Checking', runningJobs: 0 });
    n = step(n, NOW + REBOOT - 1);
    expect(n.phase).toBe('Checking');
    expect(step(n, NOW + REBOOT).phase).toBe('Available');
    const failing = applyDelta(modelNode('b'), { nodeId: 2, reboot: { fail: true } }, NOW);
    expect(step(failing, NOW + REBOOT)).toMatchObject({ phase: 'Abnormal', reboot: null });
  });

  it('drain: work reaches zero at the drain time; delete: the node disappears at its time', () => {
    const drained = applyDelta(modelNode('a', { runningJobs: 4 }), { nodeId: 1, drain: { until: NOW + 5000 }, addTaints: [{ key: TAINT_DRAIN, value: 'true', effect: 'NoSchedule', timeAdded: '' }] }, NOW);
    expect(step(drained, NOW + 4999).runningJobs).toBe(4);
    expect(step(drained, NOW + 5000)).toMatchObject({ runningJobs: 0, drained: true, drainUntil: null });
    const deleting = applyDelta(modelNode('b'), { nodeId: 2, setPhase: { phase: 'Deleting', until: NOW + 3000 } }, NOW);
    expect(progressNode(deleting, NOW + 2999, UPGRADE, REBOOT)).not.toBeNull();
    expect(progressNode(deleting, NOW + 3000, UPGRADE, REBOOT)).toBeNull();
  });

  it('flags invalid states', () => {
    expect(invariantViolation(modelNode('a', { driver: { version: '1', phase: 'Updating', targetVersion: '2', updateStrategy: 'force', startedAt: null, fail: false } }))).toContain('no upgrade started');
    expect(invariantViolation(modelNode('a', { phase: 'Deleting', lockedActions: ['delete'] }))).toContain('locked');
    expect(invariantViolation(modelNode('a', { drained: true }))).toContain('drain taint');
    expect(invariantViolation(modelNode('a', { reboot: { startedAt: NOW, fail: false } }))).toContain('reboot');
  });
});

describe('what a caller reads: codes, reasons and the names poolkeeper documents', () => {
  it('each refusal carries its documented code and says why', () => {
    expect(planLock(['gone'], nodes(state('gone', { phase: 'Deleting' })), ['delete'])[0]).toEqual({
      name: 'gone',
      ok: false,
      failure: { code: 'ModelArts.50004006', message: 'Node gone is being deleted.' },
    });
    const upgrading = { version: '535', phase: 'Pending' as const, targetVersion: '550', updateStrategy: 'idle' as const };
    expect(planReboot(['ab', 'up'], nodes(state('ab', { phase: 'Abnormal' }), state('up', { driver: upgrading })), noFaults())).toEqual([
      { name: 'ab', ok: false, failure: { code: 'ModelArts.50004002', message: 'Node ab is Abnormal; only Available nodes can be rebooted.' } },
      {
        name: 'up',
        ok: false,
        failure: { code: 'ModelArts.50004005', message: 'Node up has a driver upgrade in progress (driver phase Pending); it cannot be rebooted until the upgrade ends.' },
      },
    ]);
    expect(planDrain(['new', 'gone'], nodes(state('new', { phase: 'Creating' }), state('gone', { phase: 'Deleting' })), NOW, NOW + 5000)).toEqual([
      { name: 'new', ok: false, failure: { code: 'ModelArts.50004002', message: 'Node new is Creating; only Available, Abnormal or Checking nodes can be drained.' } },
      { name: 'gone', ok: false, failure: { code: 'ModelArts.50004002', message: 'Node gone is Deleting; only Available, Abnormal or Checking nodes can be drained.' } },
    ]);
    expect(planPoolDriverUpgrade(new Map([['chk', '550'], ['up', '550']]), nodes(state('chk', { phase: 'Checking' }), state('up', { driver: { ...upgrading, phase: 'Updating' } })), 'idle')).toEqual([
      // Not Available yet: queued, it starts when the node is (a pool-wide upgrade leaves no node behind).
      { name: 'chk', ok: true, delta: { nodeId: expect.any(Number), driverUpgrade: { version: '550', updateStrategy: 'idle' } } },
      {
        name: 'up',
        ok: false,
        failure: { code: 'ModelArts.50004005', message: 'Node up has a driver upgrade in progress (driver phase Updating); it cannot be upgraded again until the upgrade ends.' },
      },
    ]);
  });

  it('the isolation taints are the documented ones', () => {
    const [idle] = withUpgradeEffects([{ name: 'a', ok: true, delta: { nodeId: 1, driverUpgrade: { version: '550', updateStrategy: 'idle' } } }], noFaults(), NOW);
    expect(idle).toEqual({
      name: 'a',
      ok: true,
      delta: {
        nodeId: 1,
        driverUpgrade: { version: '550', updateStrategy: 'idle', fail: false },
        addTaints: [{ key: 'os.modelarts.node/driver.upgrade', value: 'true', effect: 'NoSchedule', timeAdded: '2026-11-28T12:00:00Z' }],
      },
    });
    const [drain] = planDrain(['a'], nodes(state('a')), NOW, NOW + 5000);
    expect(drain).toMatchObject({ delta: { addTaints: [{ key: 'os.modelarts.node/drain', value: 'true', effect: 'NoSchedule', timeAdded: '2026-11-28T12:00:00Z' }] } });
  });
});

describe('lifecycle planners: edge cases', () => {
  it('locks are kept sorted and unlocking removes only the named actions', () => {
    expect(planLock(['a'], nodes(state('a', { lockedActions: ['scale'] })), ['delete'])[0]).toMatchObject({ delta: { setLockedActions: ['delete', 'scale'] } });
    expect(planUnlock(['a'], nodes(state('a', { lockedActions: ['delete'] })), [])[0]).toMatchObject({ delta: { setLockedActions: ['delete'] } });
  });

  it('delete refusals list up to five names, with the verb agreeing', () => {
    const many = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
    expect(planDelete(many, nodes(state('a')), 1, NOW)).toEqual({
      ok: false,
      detail: 'deleteNodeNames: n1, n2, n3, n4, n5 and 2 more are not in the pool',
      failures: many.map(nodeNotFound),
    });
    expect(planDelete(many.slice(0, 5), nodes(state('a')), 1, NOW)).toEqual({
      ok: false,
      detail: 'deleteNodeNames: n1, n2, n3, n4, n5 are not in the pool',
      failures: many.slice(0, 5).map(nodeNotFound),
    });
    const locked = ['a', 'b'].map((n) => state(n, { lockedActions: ['delete'] }));
    expect(planDelete(['a', 'b'], nodes(...locked, state('c')), 3, NOW)).toEqual({
      ok: false,
      detail: 'deleteNodeNames: a, b are locked against deletion; unlock first',
      failures: ['a', 'b'].map((n) => nodeLocked(n, ['delete'])),
    });
  });

  it('delete: nodes already Deleting do not count against the last live node', () => {
    const deleting = state('d', { phase: 'Deleting' });
    expect(planDelete(['a', 'd'], nodes(state('a'), deleting), 2, NOW)).toMatchObject({ ok: true });
    expect(planDelete(['a', 'd'], nodes(state('a'), deleting), 1, NOW)).toEqual({ ok: false, detail: 'deleteNodeNames: a pool must keep at least one node', failures: [] });
  });

  it('nodes without a driver reboot and upgrade', () => {
    expect(planReboot(['a'], nodes(state('a', { driver: null })), noFaults())[0]).toMatchObject({ ok: true, delta: { reboot: { fail: false } } });
    expect(planPoolDriverUpgrade(new Map([['a', '550']]), nodes(state('a', { driver: null })), 'force')[0]).toMatchObject({ ok: true });
  });

  it('upgrade effects leave failed decisions and decisions without an upgrade alone', () => {
    const failed: NodeDecision = { name: 'x', ok: false, failure: { code: 'C', message: 'm' } };
    const plain: NodeDecision = { name: 'a', ok: true, delta: { nodeId: 1, setLabels: { k: 'v' } } };
    const faults = new FaultBudget([{ id: 1, pool: null, nodes: null, fail: 'driverUpgrade', remaining: 5 }], 'pool');
    expect(withUpgradeEffects([failed, plain], faults, NOW)).toEqual([failed, { name: 'a', ok: true, delta: { nodeId: 1, setLabels: { k: 'v' } } }]);
    expect(faults.used.size).toBe(0);
  });

  it('more work is refused only when it grows, on a node that is not Available or carries a NoSchedule or NoExecute taint', () => {
    const noExecute = state('e', { runningJobs: 1, taints: [{ key: 'k', value: 'v', effect: 'NoExecute', timeAdded: '' }] });
    expect(workloadRefusal(noExecute, 2)).toBe('runningJobs: node e has the taint k:NoExecute; no new work can land on it');
    expect(workloadRefusal(noExecute, 1)).toBeNull();
    expect(workloadRefusal(state('c', { phase: 'Checking', runningJobs: 1 }), 2)).toBe('runningJobs: node c is Checking; no new work can land on it');
  });
});

describe('shrinkResources: which group and az lose the node', () => {
  it('matches flavor and node pool; an unknown group changes nothing; maxCount follows count', () => {
    const resources = [
      { flavor: 'f1', count: 2, maxCount: 2 },
      { flavor: 'f1', count: 2, nodePool: 'np' },
    ];
    expect(
      shrinkResources(resources, [
        { flavor: 'f1', nodePool: 'np', az: 'z' },
        { flavor: 'f2', nodePool: null, az: 'z' },
        { flavor: 'f1', nodePool: 'other', az: 'z' },
      ]),
    ).toEqual([
      { flavor: 'f1', count: 2, maxCount: 2 },
      { flavor: 'f1', count: 1, nodePool: 'np' },
    ]);
    expect(shrinkResources(resources, [{ flavor: 'f1', nodePool: null, az: 'z' }])).toEqual([
      { flavor: 'f1', count: 1, maxCount: 1 },
      { flavor: 'f1', count: 2, nodePool: 'np' },
    ]);
  });

  it("takes the node's own az when it has nodes there, else the first az with nodes; the input is not changed", () => {
    const resources = [{ flavor: 'f', count: 3, azs: [{ az: 'z0', count: 0 }, { az: 'z1', count: 1 }, { az: 'z2', count: 2 }] }];
    expect(shrinkResources(resources, [{ flavor: 'f', nodePool: null, az: 'z2' }])).toEqual([{ flavor: 'f', count: 2, azs: [{ az: 'z1', count: 1 }, { az: 'z2', count: 1 }] }]);
    expect(shrinkResources(resources, [{ flavor: 'f', nodePool: null, az: 'z0' }])).toEqual([{ flavor: 'f', count: 2, azs: [{ az: 'z2', count: 2 }] }]);
    expect(shrinkResources(resources, [{ flavor: 'f', nodePool: null, az: 'elsewhere' }])).toEqual([{ flavor: 'f', count: 2, azs: [{ az: 'z2', count: 2 }] }]);
    expect(resources).toEqual([{ flavor: 'f', count: 3, azs: [{ az: 'z0', count: 0 }, { az: 'z1', count: 1 }, { az: 'z2', count: 2 }] }]);
  });
});

describe('the model: applyDelta and progressNode', () => {
  const UPGRADE = 10_000;
  const REBOOT = 5_000;
  const ha = (effect: 'NoSchedule' | 'NoExecute') => ({ key: 'ha', value: 'true', effect, timeAdded: '' });

  it('sets locks, removes taints by key and effect, and adds a taint only when that key and effect are absent', () => {
    const other = (key: string, effect: 'NoSchedule' | 'NoExecute') => ({ key, value: 'v', effect, timeAdded: '' });
    const n = modelNode('a', { taints: [ha('NoSchedule'), ha('NoExecute'), other('other', 'NoSchedule'), other('gone', 'NoSchedule'), other('keep', 'NoExecute')] });
    const next = applyDelta(
      n,
      {
        nodeId: 1,
        setLockedActions: ['delete'],
        removeTaints: [{ key: 'ha', effect: 'NoExecute' }, { key: 'gone', effect: 'NoSchedule' }],
        addTaints: [{ ...ha('NoSchedule'), timeAdded: 'new' }, { ...ha('NoExecute'), timeAdded: 'new' }],
      },
      NOW,
    );
    expect(next.lockedActions).toEqual(['delete']);
    expect(next.taints).toEqual([ha('NoSchedule'), other('other', 'NoSchedule'), other('keep', 'NoExecute'), { ...ha('NoExecute'), timeAdded: 'new' }]);
    expect(n.taints).toHaveLength(5);
    expect(n.lockedActions).toEqual([]);
  });

  it('a node without a driver keeps none, or gets one with an empty version when an upgrade is scheduled', () => {
    const bare = modelNode('a', { driver: null });
    expect(applyDelta(bare, { nodeId: 1, drain: { until: NOW } }, NOW).driver).toBeNull();
    expect(progressNode(bare, NOW, UPGRADE, REBOOT)).toEqual(bare);
    expect(applyDelta(bare, { nodeId: 1, driverUpgrade: { version: '550', updateStrategy: 'force' } }, NOW).driver).toEqual({
      version: '',
      phase: 'Pending',
      targetVersion: '550',
      updateStrategy: 'force',
      startedAt: null,
      fail: false,
    });
  });

  it('never changes the node it is given', () => {
    const n = modelNode('a', { driver: { version: '535', phase: 'Pending', targetVersion: '550', updateStrategy: 'force', startedAt: null, fail: false } });
    const before = structuredClone(n);
    progressNode(n, NOW, UPGRADE, REBOOT);
    applyDelta(n, { nodeId: 1, driverUpgrade: { version: '560', updateStrategy: 'idle' } }, NOW);
    expect(n).toEqual(before);
  });

  it('a driver that is Running or Abnormal, or an upgrade waiting for work to end, stays as it is', () => {
    const running = modelNode('a');
    expect(progressNode(running, NOW + UPGRADE, UPGRADE, REBOOT)).toEqual(running);
    const abnormal = modelNode('b', { driver: { version: '535', phase: 'Abnormal', targetVersion: null, updateStrategy: null, startedAt: null, fail: false } });
    expect(progressNode(abnormal, NOW + UPGRADE, UPGRADE, REBOOT)).toEqual(abnormal);
    const waiting = modelNode('c', { runningJobs: 2, driver: { version: '535', phase: 'Pending', targetVersion: '550', updateStrategy: 'idle', startedAt: null, fail: false } });
    expect(progressNode(waiting, NOW, UPGRADE, REBOOT)).toEqual(waiting);
  });

  it('a reboot ends only for a Checking node, and only a Deleting node whose time has come disappears', () => {
    const rebootingButDeleting = modelNode('a', { phase: 'Deleting', phaseUntil: null, reboot: { startedAt: NOW, fail: false } });
    expect(progressNode(rebootingButDeleting, NOW + REBOOT, UPGRADE, REBOOT)).toEqual(rebootingButDeleting);
    const checkingWithoutReboot = modelNode('b', { phase: 'Checking' });
    expect(progressNode(checkingWithoutReboot, NOW + REBOOT, UPGRADE, REBOOT)).toEqual(checkingWithoutReboot);
    const due = modelNode('c', { phaseUntil: NOW });
    expect(progressNode(due, NOW, UPGRADE, REBOOT)).toEqual(due);
    const deletingForever = modelNode('d', { phase: 'Deleting', phaseUntil: null });
    expect(progressNode(deletingForever, NOW, UPGRADE, REBOOT)).toEqual(deletingForever);
  });

  it('names each broken rule', () => {
    const driver = { version: '1', startedAt: null, fail: false, updateStrategy: null };
    expect(invariantViolation(modelNode('a', { driver: { ...driver, phase: 'Pending', targetVersion: null } }))).toBe('a: driver Pending without a target version');
    expect(invariantViolation(modelNode('a', { driver: { ...driver, phase: 'Running', targetVersion: '2' } }))).toBe('a: driver Running still has a target version');
    expect(invariantViolation(modelNode('a', { driver: { ...driver, phase: 'Updating', targetVersion: '2' } }))).toBe('a: driver Updating but no upgrade started');
    expect(invariantViolation(modelNode('a', { driver: { ...driver, phase: 'Updating', targetVersion: '2', startedAt: NOW } }))).toBeNull();
    expect(invariantViolation(modelNode('a', { driver: null }))).toBeNull();
    expect(invariantViolation(modelNode('a', { runningJobs: -1 }))).toBe('a: negative running jobs');
    expect(invariantViolation(modelNode('a', { phase: 'Checking', reboot: { startedAt: NOW, fail: false } }))).toBeNull();
    expect(invariantViolation(modelNode('a', { drained: true, taints: [{ key: TAINT_DRAIN, value: 'true', effect: 'NoSchedule', timeAdded: '' }] }))).toBeNull();
    expect(invariantViolation(modelNode('a', { drained: true, taints: [{ key: 'other', value: 'true', effect: 'NoSchedule', timeAdded: '' }] }))).toBe('a: drained without the drain taint');
  });
});
