import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeDelta } from '../../src/domain/node.js';
import { PoolExistsError, type NewNode, type PoolRecord } from '../../src/store/pools.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** The pool and node-read parts of the Store contract; this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef01';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
let store: Store;
let opened: TestStore;
let opSeq = 0;

function newNodes(count: number): NewNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${String(i).padStart(5, '0')}`,
    flavor: i % 2 === 0 ? 'modelarts.vm.cpu.8ud' : 'modelarts.vm.gpu.t4u8',
    az: 'local-1a',
    privateIp: `192.168.0.${i + 2}`,
    nodePool: null,
    phase: 'Available',
    phaseUntil: null,
    driverVersion: i % 2 === 0 ? null : '535.1',
  }));
}

/** GPU nodes node-0… and a last CPU one. */
function gpuNodes(count: number): NewNode[] {
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

async function createPool(name: string, nodes: NewNode[]): Promise<PoolRecord> {
  return store.pools.create(
    {
      projectId: PROJECT,
      name,
      phase: 'Running',
      labels: { 'os.modelarts/name': name.slice(0, 6) },
      annotations: {},
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: nodes.length }] },
      createdAt: T0,
      resourceVersion: 1,
    },
    nodes,
  );
}

/** Applies one delta per named node (built from the node id). */
async function change(pool: PoolRecord, deltas: Record<string, Omit<NodeDelta, 'nodeId'>>): Promise<void> {
  opSeq += 1;
  await store.changes.apply({
    pool: { projectId: PROJECT, name: pool.name },
    nodeNames: Object.keys(deltas),
    read: 'lifecycle',
    plan: (nodes) => ({ decisions: Object.entries(deltas).map(([name, delta]) => ({ name, ok: true, delta: { nodeId: nodes.get(name)!.id, ...delta } })) }),
    operation: { id: `00000000-0000-4000-8000-${String(opSeq).padStart(12, '0')}`, projectId: PROJECT, poolName: pool.name, operation: 'Test', action: null, principal: 'admin@test', requestId: 'r', createdAt: T0 },
  });
}

beforeAll(async () => {
  opened = await openTestStore({ accountId: 'a'.repeat(32), accountName: 'acme', projectId: PROJECT, userId: 'u'.repeat(32), accessKey: 'AK1', createdAt: T0 });
  store = opened.store;
});

afterAll(async () => {
  await opened.close();
});

describe(`pools and node reads (${TEST_DIALECT})`, () => {
  it('creates pools with their nodes and refuses a duplicate name', async () => {
    const pool = await createPool('contract-a', newNodes(5));
    expect(pool.id).toBeGreaterThan(0);
    await expect(createPool('contract-a', newNodes(1))).rejects.toBeInstanceOf(PoolExistsError);
    expect((await store.pools.get({ projectId: PROJECT, name: 'contract-a' }))?.resourceVersion).toBe(1);
    expect(await store.pools.get({ projectId: 'f'.repeat(32), name: 'contract-a' })).toBeUndefined();
    expect((await store.pools.list(PROJECT)).map((p) => p.name)).toContain('contract-a');
    const counts = await store.pools.nodeCounts([pool.id]);
    expect(counts.phases).toEqual([
      { poolId: pool.id, flavor: 'modelarts.vm.cpu.8ud', phase: 'Available', count: 3 },
      { poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', phase: 'Available', count: 2 },
    ]);
    expect(await store.pools.show({ projectId: PROJECT, name: 'contract-a' })).toEqual({ pool: await store.pools.get({ projectId: PROJECT, name: 'contract-a' }), counts });
    expect(await store.pools.show({ projectId: PROJECT, name: 'ghost' })).toBeUndefined();
    expect(await store.pools.nodeCounts([])).toEqual({ phases: [], drivers: [] });
    const node = (await store.nodes.get(pool, 'node-00001'))?.node;
    expect(node).toMatchObject({ name: 'node-00001', phase: 'Available', driver: { version: '535.1', phase: 'Running' }, lockedActions: [], taints: [], tags: [] });
    expect((await store.nodes.get(pool, 'ghost'))?.node).toBeUndefined();
    expect(await store.nodes.get(pool, 'ghost')).toEqual({ node: undefined });
    expect(await store.nodes.get({ projectId: PROJECT, name: 'no-such-pool' }, 'node-00001')).toBeUndefined();
    expect(await store.nodes.list({ projectId: PROJECT, name: 'no-such-pool' }, { afterName: null, limit: 2 })).toBeUndefined();
  });

  it('pages nodes by name with the remaining count', async () => {
    const pool = (await store.pools.get({ projectId: PROJECT, name: 'contract-a' }))!;
    const first = (await store.nodes.list(pool, { afterName: null, limit: 2 }))!;
    expect(first.nodes.map((n) => n.name)).toEqual(['node-00000', 'node-00001']);
    expect(first.remaining).toBe(3);
    const last = (await store.nodes.list(pool, { afterName: 'node-00003', limit: 2 }))!;
    expect(last.nodes.map((n) => n.name)).toEqual(['node-00004']);
    expect(last.remaining).toBe(0);
    expect(await store.nodes.list(pool, { afterName: 'node-00004', limit: 2 })).toEqual({ nodes: [], remaining: 0 });
  });

  it('scales with a version check: a stale version changes nothing', async () => {
    const pool = (await store.pools.get({ projectId: PROJECT, name: 'contract-a' }))!;
    const victims = (await store.pools.nodesForScaling(pool.id)).slice(0, 2).map((n) => n.id);
    const scaling = { spec: pool.spec, labels: pool.labels, annotations: pool.annotations, addNodes: [{ ...newNodes(1)[0]!, name: 'node-new01' }], deleteNodeIds: victims, deleteUntil: T0 + 5_000, now: T0 };
    expect(await store.pools.scale(pool.id, pool.resourceVersion, scaling)).toBe(true);
    expect(await store.pools.scale(pool.id, pool.resourceVersion, scaling)).toBe(false);
    expect((await store.pools.get({ projectId: PROJECT, name: pool.name }))!.resourceVersion).toBe(pool.resourceVersion + 1);
    expect((await store.pools.nodeNames(pool.id)).has('node-new01')).toBe(true);
    const deleting = (await store.pools.nodesForScaling(pool.id)).filter((n) => n.phase === 'Deleting');
    expect(deleting.map((n) => n.id).sort()).toEqual([...victims].sort());
  });

  it('marks a pool and its nodes Deleting', async () => {
    const pool = await createPool('contract-gone', newNodes(2));
    await store.pools.markDeleting(pool.id, T0 + 7_000, T0 + 8_000);
    expect(await store.pools.get({ projectId: PROJECT, name: pool.name })).toMatchObject({ phase: 'Deleting', deletedAt: T0 + 7_000, resourceVersion: pool.resourceVersion + 1 });
    expect(((await store.nodes.list(pool, { afterName: null, limit: 10 }))!).nodes.map((n) => n.phase)).toEqual(['Deleting', 'Deleting']);
  });

  it('summarises node drivers per pool and flavor', async () => {
    const pool = await createPool('lc-drivers', gpuNodes(3));
    expect((await store.pools.nodeCounts([pool.id])).drivers).toEqual([{ poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', driverPhase: 'Running', driverVersion: '535.1', count: 2 }]);
    expect((await store.pools.show({ projectId: PROJECT, name: 'lc-drivers' }))?.counts.drivers).toEqual([
      { poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', driverPhase: 'Running', driverVersion: '535.1', count: 2 },
    ]);
    const gpu = { flavor: 'modelarts.vm.gpu.t4u8', phase: 'Available', driverVersion: '535.1', driverPhase: 'Running', driverTargetVersion: null };
    expect(await store.nodes.drivers(pool.id)).toEqual([
      { name: 'node-0', ...gpu },
      { name: 'node-1', ...gpu },
      { name: 'node-2', flavor: 'modelarts.vm.cpu.8ud', phase: 'Available', driverVersion: null, driverPhase: null, driverTargetVersion: null },
    ]);
    expect((await store.pools.nodeCounts([])).drivers).toEqual([]);
  });

  it('leaves nodes being deleted out of the driver summary, and lists each node’s phase and upgrade target', async () => {
    const pool = await createPool('lc-drivers-2', gpuNodes(3));
    await change(pool, {
      'node-0': { setPhase: { phase: 'Checking', until: null }, driverUpgrade: { version: '550', updateStrategy: 'force' } },
      'node-1': { setPhase: { phase: 'Deleting', until: T0 + 60_000 } },
    });
    expect((await store.pools.nodeCounts([pool.id])).drivers).toEqual([{ poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', driverPhase: 'Pending', driverVersion: '535.1', count: 1 }]);
    expect((await store.pools.show({ projectId: PROJECT, name: 'lc-drivers-2' }))?.counts.phases).toEqual([
      { poolId: pool.id, flavor: 'modelarts.vm.cpu.8ud', phase: 'Available', count: 1 },
      { poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', phase: 'Checking', count: 1 },
      { poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', phase: 'Deleting', count: 1 },
    ]);
    expect((await store.nodes.drivers(pool.id)).slice(0, 2)).toEqual([
      { name: 'node-0', flavor: 'modelarts.vm.gpu.t4u8', phase: 'Checking', driverVersion: '535.1', driverPhase: 'Pending', driverTargetVersion: '550' },
      { name: 'node-1', flavor: 'modelarts.vm.gpu.t4u8', phase: 'Deleting', driverVersion: '535.1', driverPhase: 'Running', driverTargetVersion: null },
    ]);
  });
});
