import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeDecision } from '../../src/domain/node-update-planner.js';
import type { NodeDelta } from '../../src/domain/node.js';
import { OPERATION_SCAN_LIMIT, type OperationListQuery } from '../../src/store/operation-list.js';
import type { NewNode, PoolRecord, Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** The operations-list part of the Store contract; this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef05';
const OTHER_PROJECT = 'abcdefabcdefabcdefabcdefabcdef06';
const ACCOUNT = 'c'.repeat(32);
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
let store: Store;
let opened: TestStore;
let opSeq = 0;

async function createPool(name: string, nodeNames: string[], projectId = PROJECT): Promise<PoolRecord> {
  const nodes: NewNode[] = nodeNames.map((nodeName, i) => ({
    name: nodeName,
    flavor: 'modelarts.vm.gpu.t4u8',
    az: 'local-1a',
    privateIp: `192.168.1.${i + 2}`,
    nodePool: null,
    phase: 'Available',
    phaseUntil: null,
    driverVersion: '535.1',
  }));
  return store.createPool(
    {
      projectId,
      name,
      phase: 'Running',
      labels: {},
      annotations: {},
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: nodes.length }] },
      createdAt: T0,
      resourceVersion: 1,
    },
    nodes,
  );
}

type Entry = [name: string, delta?: Omit<NodeDelta, 'nodeId'>] | [name: string, failure: { code: string; message: string }];

/** Records one call on `pool` (ids in creation order): each entry succeeds with its delta, or fails with its failure. */
async function record(pool: PoolRecord, operation: string, entries: Entry[], action: string | null = null): Promise<string> {
  opSeq += 1;
  const id = `01900000-0000-7000-8000-${String(opSeq).padStart(12, '0')}`;
  await store.updateNodes(
    pool.id,
    entries.map(([name]) => name),
    {},
    (nodes) =>
      entries.map(([name, detail]): NodeDecision => {
        if (detail && 'code' in detail) return { name, ok: false, failure: detail };
        return { name, ok: true, delta: { nodeId: nodes.get(name)!.id, ...(detail ?? {}) } };
      }),
    { id, projectId: pool.projectId, poolName: pool.name, operation, action, principal: 'admin@acme', requestId: `r${opSeq}`, createdAt: T0 + opSeq * 1000 },
  );
  return id;
}

function list(query: Partial<OperationListQuery>) {
  return store.listOperations({ projectId: PROJECT, pool: null, kind: null, node: null, before: null, limit: 50, ...query });
}

async function ids(query: Partial<OperationListQuery>): Promise<string[]> {
  return (await list(query)).items.map((item) => item.id);
}

const LOCKED = { code: 'ModelArts.50004003', message: 'Node is locked.' };

beforeAll(async () => {
  opened = await openTestStore({ accountId: ACCOUNT, accountName: 'lists', projectId: PROJECT, userId: 'w'.repeat(32), accessKey: 'AK5', createdAt: T0 });
  store = opened.store;
  await store.createProject({ id: OTHER_PROJECT, accountId: ACCOUNT, name: 'other', createdAt: T0 });
});

afterAll(async () => {
  await opened.close();
});

