import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAINT_DRAIN, TAINT_DRIVER_UPGRADE } from '../../src/domain/node-lifecycle.js';
import type { NodeDelta } from '../../src/domain/node.js';
import type { NodeDecision } from '../../src/domain/node-update-planner.js';
import { SqlSimulationStore, type SimulationStore } from '../../src/simulation/simulation-store.js';
import type { OperationMeta } from '../../src/store/operations.js';
import type { NewNode, PoolRecord } from '../../src/store/pools.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** The background-job part of the Store contract (driver upgrades and reboots, one job kind); this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef02';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
const TS = '2026-11-28T10:00:00Z';
let store: Store;
let simulation: SimulationStore;
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
  return store.pools.create(
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
  await store.changes.apply({
    pool: { projectId: PROJECT, name: pool.name },
    nodeNames: Object.keys(deltas),
    read: 'lifecycle',
    taints: true,
    plan: (nodes) => ({
      decisions: Object.entries(deltas).map(([name, delta]): NodeDecision => ({ name, ok: true, delta: { nodeId: nodes.get(name)!.id, ...delta(nodes.get(name)!.id) } })),
    }),
    operation: op,
  });
  return op.id;
}

const node = async (pool: PoolRecord, name: string) => ((await store.nodes.get(pool, name))?.node)!;

beforeAll(async () => {
  opened = await openTestStore({ accountId: 'b'.repeat(32), accountName: 'lifecycle', projectId: PROJECT, userId: 'v'.repeat(32), accessKey: 'AK2', createdAt: T0 });
  store = opened.store;
  simulation = new SqlSimulationStore(opened.context);
});

afterAll(async () => {
  await opened.close();
});

