import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAINT_DRAIN, TAINT_DRIVER_UPGRADE } from '../../src/domain/node-lifecycle.js';
import type { NodeDelta } from '../../src/domain/node.js';
import type { NodeDecision } from '../../src/domain/node-update-planner.js';
import type { NewNode, OperationMeta, PoolRecord, Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** The node-lifecycle part of the Store contract; this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef02';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
const TS = '2026-11-28T10:00:00Z';
let store: Store;
let opened: TestStore;
let opSeq = 0;

function newNodes(count: number): NewNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i}`,
    flavor: i === count - 1 ? 'modelarts.vm.cpu.8ud' : 'modelarts.vm.gpu.t4u8',
    az: 'local-1a',
    privateIp: `192.168.0.${i + 2}`,
    nodePool: null,
    phase: 'Available',
    phaseUntil: null,
    driverVersion: i === count - 1 ? null : '535.1',
  }));
}

async function createPool(name: string, count: number): Promise<PoolRecord> {
  return store.createPool(
    {
      projectId: PROJECT,
      name,
      phase: 'Running',
      labels: {},
      annotations: {},
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count }] },
      createdAt: T0,
      resourceVersion: 1,
    },
    newNodes(count),
  );
}

function operation(poolName: string, at = T0): OperationMeta {
  opSeq += 1;
  return {
    id: `00000000-0000-4000-8000-${String(opSeq).padStart(12, '0')}`,
    projectId: PROJECT,
    poolName,
    operation: 'Test',
    action: null,
    principal: 'admin@test',
    requestId: 'r',
    createdAt: at,
  };
}

/** Applies one delta per named node (built from the node id) and returns the operation id. */
async function change(pool: PoolRecord, deltas: Record<string, (id: number) => Omit<NodeDelta, 'nodeId'>>, at = T0): Promise<string> {
  const op = operation(pool.name, at);
  await store.updateNodes(pool.id, Object.keys(deltas), { taints: true }, (nodes) =>
    Object.entries(deltas).map(([name, delta]): NodeDecision => ({ name, ok: true, delta: { nodeId: nodes.get(name)!.id, ...delta(nodes.get(name)!.id) } })),
    op,
  );
  return op.id;
}

const node = async (pool: PoolRecord, name: string) => (await store.getNode(pool.id, name))!;

beforeAll(async () => {
  opened = await openTestStore({ accountId: 'b'.repeat(32), accountName: 'lifecycle', projectId: PROJECT, userId: 'v'.repeat(32), accessKey: 'AK2', createdAt: T0 });
  store = opened.store;
});

afterAll(async () => {
  await opened.close();
});

describe(`Store lifecycle contract (${TEST_DIALECT})`, () => {
  it('applies lock, delete, reboot and drain deltas; deleting abandons a reboot', async () => {
    const pool = await createPool('lc-deltas', 4);
    await store.setRunningJobs(pool.id, 'node-2', 3, () => null);
    await change(pool, {
      'node-0': () => ({ setLockedActions: ['delete'] }),
      'node-1': () => ({ reboot: { fail: true } }),
      'node-2': () => ({ drain: { until: T0 + 5000 }, addTaints: [{ key: TAINT_DRAIN, value: 'true', effect: 'NoSchedule', timeAdded: TS }] }),
    });
    expect((await node(pool, 'node-0')).lockedActions).toEqual(['delete']);
    expect(await node(pool, 'node-1')).toMatchObject({ phase: 'Checking', runningJobs: 0 });
    expect(await node(pool, 'node-2')).toMatchObject({ drained: true, runningJobs: 3, taints: [{ key: TAINT_DRAIN, effect: 'NoSchedule' }] });

    await change(pool, { 'node-1': () => ({ setPhase: { phase: 'Deleting', until: T0 + 3000 } }) });
    expect((await node(pool, 'node-1')).phase).toBe('Deleting');
    expect(await store.claimReboots(T0 + 60_000, 1000, 10)).toEqual([]);

    expect(await store.finishDrains(T0 + 4999)).toBe(0);
    expect(await store.finishDrains(T0 + 5000)).toBe(1);
    expect(await store.finishDrains(T0 + 5000)).toBe(0);
    expect((await node(pool, 'node-2')).runningJobs).toBe(0);
  });

  it('gives the planner the pool spec and live node count, commits a new spec, and writes nothing when the planner throws', async () => {
    const pool = await createPool('lc-spec', 3);
    await change(pool, { 'node-2': () => ({ setPhase: { phase: 'Deleting', until: T0 } }) });
    let seen = -1;
    const op = operation(pool.name);
    await store.updateNodes(pool.id, ['node-0'], { pool: true }, (nodes, context) => {
      seen = context.pool!.liveNodes;
      expect(context.pool!.spec.resources[0]!.count).toBe(3);
      return { decisions: [{ name: 'node-0', ok: true, delta: { nodeId: nodes.get('node-0')!.id } }], spec: { ...context.pool!.spec, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 2 }] } };
    }, op);
    expect(seen).toBe(2);
    const after = (await store.getPool(PROJECT, pool.name))!;
    expect(after.spec.resources[0]!.count).toBe(2);
    expect(after.resourceVersion).toBe(pool.resourceVersion + 1);

    const refused = operation(pool.name);
    await expect(
      store.updateNodes(pool.id, ['node-0'], { pool: true }, () => {
        throw new Error('refused');
      }, refused),
    ).rejects.toThrow('refused');
    expect(await store.getOperation(PROJECT, refused.id)).toBeUndefined();
  });

  it('stores fault rules and spends each use once, even under concurrent requests', async () => {
    const pool = await createPool('lc-faults', 3);
    const rule = await store.createFaultRule({ projectId: PROJECT, pool: pool.name, nodes: ['node-0', 'node-1'], fail: 'reboot', times: 1, createdAt: T0 });
    expect(rule).toMatchObject({ pool: pool.name, nodes: ['node-0', 'node-1'], fail: 'reboot', times: 1, remaining: 1 });
    expect((await store.listFaultRules(PROJECT)).map((r) => r.id)).toContain(rule.id);
    const taken: Array<number | null> = [];
    expect(await store.updateNodes(pool.id, [], {}, (_nodes, context) => {
      expect(context.pool).toBeNull();
      return [];
    }, operation(pool.name))).toEqual([]);
    await Promise.all(
      ['node-0', 'node-1'].map((name) =>
        store.updateNodes(pool.id, [name], { faults: true }, (nodes, context) => {
          taken.push(context.faults.take('reboot', name));
          return [{ name, ok: true, delta: { nodeId: nodes.get(name)!.id } }];
        }, operation(pool.name)),
      ),
    );
    expect(taken.filter((t) => t === rule.id)).toHaveLength(1);
    expect((await store.listFaultRules(PROJECT)).map((r) => r.id)).not.toContain(rule.id);
  });

  it('reads fault rules only for operations that ask for them', async () => {
    const pool = await createPool('lc-no-faults', 1);
    const rule = await store.createFaultRule({ projectId: PROJECT, pool: pool.name, nodes: null, fail: 'reboot', times: 1, createdAt: T0 });
    const taken = await store.updateNodes(pool.id, ['node-0'], {}, (nodes, context) => {
      expect(context.faults.take('reboot', 'node-0')).toBeNull();
      return [{ name: 'node-0', ok: true, delta: { nodeId: nodes.get('node-0')!.id } }];
    }, operation(pool.name));
    expect(taken).toHaveLength(1);
    expect((await store.listFaultRules(PROJECT)).find((r) => r.id === rule.id)?.remaining).toBe(1);
    await store.updateNodes(pool.id, ['node-0'], { faults: true }, (nodes, context) => {
      expect(context.faults.take('reboot', 'node-0')).toBe(rule.id);
      return [{ name: 'node-0', ok: true, delta: { nodeId: nodes.get('node-0')!.id } }];
    }, operation(pool.name));
    expect((await store.listFaultRules(PROJECT)).map((r) => r.id)).not.toContain(rule.id);
  });

  it('sets simulated work unless refused, and 404s unknown nodes', async () => {
    const pool = await createPool('lc-work', 2);
    const ok = await store.setRunningJobs(pool.id, 'node-0', 2, (n) => (n.name === 'node-0' ? null : 'no'));
    expect(ok).toMatchObject({ kind: 'ok', node: { name: 'node-0', runningJobs: 2 } });
    expect(await store.setRunningJobs(pool.id, 'node-0', 5, (n) => `has ${n.runningJobs}`)).toEqual({ kind: 'refused', detail: 'has 2' });
    expect((await node(pool, 'node-0')).runningJobs).toBe(2);
    expect(await store.setRunningJobs(pool.id, 'nope', 1, () => null)).toEqual({ kind: 'not-found' });
  });

  it('summarises node drivers per pool and flavor', async () => {
    const pool = await createPool('lc-drivers', 3);
    expect(await store.countNodeDrivers([pool.id])).toEqual([{ poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', driverPhase: 'Running', driverVersion: '535.1', count: 2 }]);
    const gpu = { flavor: 'modelarts.vm.gpu.t4u8', phase: 'Available', driverVersion: '535.1', driverPhase: 'Running', driverTargetVersion: null };
    expect(await store.listNodeDrivers(pool.id)).toEqual([
      { name: 'node-0', ...gpu },
      { name: 'node-1', ...gpu },
      { name: 'node-2', flavor: 'modelarts.vm.cpu.8ud', phase: 'Available', driverVersion: null, driverPhase: null, driverTargetVersion: null },
    ]);
    expect(await store.countNodeDrivers([])).toEqual([]);
  });

  it('leaves nodes being deleted out of the driver summary, and lists each node’s phase and upgrade target', async () => {
    const pool = await createPool('lc-drivers-2', 3);
    // Checking keeps the upgrade Pending, so it never becomes a job another test's step would pick up.
    await change(pool, {
      'node-0': () => ({ setPhase: { phase: 'Checking', until: null }, driverUpgrade: { version: '550', updateStrategy: 'force' } }),
      'node-1': () => ({ setPhase: { phase: 'Deleting', until: T0 + 60_000 } }),
    });
    expect(await store.countNodeDrivers([pool.id])).toEqual([{ poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', driverPhase: 'Pending', driverVersion: '535.1', count: 1 }]);
    expect((await store.listNodeDrivers(pool.id)).slice(0, 2)).toEqual([
      { name: 'node-0', flavor: 'modelarts.vm.gpu.t4u8', phase: 'Checking', driverVersion: '535.1', driverPhase: 'Pending', driverTargetVersion: '550' },
      { name: 'node-1', flavor: 'modelarts.vm.gpu.t4u8', phase: 'Deleting', driverVersion: '535.1', driverPhase: 'Running', driverTargetVersion: null },
    ]);
  });

  it('keeps an upgrade queued on a node that is not Available and starts it once the node is', async () => {
    // Far after every other test's times: the started job is not due for their claims.
    const later = T0 + 365 * 86_400_000;
    const pool = await createPool('lc-queued', 2);
    await change(pool, { 'node-0': () => ({ setPhase: { phase: 'Checking', until: null }, driverUpgrade: { version: '550', updateStrategy: 'force' } }) });
    expect((await store.startDriverUpgrades(later, 100)).filter((j) => j.poolId === pool.id)).toEqual([]);
    expect((await node(pool, 'node-0')).driver).toMatchObject({ phase: 'Pending', targetVersion: '550' });
    await change(pool, { 'node-0': () => ({ setPhase: { phase: 'Available', until: null } }) });
    expect((await store.startDriverUpgrades(later, 100)).filter((j) => j.poolId === pool.id).map((j) => j.name)).toEqual(['node-0']);
  });

  it('starts, claims and ends driver upgrades exactly once across concurrent callers, recording outcomes', async () => {
    const pool = await createPool('lc-upgrade', 4);
    await store.setRunningJobs(pool.id, 'node-1', 1, () => null);
    await store.setRunningJobs(pool.id, 'node-2', 2, () => null);
    const taint = { key: TAINT_DRIVER_UPGRADE, value: 'true', effect: 'NoSchedule' as const, timeAdded: TS };
    const op = await change(pool, {
      'node-0': () => ({ driverUpgrade: { version: '550', updateStrategy: 'idle' }, addTaints: [taint] }),
      'node-1': () => ({ driverUpgrade: { version: '550', updateStrategy: 'idle' }, addTaints: [taint] }),
      'node-2': () => ({ driverUpgrade: { version: '550', updateStrategy: 'force', fail: true } }),
    });
    expect((await node(pool, 'node-0')).driver).toMatchObject({ phase: 'Pending', targetVersion: '550', updateStrategy: 'idle' });

    const [a, b] = await Promise.all([store.startDriverUpgrades(T0 + 100, 100), store.startDriverUpgrades(T0 + 100, 100)]);
    const started = [...a!, ...b!].filter((j) => j.poolId === pool.id).map((j) => j.name).sort();
    expect(started).toEqual(['node-0', 'node-2']);
    expect(await node(pool, 'node-1')).toMatchObject({ driver: { phase: 'Pending' }, runningJobs: 1 });
    expect(await node(pool, 'node-2')).toMatchObject({ driver: { phase: 'Updating' }, runningJobs: 0 });

    const [c, d] = await Promise.all([store.claimDriverUpgrades(T0 + 100, 30_000, 100), store.claimDriverUpgrades(T0 + 100, 30_000, 100)]);
    const claimed = [...c!, ...d!].filter((j) => j.poolId === pool.id);
    expect(claimed.map((j) => j.name).sort()).toEqual(['node-0', 'node-2']);
    expect(claimed.find((j) => j.name === 'node-2')).toMatchObject({ startedAt: T0 + 100, fail: true, targetVersion: '550', operationId: op });
    expect(await store.claimDriverUpgrades(T0 + 200, 30_000, 100)).toEqual([]);

    const id = (name: string) => claimed.find((j) => j.name === name)!.nodeId;
    expect(await store.recordDriverUpgrades([{ nodeId: id('node-0'), state: 'InProgress', checkAt: T0 + 10_100 }], T0 + 200)).toBe(0);
    expect((await store.claimDriverUpgrades(T0 + 10_099, 30_000, 100)).filter((j) => j.poolId === pool.id)).toEqual([]);
    expect((await store.claimDriverUpgrades(T0 + 10_100, 30_000, 100)).map((j) => j.name)).toEqual(['node-0']);

    const reports = [
      { nodeId: id('node-0'), state: 'Succeeded' as const },
      { nodeId: id('node-2'), state: 'Failed' as const, code: 'ModelArts.50005201', message: 'broken' },
    ];
    const ended = await Promise.all([store.recordDriverUpgrades(reports, T0 + 10_200), store.recordDriverUpgrades(reports, T0 + 10_200)]);
    expect(ended[0]! + ended[1]!).toBe(2);
    expect(await node(pool, 'node-0')).toMatchObject({ driver: { version: '550', phase: 'Running', targetVersion: null, updateStrategy: null }, taints: [] });
    expect(await node(pool, 'node-2')).toMatchObject({ driver: { version: '535.1', phase: 'Abnormal', targetVersion: null } });
    expect(await store.listOperationOutcomes(op)).toEqual([
      { nodeName: 'node-0', status: 'succeeded', completedAt: T0 + 10_200 },
      { nodeName: 'node-2', status: 'failed', errorCode: 'ModelArts.50005201', errorMsg: 'broken', completedAt: T0 + 10_200 },
    ]);
  });

  it('claims and ends reboots exactly once', async () => {
    const pool = await createPool('lc-reboot', 3);
    const op = await change(pool, { 'node-0': () => ({ reboot: { fail: false } }), 'node-1': () => ({ reboot: { fail: true } }) }, T0 + 1000);
    const [a, b] = await Promise.all([store.claimReboots(T0 + 1000, 30_000, 100), store.claimReboots(T0 + 1000, 30_000, 100)]);
    const claimed = [...a!, ...b!].filter((j) => j.poolId === pool.id);
    expect(claimed.map((j) => [j.name, j.startedAt, j.fail, j.operationId]).sort()).toEqual([
      ['node-0', T0 + 1000, false, op],
      ['node-1', T0 + 1000, true, op],
    ]);
    const id = (name: string) => claimed.find((j) => j.name === name)!.nodeId;
    expect(await store.recordReboots([{ nodeId: id('node-0'), state: 'InProgress', checkAt: T0 + 6000 }], T0 + 1000)).toBe(0);
    const reports = [
      { nodeId: id('node-0'), state: 'Succeeded' as const },
      { nodeId: id('node-1'), state: 'Failed' as const, code: 'ModelArts.50005202', message: 'no' },
    ];
    const ended = await Promise.all([store.recordReboots(reports, T0 + 6000), store.recordReboots(reports, T0 + 6000)]);
    expect(ended[0]! + ended[1]!).toBe(2);
    expect((await node(pool, 'node-0')).phase).toBe('Available');
    expect((await node(pool, 'node-1')).phase).toBe('Abnormal');
    expect((await store.listOperationOutcomes(op)).map((o) => [o.nodeName, o.status, o.errorCode])).toEqual([
      ['node-0', 'succeeded', undefined],
      ['node-1', 'failed', 'ModelArts.50005202'],
    ]);
    expect(await store.claimReboots(T0 + 100_000, 30_000, 100)).toEqual([]);
  });

  it('handles a 10,000-node lifecycle batch with set-based statements', async () => {
    const pool = await createPool('lc-large', 10_000);
    const names = Array.from({ length: 10_000 }, (_, i) => `node-${i}`);
    const decisions = await store.updateNodes(pool.id, names, { taints: true }, (nodes) =>
      names.map((name) => ({ name, ok: true, delta: { nodeId: nodes.get(name)!.id, setLockedActions: ['delete'] } })),
      operation(pool.name),
    );
    expect(decisions.every((d) => d.ok)).toBe(true);
    expect((await node(pool, 'node-9999')).lockedActions).toEqual(['delete']);
  });
});
