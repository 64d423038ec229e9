import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeDecision } from '../../src/domain/node-update-planner.js';
import type { BatchNodeState, NodeDelta, NodeState } from '../../src/domain/node.js';
import type { NodeChange, NodeChangeContext, NodeReadKind, NodeStates } from '../../src/store/node-changes.js';
import type { NodeRecord } from '../../src/store/node-rows.js';
import type { OperationMeta } from '../../src/store/operations.js';
import type { NewNode, PoolRecord } from '../../src/store/pools.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** The node-change part of the Store contract (every batch call's one transaction); this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef01';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
let store: Store;
let opened: TestStore;

function newNodes(count: number): NewNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${String(i).padStart(5, '0')}`,
    flavor: i % 2 === 0 ? 'modelarts.vm.cpu.8ud' : 'modelarts.vm.gpu.t4u8',
    az: 'local-1a',
    privateIp: `192.168.0.${(i % 250) + 2}`,
    nodePool: null,
    phase: 'Available',
    phaseUntil: null,
    driverVersion: i % 2 === 0 ? null : '535.1',
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

function operation(id: string, poolName: string): OperationMeta {
  return { id, projectId: PROJECT, poolName, operation: 'BatchUpdatePoolNodes', action: 'createTags', principal: 'admin@test', requestId: 'r1', createdAt: T0 };
}

type Needs<R extends NodeReadKind> = Omit<NodeChange<R>, 'pool' | 'nodeNames' | 'read' | 'plan' | 'operation'>;

/** Applies `decide`'s decisions to the named nodes of `pool` and answers them (the change must apply). */
async function apply<R extends NodeReadKind>(
  pool: { name: string },
  read: R,
  nodeNames: string[],
  needs: Needs<R>,
  decide: (nodes: ReadonlyMap<string, NodeStates[R]>, context: NodeChangeContext) => NodeDecision[],
  op: OperationMeta,
): Promise<NodeDecision[]> {
  const outcome = await store.changes.apply({ pool: { projectId: PROJECT, name: pool.name }, nodeNames, read, ...needs, plan: (nodes, context) => ({ decisions: decide(nodes, context) }), operation: op });
  if (outcome.kind !== 'applied') throw new Error(`not applied: ${outcome.kind}`);
  return outcome.decisions;
}

const node = async (pool: PoolRecord, name: string) => ((await store.nodes.get(pool, name))?.node)!;

beforeAll(async () => {
  opened = await openTestStore({ accountId: 'a'.repeat(32), accountName: 'acme', projectId: PROJECT, userId: 'u'.repeat(32), accessKey: 'AK1', createdAt: T0 });
  store = opened.store;
});

afterAll(async () => {
  await opened.close();
});

describe(`node changes (${TEST_DIALECT})`, () => {
  it('applies deltas for successful decisions only and records the operation', async () => {
    const pool = await createPool('contract-a', newNodes(5));
    let seen: ReadonlyMap<string, NodeState> | undefined;
    const decisions = await apply(
      pool,
      'lifecycle',
      ['node-00000', 'node-00001', 'ghost'],
      { taints: true },
      (nodes) => {
        seen = nodes;
        const a = nodes.get('node-00000')!;
        const b = nodes.get('node-00001')!;
        return [
          {
            name: a.name,
            ok: true,
            delta: {
              nodeId: a.id,
              setLabels: { l: 'x' },
              addTaints: [{ key: 't', value: 'v', effect: 'NoSchedule', timeAdded: '2026-11-28T10:00:00Z' }],
              upsertTags: [{ key: 'env', value: 'prod' }, { key: '环境', value: '测试' }],
              driverUpgrade: { version: '550.0', updateStrategy: 'force' },
            },
          },
          { name: b.name, ok: false, failure: { code: 'X.1', message: 'no' } },
          { name: 'ghost', ok: false, failure: { code: 'X.2', message: 'missing' } },
        ] satisfies NodeDecision[];
      },
      operation('11111111-1111-1111-1111-111111111111', pool.name),
    );
    expect(decisions.map((d) => d.ok)).toEqual([true, false, false]);
    expect([...seen!.keys()].sort()).toEqual(['node-00000', 'node-00001']);
    const a = await node(pool, 'node-00000');
    expect(a.labels).toEqual({ l: 'x' });
    expect(a.taints).toEqual([{ key: 't', value: 'v', effect: 'NoSchedule', timeAdded: '2026-11-28T10:00:00Z' }]);
    expect(a.tags).toEqual([{ key: 'env', value: 'prod' }, { key: '环境', value: '测试' }]);
    expect(a.driver).toEqual({ version: '', phase: 'Pending', targetVersion: '550.0', updateStrategy: 'force' });
    expect((await node(pool, 'node-00001')).tags).toEqual([]);
    const op = await store.operations.get(PROJECT, '11111111-1111-1111-1111-111111111111');
    expect(op).toMatchObject({ successCount: 1, failCount: 2, poolName: pool.name, action: 'createTags' });
    expect(op?.results).toEqual([
      { name: 'node-00000', status: 'success' },
      { name: 'node-00001', status: 'failed', errorCode: 'X.1', errorMsg: 'no' },
      { name: 'ghost', status: 'failed', errorCode: 'X.2', errorMsg: 'missing' },
    ]);
    expect(await store.operations.get('other', '11111111-1111-1111-1111-111111111111')).toBeUndefined();
  });

  it("reads a node's labels and tags in key order and its taints by time added, then key, whatever order they were written in", async () => {
    const pool = await createPool('contract-order', newNodes(3));
    const target = (await node(pool, 'node-00001')).id;
    const at = (second: number) => `2026-11-28T10:00:0${second}Z`;
    await apply(
      pool,
      'lifecycle',
      ['node-00001'],
      {},
      () => [
        {
          name: 'node-00001',
          ok: true,
          delta: {
            nodeId: target,
            setLabels: { zeta: '1', alpha: '2', Mid: '3', 'b.example/x': '4' },
            addTaints: [
              { key: 'b', value: '', effect: 'NoSchedule', timeAdded: at(5) },
              { key: 'z', value: '', effect: 'NoExecute', timeAdded: at(1) },
              { key: 'a', value: '', effect: 'NoSchedule', timeAdded: at(5) },
            ],
            upsertTags: ['zeta', 'Alpha', '环境', 'beta', 'ä', 'Beta'].map((key) => ({ key, value: key })),
          },
        },
      ],
      operation('45454545-4545-4545-4545-454545454545', pool.name),
    );
    const inOrder = (record: NodeRecord) => ({
      labels: Object.keys(record.labels),
      taints: record.taints.map((t) => `${t.timeAdded} ${t.key}`),
      tags: record.tags.map((t) => t.key),
    });
    const expected = {
      labels: ['Mid', 'alpha', 'b.example/x', 'zeta'],
      taints: [`${at(1)} z`, `${at(5)} a`, `${at(5)} b`],
      tags: ['Alpha', 'Beta', 'beta', 'zeta', 'ä', '环境'],
    };
    expect(inOrder(await node(pool, 'node-00001'))).toEqual(expected);
    const page = (await store.nodes.list(pool, { afterName: null, limit: 500 }))!;
    expect(inOrder(page.nodes.find((n) => n.name === 'node-00001')!)).toEqual(expected);
    let taintsSeen: string[] = [];
    await apply(
      pool,
      'lifecycle',
      ['node-00001'],
      { taints: true },
      (nodes) => {
        taintsSeen = nodes.get('node-00001')!.taints.map((t) => t.key);
        return [];
      },
      operation('46464646-4646-4646-4646-464646464646', pool.name),
    );
    expect(taintsSeen).toEqual(['z', 'a', 'b']);
  });

  it('removes taints by (key, effect) and tags by key, or by key and value', async () => {
    const pool = (await store.pools.get({ projectId: PROJECT, name: 'contract-a' }))!;
    const id = (await node(pool, 'node-00000')).id;
    const change = (delta: Omit<NodeDelta, 'nodeId'>, opId: string) =>
      apply(pool, 'lifecycle', ['node-00000'], {}, () => [{ name: 'node-00000', ok: true, delta: { nodeId: id, ...delta } }], operation(opId, pool.name));
    await change({ removeTaints: [{ key: 't', effect: 'NoExecute' }], deleteTags: [{ key: 'env', value: 'staging' }] }, '22222222-2222-2222-2222-222222222222');
    let a = await node(pool, 'node-00000');
    expect(a.taints).toHaveLength(1);
    expect(a.tags.map((x) => x.key)).toEqual(['env', '环境']);
    await change({ removeTaints: [{ key: 't', effect: 'NoSchedule' }], deleteTags: [{ key: 'env', value: 'prod' }, { key: '环境' }] }, '33333333-3333-3333-3333-333333333333');
    a = await node(pool, 'node-00000');
    expect(a.taints).toEqual([]);
    expect(a.tags).toEqual([]);
  });

  it('upserts tags by key without duplicating them', async () => {
    const pool = (await store.pools.get({ projectId: PROJECT, name: 'contract-a' }))!;
    const id = (await node(pool, 'node-00002')).id;
    for (const [i, value] of ['one', 'two'].entries()) {
      await apply(pool, 'lifecycle', ['node-00002'], {}, () => [{ name: 'node-00002', ok: true, delta: { nodeId: id, upsertTags: [{ key: 'k', value }] } }], operation(`44444444-4444-4444-4444-44444444444${i}`, pool.name));
    }
    expect((await node(pool, 'node-00002')).tags).toEqual([{ key: 'k', value: 'two' }]);
  });

  it('commits concurrent batch calls independently: a call that fails midway leaves none of its writes', async () => {
    const pool = await createPool('contract-concurrent', newNodes(4));
    const taken = operation('66666666-6666-6666-6666-666666666666', pool.name);
    await apply(pool, 'lifecycle', [], {}, () => [], taken);
    const names = ['node-00000', 'node-00001', 'node-00002', 'node-00003'];
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        apply(
          pool,
          'lifecycle',
          [name],
          {},
          (nodes) => [{ name, ok: true, delta: { nodeId: nodes.get(name)!.id, upsertTags: [{ key: 'together', value: name }] } }],
          // The third reuses an operation id: its record insert, the last statement, fails after its tag was written.
          i === 2 ? taken : operation(`77777777-7777-7777-7777-77777777777${i}`, pool.name),
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    for (const [i, name] of names.entries()) {
      expect((await node(pool, name)).tags, name).toEqual(i === 2 ? [] : [{ key: 'together', value: name }]);
    }
    for (const i of [0, 1, 3]) expect(await store.operations.get(PROJECT, `77777777-7777-7777-7777-77777777777${i}`)).toBeDefined();
    expect((await store.operations.get(PROJECT, taken.id))!.results).toEqual([]);
  });

  it('serialises concurrent batch calls on one node: each counts the tags the calls before it committed', async () => {
    const pool = await createPool('contract-serial', newNodes(1));
    const limit = 20;
    // Every pooled connection open first, so the calls really overlap.
    await Promise.all(Array.from({ length: 10 }, () => node(pool, 'node-00000')));
    const outcomes = await Promise.all(
      Array.from({ length: limit + 10 }, (_, i) =>
        apply(
          pool,
          'batch',
          ['node-00000'],
          { countTagsBesides: [`k${i}`] },
          (nodes) => {
            const n = nodes.get('node-00000')!;
            // The 20-tag rule as the batch planner applies it: the tags the call leaves alone plus its own keys.
            if (n.otherTagCount + 1 > limit) return [{ name: n.name, ok: false, failure: { code: 'X.20', message: 'too many tags' } }];
            return [{ name: n.name, ok: true, delta: { nodeId: n.id, upsertTags: [{ key: `k${i}`, value: 'v' }] } }];
          },
          operation(`99999999-9999-9999-9999-9999999999${String(i).padStart(2, '0')}`, pool.name),
        ),
      ),
    );
    expect(outcomes.filter(([d]) => d!.ok)).toHaveLength(limit);
    expect((await node(pool, 'node-00000')).tags).toHaveLength(limit);
  });

  it('reads a page the same whether it is one statement or its details are read apart', async () => {
    const pool = await createPool('contract-page-shapes', newNodes(120));
    const names = newNodes(120).map((n) => n.name);
    const number = (name: string) => Number(name.slice('node-'.length));
    await apply(
      pool,
      'lifecycle',
      names.filter((_, i) => i % 3 !== 2),
      {},
      (nodes) =>
        [...nodes.values()].map((n) => ({
          name: n.name,
          ok: true,
          delta: {
            nodeId: n.id,
            setLabels: { zone: `z${number(n.name) % 4}`, Rack: `r${number(n.name)}` },
            addTaints: number(n.name) % 2 === 0 ? [{ key: 'maintenance', value: 'true', effect: 'NoSchedule', timeAdded: '2026-11-28T10:00:00Z' }] : [],
            upsertTags: [{ key: 'owner', value: `o${number(n.name)}` }, { key: '环境', value: '测试' }],
          },
        })),
      operation('bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbb001', pool.name),
    );
    // 120 nodes at once are more than a page is read in one statement on PostgreSQL; pages of 40 are not.
    const whole = (await store.nodes.list(pool, { afterName: null, limit: 500 }))!;
    const paged = [];
    for (let afterName: string | null = null; ; ) {
      const page: { nodes: NodeRecord[]; remaining: number } = (await store.nodes.list(pool, { afterName, limit: 40 }))!;
      paged.push(...page.nodes);
      expect(page.remaining).toBe(120 - paged.length);
      if (page.remaining === 0) break;
      afterName = page.nodes[page.nodes.length - 1]!.name;
    }
    expect(whole.remaining).toBe(0);
    expect(whole.nodes.map((n) => n.name)).toEqual(names);
    expect(paged).toEqual(whole.nodes);
    expect(whole.nodes[0]).toMatchObject({ labels: { zone: 'z0', Rack: 'r0' }, tags: [{ key: 'owner', value: 'o0' }, { key: '环境', value: '测试' }] });
    expect(whole.nodes[0]!.taints).toHaveLength(1);
    expect(whole.nodes[2]).toMatchObject({ labels: {}, taints: [], tags: [] });
  });

  it('shows a batch call whole or not at all to a page read running beside it', async () => {
    const pool = await createPool('contract-page-read', newNodes(500));
    const names = newNodes(500).map((n) => n.name);
    let writing = true;
    const writer = (async () => {
      for (let generation = 1; generation <= 10; generation++) {
        const value = String(generation);
        await apply(
          pool,
          'lifecycle',
          names,
          {},
          (nodes) =>
            [...nodes.values()].map((n) => ({
              name: n.name,
              ok: true,
              // The lock is a column of the node's row, the label and the tag are rows of their own.
              delta: { nodeId: n.id, setLabels: { gen: value }, upsertTags: [{ key: 'gen', value }], setLockedActions: generation % 2 === 1 ? ['delete'] : [] },
            })),
          operation(`aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaa${String(generation).padStart(3, '0')}`, pool.name),
        );
      }
      writing = false;
    })();
    let reads = 0;
    while (writing || reads === 0) {
      // A turn of the event loop between reads, so SQLite's group commit of the writer's call runs.
      await new Promise((resolve) => setImmediate(resolve));
      // A large page (its details read apart on PostgreSQL) and a small one (one statement), each with its count.
      const pages = await Promise.all([
        store.nodes.list(pool, { afterName: null, limit: 500 }),
        store.nodes.list(pool, { afterName: names[100]!, limit: 8 }),
      ]);
      reads++;
      for (const page of pages) {
        const generations = new Set(page!.nodes.map((n) => `${n.labels.gen ?? '0'}/${n.tags.find((t) => t.key === 'gen')?.value ?? '0'}/${n.lockedActions.join()}`));
        // One generation, of the label, the tag and the lock alike, on every node of the page.
        expect(generations.size).toBe(1);
        const [label, tag, lock] = [...generations][0]!.split('/');
        expect(tag).toBe(label);
        expect(lock).toBe(Number(label) % 2 === 1 ? 'delete' : '');
      }
      expect(pages.map((page) => [page!.nodes.length, page!.remaining])).toEqual([
        [500, 0],
        [8, 500 - 101 - 8],
      ]);
    }
    await writer;
    expect(reads).toBeGreaterThan(1);
  });

  it('finds the pool by project and name, and writes nothing for a pool that does not exist', async () => {
    const pool = await createPool('contract-named', newNodes(2));
    const tagFirst = (nodes: ReadonlyMap<string, { id: number }>): NodeDecision[] =>
      [...nodes.entries()].map(([name, n]) => ({ name, ok: true, delta: { nodeId: n.id, upsertTags: [{ key: 'by-name', value: 'yes' }] } }));
    const decisions = await apply(pool, 'batch', ['node-00000', 'nope'], {}, tagFirst, operation('88888888-8888-8888-8888-888888888880', pool.name));
    expect(decisions.map((d) => d.name)).toEqual(['node-00000']);
    expect((await node(pool, 'node-00000')).tags).toEqual([{ key: 'by-name', value: 'yes' }]);
    const none = operation('88888888-8888-8888-8888-888888888881', 'no-such-pool');
    const plan = (nodes: ReadonlyMap<string, { id: number }>) => ({ decisions: tagFirst(nodes) });
    for (const read of ['batch', 'lifecycle'] as const) {
      for (const lockPool of [false, true]) {
        const change = { nodeNames: ['node-00000'], read, lockPool, plan, operation: none };
        expect(await store.changes.apply({ ...change, pool: { projectId: PROJECT, name: 'no-such-pool' } })).toEqual({ kind: 'no-pool' });
        expect(await store.changes.apply({ ...change, pool: { projectId: 'f'.repeat(32), name: pool.name } })).toEqual({ kind: 'no-pool' });
      }
    }
    expect(await store.operations.get(PROJECT, none.id)).toBeUndefined();
  });

  it('gives the batch planner each node\'s state, its taints and driver when asked, and a count of the tags the request\'s keys leave alone', async () => {
    const pool = await createPool('contract-batch-read', newNodes(12));
    const names = newNodes(12).map((n) => n.name);
    const node0 = (await node(pool, 'node-00000')).id;
    const node1 = (await node(pool, 'node-00001')).id;
    const taint = { key: 't', value: 'v', effect: 'NoExecute' as const, timeAdded: '2026-11-28T10:00:00Z' };
    await apply(
      pool,
      'lifecycle',
      ['node-00000', 'node-00001'],
      {},
      () => [
        { name: 'node-00000', ok: true, delta: { nodeId: node0, upsertTags: ['a', 'b', 'c', '环境'].map((key) => ({ key, value: 'x' })), addTaints: [taint] } },
        { name: 'node-00001', ok: true, delta: { nodeId: node1, upsertTags: [{ key: 'a', value: 'x' }], setLockedActions: ['delete'] } },
      ],
      operation('99999999-9999-9999-9999-999999999990', pool.name),
    );
    const read = async (needs: Needs<'batch'>, opId: string, nodeNames = [...names, 'ghost']) => {
      let seen: ReadonlyMap<string, BatchNodeState> = new Map();
      await apply(pool, 'batch', nodeNames, needs, (nodes) => ((seen = nodes), []), operation(opId, pool.name));
      return seen;
    };
    // Short and long key lists (SQLite binds up to 8 values and reads longer lists from JSON).
    const few = await read({ taints: true, driver: true, countTagsBesides: ['a', 'zz'] }, '99999999-9999-9999-9999-999999999991');
    const many = await read({ countTagsBesides: ['a', '环境', ...Array.from({ length: 9 }, (_, i) => `k${i}`)] }, '99999999-9999-9999-9999-999999999992');
    const none = await read({}, '99999999-9999-9999-9999-999999999993');
    // A short name list (PostgreSQL counts it by name beside the read) and a long one (by the ids the read found).
    const short = await read({ countTagsBesides: ['a', 'zz'] }, '99999999-9999-9999-9999-999999999984', ['node-00001', 'node-00000', 'ghost']);
    expect([...short.entries()].map(([name, n]) => [name, n.otherTagCount]).sort()).toEqual([['node-00000', 3], ['node-00001', 0]]);
    expect([...few.keys()].sort()).toEqual(names);
    expect(few.get('node-00000')).toEqual({ id: node0, name: 'node-00000', phase: 'Available', taints: [taint], lockedActions: [], driver: null, otherTagCount: 3 });
    expect(few.get('node-00001')).toMatchObject({ id: node1, taints: [], lockedActions: ['delete'], driver: { version: '535.1', phase: 'Running' }, otherTagCount: 0 });
    expect([...few.values()].filter((n) => n.otherTagCount > 0).map((n) => n.name)).toEqual(['node-00000']);
    expect(many.get('node-00000')).toMatchObject({ taints: [], otherTagCount: 2 });
    expect([...none.values()].map((n) => n.otherTagCount)).toEqual(names.map(() => 0));
    expect(none.get('node-00000')!.taints).toEqual([]);
    // The driver only when asked: a batch-update that upgrades no driver decides nothing on it.
    expect(none.get('node-00001')).toEqual({ id: node1, name: 'node-00001', phase: 'Available', taints: [], lockedActions: ['delete'], driver: null, otherTagCount: 0 });
  });

  it('gives the lifecycle planners each node\'s flavor, zone, node pool, running work and drain state', async () => {
    const pool = await createPool('contract-lifecycle-read', newNodes(2));
    let seen: ReadonlyMap<string, NodeStates['lifecycle']> = new Map();
    await apply(pool, 'lifecycle', ['node-00000', 'node-00001'], {}, (nodes) => ((seen = nodes), []), operation('99999999-9999-9999-9999-999999999994', pool.name));
    expect(seen.get('node-00001')).toEqual({
      id: (await node(pool, 'node-00001')).id,
      name: 'node-00001',
      phase: 'Available',
      taints: [],
      lockedActions: [],
      driver: { version: '535.1', phase: 'Running', targetVersion: null, updateStrategy: null },
      flavor: 'modelarts.vm.gpu.t4u8',
      az: 'local-1a',
      nodePool: null,
      runningJobs: 0,
      drained: false,
    });
  });

  it('gives the planner the pool spec and live node count, commits a new spec, and writes nothing when the planner refuses or throws', async () => {
    const pool = await createPool('contract-spec', newNodes(3));
    await apply(pool, 'lifecycle', ['node-00002'], {}, (nodes) => [{ name: 'node-00002', ok: true, delta: { nodeId: nodes.get('node-00002')!.id, setPhase: { phase: 'Deleting', until: T0 } } }], operation('12121212-1212-1212-1212-121212121210', pool.name));
    let seen = -1;
    const op = operation('12121212-1212-1212-1212-121212121211', pool.name);
    const outcome = await store.changes.apply({
      pool: { projectId: PROJECT, name: pool.name },
      nodeNames: ['node-00000'],
      read: 'lifecycle',
      lockPool: true,
      plan: (nodes, context) => {
        seen = context.pool!.liveNodes;
        expect(context.pool!.spec.resources[0]!.count).toBe(3);
        return { decisions: [{ name: 'node-00000', ok: true, delta: { nodeId: nodes.get('node-00000')!.id } }], spec: { ...context.pool!.spec, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 2 }] } };
      },
      operation: op,
    });
    expect(outcome.kind).toBe('applied');
    expect(seen).toBe(2);
    const after = (await store.pools.get({ projectId: PROJECT, name: pool.name }))!;
    expect(after.spec.resources[0]!.count).toBe(2);
    expect(after.resourceVersion).toBe(pool.resourceVersion + 1);

    const refused = operation('12121212-1212-1212-1212-121212121212', pool.name);
    const refusal = { detail: 'deleteNodeNames: node-00000 is locked against deletion; unlock first', failures: [{ code: 'ModelArts.50004003', message: 'locked' }] };
    const lockAll = (nodes: ReadonlyMap<string, { id: number }>): NodeDecision[] => [{ name: 'node-00000', ok: true, delta: { nodeId: nodes.get('node-00000')!.id, setLockedActions: ['delete'] } }];
    expect(await store.changes.apply({ pool: { projectId: PROJECT, name: pool.name }, nodeNames: ['node-00000'], read: 'lifecycle', lockPool: true, plan: () => ({ refused: refusal }), operation: refused })).toEqual({
      kind: 'refused',
      refusal,
    });
    await expect(
      store.changes.apply({
        pool: { projectId: PROJECT, name: pool.name },
        nodeNames: ['node-00000'],
        read: 'lifecycle',
        lockPool: true,
        plan: (nodes) => {
          lockAll(nodes);
          throw new Error('planner bug');
        },
        operation: { ...refused, id: '12121212-1212-1212-1212-121212121213' },
      }),
    ).rejects.toThrow('planner bug');
    for (const id of [refused.id, '12121212-1212-1212-1212-121212121213']) expect(await store.operations.get(PROJECT, id)).toBeUndefined();
    expect((await store.pools.get({ projectId: PROJECT, name: pool.name }))!.resourceVersion).toBe(after.resourceVersion);
    expect((await node(pool, 'node-00000')).lockedActions).toEqual([]);
  });

  it('updates 10,000 nodes in one call', async () => {
    const pool = await createPool('contract-c', newNodes(10_000));
    const names = newNodes(10_000).map((n) => n.name);
    const decisions = await apply(
      pool,
      'batch',
      names,
      {},
      (nodes) => names.map((name) => ({ name, ok: true, delta: { nodeId: nodes.get(name)!.id, upsertTags: [{ key: 'bulk', value: name }] } })),
      operation('55555555-5555-5555-5555-555555555555', pool.name),
    );
    expect(decisions).toHaveLength(10_000);
    const page = (await store.nodes.list(pool, { afterName: 'node-09997', limit: 5 }))!;
    expect(page.nodes.map((n) => n.tags)).toEqual([[{ key: 'bulk', value: 'node-09998' }], [{ key: 'bulk', value: 'node-09999' }]]);
  });

  it('handles a 10,000-node lifecycle batch with set-based statements', async () => {
    const pool = (await store.pools.get({ projectId: PROJECT, name: 'contract-c' }))!;
    const names = newNodes(10_000).map((n) => n.name);
    const decisions = await apply(pool, 'lifecycle', names, { taints: true }, (nodes) =>
      names.map((name) => ({ name, ok: true, delta: { nodeId: nodes.get(name)!.id, setLockedActions: ['delete'] } })),
      operation('55555555-5555-5555-5555-555555555556', pool.name),
    );
    expect(decisions.every((d) => d.ok)).toBe(true);
    expect((await node(pool, 'node-09999')).lockedActions).toEqual(['delete']);
  });
});