describe(`node jobs (${TEST_DIALECT})`, () => {
  it('applies lock, delete, reboot and drain deltas; deleting abandons a reboot', async () => {
    const pool = await createPool('lc-deltas', 4);
    await simulation.setRunningJobs(pool.id, 'node-2', 3, () => null);
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
    expect(await store.jobs.claim('reboot', T0 + 60_000, 1000, 10)).toEqual([]);
  });

  it('keeps an upgrade queued on a node that is not Available and starts it once the node is', async () => {
    // Far after every other test's times: the started job is not due for their claims.
    const later = T0 + 365 * 86_400_000;
    const pool = await createPool('lc-queued', 2);
    await change(pool, { 'node-0': () => ({ setPhase: { phase: 'Checking', until: null }, driverUpgrade: { version: '550', updateStrategy: 'force' } }) });
    expect((await store.jobs.startUpgrades(later, 100)).filter((j) => j.poolId === pool.id)).toEqual([]);
    expect((await node(pool, 'node-0')).driver).toMatchObject({ phase: 'Pending', targetVersion: '550' });
    await change(pool, { 'node-0': () => ({ setPhase: { phase: 'Available', until: null } }) });
    expect((await store.jobs.startUpgrades(later, 100)).filter((j) => j.poolId === pool.id).map((j) => j.name)).toEqual(['node-0']);
  });

  it('starts, claims and ends driver upgrades exactly once across concurrent callers, recording outcomes', async () => {
    const pool = await createPool('lc-upgrade', 4);
    await simulation.setRunningJobs(pool.id, 'node-1', 1, () => null);
    await simulation.setRunningJobs(pool.id, 'node-2', 2, () => null);
    const taint = { key: TAINT_DRIVER_UPGRADE, value: 'true', effect: 'NoSchedule' as const, timeAdded: TS };
    const op = await change(pool, {
      'node-0': () => ({ driverUpgrade: { version: '550', updateStrategy: 'idle' }, addTaints: [taint] }),
      'node-1': () => ({ driverUpgrade: { version: '550', updateStrategy: 'idle' }, addTaints: [taint] }),
      'node-2': () => ({ driverUpgrade: { version: '550', updateStrategy: 'force', fail: true } }),
    });
    expect((await node(pool, 'node-0')).driver).toMatchObject({ phase: 'Pending', targetVersion: '550', updateStrategy: 'idle' });

    const [a, b] = await Promise.all([store.jobs.startUpgrades(T0 + 100, 100), store.jobs.startUpgrades(T0 + 100, 100)]);
    const started = [...a!, ...b!].filter((j) => j.poolId === pool.id).map((j) => j.name).sort();
    expect(started).toEqual(['node-0', 'node-2']);
    expect(await node(pool, 'node-1')).toMatchObject({ driver: { phase: 'Pending' }, runningJobs: 1 });
    expect(await node(pool, 'node-2')).toMatchObject({ driver: { phase: 'Updating' }, runningJobs: 0 });

    const [c, d] = await Promise.all([store.jobs.claim('driver_upgrade', T0 + 100, 30_000, 100), store.jobs.claim('driver_upgrade', T0 + 100, 30_000, 100)]);
    const claimed = [...c!, ...d!].filter((j) => j.poolId === pool.id);
    expect(claimed.map((j) => j.name).sort()).toEqual(['node-0', 'node-2']);
    expect(claimed.find((j) => j.name === 'node-2')).toMatchObject({ startedAt: T0 + 100, fail: true, targetVersion: '550', operationId: op });
    expect(await store.jobs.claim('driver_upgrade', T0 + 200, 30_000, 100)).toEqual([]);

    const id = (name: string) => claimed.find((j) => j.name === name)!.nodeId;
    expect(await store.jobs.record('driver_upgrade', [{ nodeId: id('node-0'), state: 'InProgress', checkAt: T0 + 10_100 }], T0 + 200)).toBe(0);
    expect((await store.jobs.claim('driver_upgrade', T0 + 10_099, 30_000, 100)).filter((j) => j.poolId === pool.id)).toEqual([]);
    expect((await store.jobs.claim('driver_upgrade', T0 + 10_100, 30_000, 100)).map((j) => j.name)).toEqual(['node-0']);

    const reports = [
      { nodeId: id('node-0'), state: 'Succeeded' as const },
      { nodeId: id('node-2'), state: 'Failed' as const, code: 'ModelArts.50005201', message: 'broken' },
    ];
    const ended = await Promise.all([store.jobs.record('driver_upgrade', reports, T0 + 10_200), store.jobs.record('driver_upgrade', reports, T0 + 10_200)]);
    expect(ended[0]! + ended[1]!).toBe(2);
    expect(await node(pool, 'node-0')).toMatchObject({ driver: { version: '550', phase: 'Running', targetVersion: null, updateStrategy: null }, taints: [] });
    expect(await node(pool, 'node-2')).toMatchObject({ driver: { version: '535.1', phase: 'Abnormal', targetVersion: null } });
    expect(await store.operations.outcomes(op)).toEqual([
      { nodeName: 'node-0', status: 'succeeded', completedAt: T0 + 10_200 },
      { nodeName: 'node-2', status: 'failed', errorCode: 'ModelArts.50005201', errorMsg: 'broken', completedAt: T0 + 10_200 },
    ]);
  });

  it('claims and ends reboots exactly once', async () => {
    const pool = await createPool('lc-reboot', 3);
    const op = await change(pool, { 'node-0': () => ({ reboot: { fail: false } }), 'node-1': () => ({ reboot: { fail: true } }) }, T0 + 1000);
    const [a, b] = await Promise.all([store.jobs.claim('reboot', T0 + 1000, 30_000, 100), store.jobs.claim('reboot', T0 + 1000, 30_000, 100)]);
    const claimed = [...a!, ...b!].filter((j) => j.poolId === pool.id);
    expect(claimed.map((j) => [j.name, j.startedAt, j.fail, j.operationId]).sort()).toEqual([
      ['node-0', T0 + 1000, false, op],
      ['node-1', T0 + 1000, true, op],
    ]);
    const id = (name: string) => claimed.find((j) => j.name === name)!.nodeId;
    expect(await store.jobs.record('reboot', [{ nodeId: id('node-0'), state: 'InProgress', checkAt: T0 + 6000 }], T0 + 1000)).toBe(0);
    const reports = [
      { nodeId: id('node-0'), state: 'Succeeded' as const },
      { nodeId: id('node-1'), state: 'Failed' as const, code: 'ModelArts.50005202', message: 'no' },
    ];
    const ended = await Promise.all([store.jobs.record('reboot', reports, T0 + 6000), store.jobs.record('reboot', reports, T0 + 6000)]);
    expect(ended[0]! + ended[1]!).toBe(2);
    expect((await node(pool, 'node-0')).phase).toBe('Available');
    expect((await node(pool, 'node-1')).phase).toBe('Abnormal');
    expect((await store.operations.outcomes(op)).map((o) => [o.nodeName, o.status, o.errorCode])).toEqual([
      ['node-0', 'succeeded', undefined],
      ['node-1', 'failed', 'ModelArts.50005202'],
    ]);
    expect(await store.jobs.claim('reboot', T0 + 100_000, 30_000, 100)).toEqual([]);
  });
});
