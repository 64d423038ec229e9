import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAINT_DRAIN } from '../../src/domain/node-lifecycle.js';
import type { NodeDelta } from '../../src/domain/node.js';
import { SqlSimulationStore, type SimulationStore } from '../../src/simulation/simulation-store.js';
import type { NodeChangeContext } from '../../src/store/node-changes.js';
import type { OperationMeta } from '../../src/store/operations.js';
import type { NewNode, PoolRecord } from '../../src/store/pools.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** The simulated backend's own store, on the store's database; this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef03';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
const TS = '2026-11-28T10:00:00Z';
let store: Store;
let simulation: SimulationStore;
let opened: TestStore;
let opSeq = 0;

function newNodes(count: number, phase: NewNode['phase'] = 'Available', phaseUntil: number | null = null): NewNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i}`,
    flavor: 'modelarts.vm.gpu.t4u8',
    az: 'local-1a',
    privateIp: `192.168.0.${i + 2}`,
    nodePool: null,
    phase,
    phaseUntil,
    driverVersion: '535.1',
  }));
}

async function createPool(name: string, nodes: NewNode[], phase: 'Creating' | 'Running' = 'Running'): Promise<PoolRecord> {
  return store.pools.create(
    {
      projectId: PROJECT,
      name,
      phase,
      labels: {},
      annotations: {},
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: nodes.length }] },
      createdAt: T0,
      resourceVersion: 1,
    },
    nodes,
  );
}

function operation(poolName: string): OperationMeta {
  opSeq += 1;
  return { id: `00000000-0000-4000-8000-${String(opSeq).padStart(12, '0')}`, projectId: PROJECT, poolName, operation: 'Test', action: null, principal: 'admin@test', requestId: 'r', createdAt: T0 };
}

/** Runs one change: each named node gets `delta(context)` (an empty delta when that is null). */
async function change(pool: PoolRecord, names: string[], faults: boolean, delta: (name: string, context: NodeChangeContext) => Omit<NodeDelta, 'nodeId'> = () => ({})) {
  return store.changes.apply({
    pool: { projectId: PROJECT, name: pool.name },
    nodeNames: names,
    read: 'lifecycle',
    faults,
    plan: (nodes, context) => ({ decisions: names.map((name) => ({ name, ok: true, delta: { nodeId: nodes.get(name)!.id, ...delta(name, context) } })) }),
    operation: operation(pool.name),
  });
}

const node = async (pool: PoolRecord, name: string) => ((await store.nodes.get(pool, name))?.node)!;

beforeAll(async () => {
  opened = await openTestStore({ accountId: 'c'.repeat(32), accountName: 'simulation', projectId: PROJECT, userId: 'w'.repeat(32), accessKey: 'AK3', createdAt: T0 });
  store = opened.store;
  simulation = new SqlSimulationStore(opened.context);
});

afterAll(async () => {
  await opened.close();
});

describe(`the simulation store (${TEST_DIALECT})`, () => {
  it('advances nodes, pools and drains exactly once per transition', async () => {
    const creating = await createPool('sim-creating', newNodes(3, 'Creating', T0 + 1_000), 'Creating');
    const scaled = await createPool('sim-scaled', newNodes(3));
    const victims = (await store.pools.nodesForScaling(scaled.id)).slice(0, 2).map((n) => n.id);
    await store.pools.scale(scaled.id, scaled.resourceVersion, { spec: scaled.spec, labels: {}, annotations: {}, addNodes: [], deleteNodeIds: victims, deleteUntil: T0 + 5_000, now: T0 });
    await simulation.setRunningJobs(scaled.id, 'node-0', 3, () => null);
    await change(scaled, ['node-0'], false, () => ({ drain: { until: T0 + 5_000 }, addTaints: [{ key: TAINT_DRAIN, value: 'true', effect: 'NoSchedule', timeAdded: TS }] }));
    expect(await simulation.advance(T0 + 999)).toEqual({ nodesAvailable: 0, nodesRemoved: 0, poolsRunning: 0, poolsRemoved: 0, drained: 0 });
    expect(await simulation.advance(T0 + 4_999)).toEqual({ nodesAvailable: 3, nodesRemoved: 0, poolsRunning: 1, poolsRemoved: 0, drained: 0 });
    const [first, second] = await Promise.all([simulation.advance(T0 + 6_000), simulation.advance(T0 + 6_000)]);
    expect(first!.nodesRemoved + second!.nodesRemoved).toBe(2);
    expect(first!.drained + second!.drained).toBe(1);
    expect(first!.nodesAvailable + second!.nodesAvailable + first!.poolsRunning + second!.poolsRunning).toBe(0);
    expect((await store.pools.get({ projectId: PROJECT, name: 'sim-creating' }))!.phase).toBe('Running');
    expect(((await store.nodes.list(creating, { afterName: null, limit: 10 }))!).nodes.every((n) => n.phase === 'Available')).toBe(true);
    expect([...(await store.pools.nodeNames(scaled.id))]).toEqual(['node-0']);
    expect(await node(scaled, 'node-0')).toMatchObject({ drained: true, runningJobs: 0 });

    await store.pools.markDeleting(creating.id, T0 + 7_000, T0 + 8_000);
    expect((await store.pools.get({ projectId: PROJECT, name: 'sim-creating' }))!.phase).toBe('Deleting');
    const removed = await simulation.advance(T0 + 8_000);
    expect(removed.poolsRemoved).toBe(1);
    expect(await store.pools.get({ projectId: PROJECT, name: 'sim-creating' })).toBeUndefined();
  });

  it('drains a drained node\'s work to zero once its time has come', async () => {
    const pool = await createPool('sim-drain', newNodes(2));
    await simulation.setRunningJobs(pool.id, 'node-1', 3, () => null);
    await change(pool, ['node-1'], false, () => ({ drain: { until: T0 + 50_000 }, addTaints: [{ key: TAINT_DRAIN, value: 'true', effect: 'NoSchedule', timeAdded: TS }] }));
    expect(await node(pool, 'node-1')).toMatchObject({ drained: true, runningJobs: 3, taints: [{ key: TAINT_DRAIN, effect: 'NoSchedule' }] });
    expect((await simulation.advance(T0 + 49_999)).drained).toBe(0);
    expect((await simulation.advance(T0 + 50_000)).drained).toBe(1);
    expect((await simulation.advance(T0 + 50_000)).drained).toBe(0);
    expect(await node(pool, 'node-1')).toMatchObject({ drained: true, runningJobs: 0 });
  });

  it('sets a node phase, and reports unknown nodes', async () => {
    const pool = await createPool('sim-phase', newNodes(4));
    expect(await simulation.setNodePhase(pool.id, 'node-3', 'Abnormal')).toBe(true);
    expect((await node(pool, 'node-3')).phase).toBe('Abnormal');
    expect(await simulation.setNodePhase(pool.id, 'ghost', 'Abnormal')).toBe(false);
  });

  it('sets simulated work unless refused, and 404s unknown nodes', async () => {
    const pool = await createPool('sim-work', newNodes(2));
    const ok = await simulation.setRunningJobs(pool.id, 'node-0', 2, (n) => (n.name === 'node-0' ? null : 'no'));
    expect(ok).toMatchObject({ kind: 'ok', node: { name: 'node-0', runningJobs: 2 } });
    expect(await simulation.setRunningJobs(pool.id, 'node-0', 5, (n) => `has ${n.runningJobs}`)).toEqual({ kind: 'refused', detail: 'has 2' });
    expect((await node(pool, 'node-0')).runningJobs).toBe(2);
    expect(await simulation.setRunningJobs(pool.id, 'nope', 1, () => null)).toEqual({ kind: 'not-found' });
  });

  it('stores fault rules, and batch calls spend each use once, even concurrently', async () => {
    const pool = await createPool('sim-faults', newNodes(3));
    const rule = await simulation.createFaultRule({ projectId: PROJECT, pool: pool.name, nodes: ['node-0', 'node-1'], fail: 'reboot', times: 1, createdAt: T0 });
    expect(rule).toMatchObject({ pool: pool.name, nodes: ['node-0', 'node-1'], fail: 'reboot', times: 1, remaining: 1 });
    expect((await simulation.listFaultRules(PROJECT)).map((r) => r.id)).toContain(rule.id);
    const taken: Array<number | null> = [];
    expect(await change(pool, [], false, () => ({}))).toEqual({ kind: 'applied', decisions: [] });
    await Promise.all(
      ['node-0', 'node-1'].map((name) =>
        change(pool, [name], true, (n, context) => {
          expect(context.pool).toBeNull();
          taken.push(context.faults.take('reboot', n));
          return {};
        }),
      ),
    );
    expect(taken.filter((t) => t === rule.id)).toHaveLength(1);
    expect((await simulation.listFaultRules(PROJECT)).map((r) => r.id)).not.toContain(rule.id);
  });

  it('gives batch calls the fault rules only when they ask for them', async () => {
    const pool = await createPool('sim-no-faults', newNodes(1));
    const rule = await simulation.createFaultRule({ projectId: PROJECT, pool: pool.name, nodes: null, fail: 'reboot', times: 1, createdAt: T0 });
    await change(pool, ['node-0'], false, (_n, context) => {
      expect(context.faults.take('reboot', 'node-0')).toBeNull();
      return {};
    });
    expect((await simulation.listFaultRules(PROJECT)).find((r) => r.id === rule.id)?.remaining).toBe(1);
    await change(pool, ['node-0'], true, (_n, context) => {
      expect(context.faults.take('reboot', 'node-0')).toBe(rule.id);
      return {};
    });
    expect((await simulation.listFaultRules(PROJECT)).map((r) => r.id)).not.toContain(rule.id);
  });
});