describe(`Store operations list (${TEST_DIALECT})`, () => {
  // Runs first: it counts every record of the project.
  it('lists the project’s records newest first, in pages whose cursors follow one another, and nothing of another project', async () => {
    const a = await createPool('list-a', ['a-0', 'a-1']);
    const b = await createPool('list-b', ['b-0']);
    const other = await createPool('list-other', ['o-0'], OTHER_PROJECT);
    const written: string[] = [];
    for (let i = 0; i < 7; i++) {
      written.push(await record(i % 2 === 0 ? a : b, 'BatchLockPoolNodes', [[i % 2 === 0 ? 'a-0' : 'b-0', { setLockedActions: ['delete'] }]], 'delete'));
      if (i === 3) await record(other, 'BatchLockPoolNodes', [['o-0']]);
    }
    const newestFirst = [...written].reverse();

    const first = await list({ limit: 3 });
    expect(first.items.map((i) => i.id)).toEqual(newestFirst.slice(0, 3));
    expect(first.next).toBe(newestFirst[2]);
    const second = await list({ limit: 3, before: first.next });
    expect(second.items.map((i) => i.id)).toEqual(newestFirst.slice(3, 6));
    const third = await list({ limit: 3, before: second.next });
    expect(third.items.map((i) => i.id)).toEqual(newestFirst.slice(6));
    expect(third.next).toBeNull();
    expect(await ids({ limit: 7 })).toEqual(newestFirst);
    expect((await list({ limit: 7 })).next).toBeNull();

    expect(first.items[0]).toEqual({
      id: newestFirst[0],
      projectId: PROJECT,
      poolName: a.name,
      operation: 'BatchLockPoolNodes',
      action: 'delete',
      principal: 'admin@acme',
      requestId: 'r8',
      createdAt: T0 + 8000,
      successCount: 1,
      failCount: 0,
      completion: { succeeded: 1, failed: 0, pending: 0 },
    });
    expect((await store.listOperations({ projectId: OTHER_PROJECT, pool: null, kind: null, node: null, before: null, limit: 50 })).items.map((i) => i.poolName)).toEqual([other.name]);
  });

  it('filters by pool and by kind, alone and together', async () => {
    const p = await createPool('filter-p', ['p-0', 'p-1']);
    const q = await createPool('filter-q', ['q-0']);
    const pLock = await record(p, 'BatchLockPoolNodes', [['p-0']]);
    const qLock = await record(q, 'BatchLockPoolNodes', [['q-0']]);
    const pReboot = await record(p, 'BatchRebootPoolNodes', [['p-1', LOCKED]]);
    const qDrain = await record(q, 'BatchDrainPoolNodes', [['q-0', { drain: { until: T0 } }]]);
    expect(await ids({ pool: p.name })).toEqual([pReboot, pLock]);
    expect(await ids({ pool: q.name })).toEqual([qDrain, qLock]);
    expect((await ids({ kind: 'BatchLockPoolNodes' })).slice(0, 2)).toEqual([qLock, pLock]);
    expect(await ids({ kind: 'BatchLockPoolNodes', pool: q.name })).toEqual([qLock]);
    expect(await ids({ kind: 'BatchDeletePoolNodes', pool: q.name })).toEqual([]);
    expect(await ids({ pool: `${p.name}-nope` })).toEqual([]);
  });

  it('finds the records that name a node, successes and failures alike, and no other', async () => {
    // Names that are JSON keys or values of a failure entry, and names that are prefixes of one another.
    const pool = await createPool('node-filter', ['gpu-1', 'gpu-10', 'gpu-1x', 'name', 'failed', 'status']);
    const only10 = await record(pool, 'BatchLockPoolNodes', [['gpu-10']]);
    const failedFirst = await record(pool, 'BatchLockPoolNodes', [['gpu-1', { code: 'X', message: 'Node "gpu-10" and name: failed' }], ['name']]);
    const middle = await record(pool, 'BatchLockPoolNodes', [['gpu-1x'], ['gpu-1'], ['gpu-10']]);
    const quoted = await record(pool, 'BatchLockPoolNodes', [['gpu-10', { code: 'X', message: '"gpu-1", "status", "failed"' }]]);
    const last = await record(pool, 'BatchLockPoolNodes', [['status'], ['failed']]);
    const of = (node: string) => ids({ pool: pool.name, node });
    expect(await of('gpu-1')).toEqual([middle, failedFirst]);
    expect(await of('gpu-10')).toEqual([quoted, middle, only10]);
    expect(await of('gpu-1x')).toEqual([middle]);
    expect(await of('name')).toEqual([failedFirst]);
    expect(await of('failed')).toEqual([last]);
    expect(await of('status')).toEqual([last]);
    expect(await of('gpu')).toEqual([]);
    expect(await ids({ pool: pool.name, node: 'gpu-10', limit: 2 })).toEqual([quoted, middle]);
    expect(await ids({ pool: pool.name, node: 'gpu-10', kind: 'BatchRebootPoolNodes' })).toEqual([]);
  });

  it(`reads at most ${OPERATION_SCAN_LIMIT} records per call under a kind or node filter, and its cursor reads on`, async () => {
    const pool = await createPool('scan-limit', ['s-0']);
    const old = await record(pool, 'BatchRebootPoolNodes', [['s-0', LOCKED]]);
    const newer: string[] = [];
    for (let i = 0; i < OPERATION_SCAN_LIMIT; i++) newer.push(await record(pool, 'BatchLockPoolNodes', []));
    const first = await list({ pool: pool.name, kind: 'BatchRebootPoolNodes' });
    expect(first.items).toEqual([]);
    expect(first.next).toBe(newer[0]);
    const second = await list({ pool: pool.name, kind: 'BatchRebootPoolNodes', before: first.next });
    expect(second.items.map((i) => i.id)).toEqual([old]);
    expect(second.next).toBeNull();
    const byNode = await list({ pool: pool.name, node: 's-0' });
    expect(byNode).toEqual({ items: [], next: newer[0] });
    expect(await ids({ pool: pool.name, node: 's-0', before: byNode.next })).toEqual([old]);
    // Without such a filter a page is as long as asked.
    expect(await ids({ pool: pool.name, limit: 2 })).toEqual([newer.at(-1), newer.at(-2)]);
  });

  it('counts each record’s nodes: done at once, refused, ended and still running; none for drains and deletions', async () => {
    const pool = await createPool('completion', ['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
    const node = async (name: string) => (await store.getNode(pool.id, name))!;
    const upgrade = { driverUpgrade: { version: '550', updateStrategy: 'force' as const } };
    const upgrades = await record(pool, 'BatchUpdatePoolNodes', [['c-0', upgrade], ['c-1', upgrade], ['c-2', LOCKED]], 'closeHaRedundant');
    const tags = await record(pool, 'BatchUpdatePoolNodes', [['c-3'], ['c-4', LOCKED]], 'createTags');
    const reboot = await record(pool, 'BatchRebootPoolNodes', [['c-3', { reboot: { fail: false } }]]);
    const drain = await record(pool, 'BatchDrainPoolNodes', [['c-4', { drain: { until: T0 } }]]);
    const remove = await record(pool, 'BatchDeletePoolNodes', [['c-2', { setPhase: { phase: 'Deleting', until: T0 + 60_000 } }]]);
    const completion = async () => new Map((await list({ pool: pool.name })).items.map((i) => [i.id, i.completion]));

    let seen = await completion();
    expect(seen.get(upgrades)).toEqual({ succeeded: 0, failed: 1, pending: 2 });
    expect(seen.get(tags)).toEqual({ succeeded: 1, failed: 1, pending: 0 });
    expect(seen.get(reboot)).toEqual({ succeeded: 0, failed: 0, pending: 1 });
    expect(seen.get(drain)).toBeNull();
    expect(seen.get(remove)).toBeNull();

    expect((await store.startDriverUpgrades(T0, 10)).map((job) => job.name).sort()).toEqual(['c-0', 'c-1']);
    expect((await completion()).get(upgrades)).toEqual({ succeeded: 0, failed: 1, pending: 2 });
    const [c0, c1, c3] = [await node('c-0'), await node('c-1'), await node('c-3')];
    await store.recordDriverUpgrades(
      [
        { nodeId: c0.id, state: 'Succeeded' },
        { nodeId: c1.id, state: 'Failed', code: 'ModelArts.50005201', message: 'upgrade failed' },
      ],
      T0 + 1000,
    );
    expect((await store.claimReboots(T0 + 3_600_000, 1000, 10)).map((job) => job.name)).toEqual(['c-3']);
    await store.recordReboots([{ nodeId: c3.id, state: 'Succeeded' }], T0 + 1000);

    seen = await completion();
    expect(seen.get(upgrades)).toEqual({ succeeded: 1, failed: 2, pending: 0 });
    expect(seen.get(reboot)).toEqual({ succeeded: 1, failed: 0, pending: 0 });
    expect(seen.get(tags)).toEqual({ succeeded: 1, failed: 1, pending: 0 });
  });
});
