import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeDecision } from '../../src/domain/node-update-planner.js';
import type { BatchNodeState, NodeDelta, NodeState } from '../../src/domain/node.js';
import { AlreadyExistsError, PoolExistsError, type BatchNodeNeeds, type NewNode, type OperationMeta, type Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** The contract every Store implementation keeps; this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef01';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
let store: Store;
let opened: TestStore;

function newNodes(count: number, phase: NewNode['phase'] = 'Available', phaseUntil: number | null = null): NewNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${String(i).padStart(5, '0')}`,
    flavor: i % 2 === 0 ? 'modelarts.vm.cpu.8ud' : 'modelarts.vm.gpu.t4u8',
    az: 'local-1a',
    privateIp: `192.168.0.${i + 2}`,
    nodePool: null,
    phase,
    phaseUntil,
    driverVersion: i % 2 === 0 ? null : '535.1',
  }));
}

async function createPool(name: string, nodes: NewNode[], phase: 'Creating' | 'Running' = 'Running') {
  return store.createPool(
    {
      projectId: PROJECT,
      name,
      phase,
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

beforeAll(async () => {
  opened = await openTestStore({ accountId: 'a'.repeat(32), accountName: 'acme', projectId: PROJECT, userId: 'u'.repeat(32), accessKey: 'AK1', createdAt: T0 });
  store = opened.store;
  await store.migrate();
});

afterAll(async () => {
  await opened.close();
});

describe(`Store contract (${TEST_DIALECT})`, () => {
  it('is the dialect it was opened as', () => {
    expect(store.dialect).toBe(TEST_DIALECT);
  });

  it('finds an access key and its user identity', async () => {
    expect(await store.hasAnyAccount()).toBe(true);
    expect(await store.findAccessKey('AK1')).toEqual({
      accessKey: 'AK1',
      sealedSecretKey: 'sealed-AK1',
      userId: 'u'.repeat(32),
      createdAt: T0,
      expiresAt: null,
      securityTokenHash: null,
      failedAttempts: 0,
      lockedUntil: null,
    });
    expect(await store.getUserIdentity('u'.repeat(32))).toEqual({
      userId: 'u'.repeat(32),
      userName: 'admin',
      accountId: 'a'.repeat(32),
      accountName: 'acme',
      isAccountAdmin: true,
      isOperator: true,
      projectIds: [PROJECT],
      policies: [{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:*'] }] }],
    });
    expect(await store.findAccessKey('nope')).toBeUndefined();
    expect(await store.getUserIdentity('nobody')).toBeUndefined();
  });

  it('a second bootstrap loses the race without error', async () => {
    const again = await store.createBootstrapIdentity({
      accountId: 'b'.repeat(32),
      accountName: 'acme',
      projectId: 'c'.repeat(32),
      projectName: 'local-1',
      userId: 'v'.repeat(32),
      userName: 'admin',
      accessKey: 'AK2',
      sealedSecretKey: 'x',
      policyName: 'all',
      policyDocument: {},
      createdAt: T0,
    });
    expect(again).toBe(false);
    expect(await store.findAccessKey('AK2')).toBeUndefined();
  });

  it('counts signature failures, locks at the threshold, and clears', async () => {
    for (let i = 1; i <= 4; i++) expect(await store.recordAuthFailure('AK1', T0, 5, 300_000)).toEqual({ failedAttempts: i, lockedUntil: null });
    expect(await store.recordAuthFailure('AK1', T0, 5, 300_000)).toEqual({ failedAttempts: 5, lockedUntil: T0 + 300_000 });
    expect((await store.findAccessKey('AK1'))?.lockedUntil).toBe(T0 + 300_000);
    await store.clearAuthFailures('AK1');
    expect(await store.findAccessKey('AK1')).toMatchObject({ failedAttempts: 0, lockedUntil: null });
  });

  it('keeps accounts, projects, users, memberships, policies and access keys', async () => {
    await store.createAccount({ id: 'd'.repeat(32), name: 'other', createdAt: T0 });
    await expect(store.createAccount({ id: 'e'.repeat(32), name: 'other', createdAt: T0 })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await store.listAccounts()).map((a) => a.name)).toEqual(['acme', 'other']);
    expect((await store.findAccount('other'))?.id).toBe('d'.repeat(32));
    expect((await store.findAccount('d'.repeat(32)))?.name).toBe('other');
    await store.createProject({ id: 'f'.repeat(32), accountId: 'd'.repeat(32), name: 'local-1', createdAt: T0 });
    await expect(store.createProject({ id: '1'.repeat(32), accountId: 'd'.repeat(32), name: 'local-1', createdAt: T0 })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await store.findProject('d'.repeat(32), 'local-1'))?.id).toBe('f'.repeat(32));
    expect(await store.findProject('a'.repeat(32), 'f'.repeat(32))).toBeUndefined();
    await store.createUser({ id: '2'.repeat(32), accountId: 'd'.repeat(32), name: 'reader', isAccountAdmin: false, passwordHash: 'h', createdAt: T0 });
    await expect(store.createUser({ id: '3'.repeat(32), accountId: 'd'.repeat(32), name: 'reader', isAccountAdmin: false, passwordHash: null, createdAt: T0 })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    expect(await store.setUserProject('2'.repeat(32), 'f'.repeat(32), true)).toBe(true);
    expect(await store.setUserProject('2'.repeat(32), 'f'.repeat(32), true)).toBe(false);
    await store.putUserPolicy('2'.repeat(32), 'ro', { v: 1 });
    await store.putUserPolicy('2'.repeat(32), 'ro', { v: 2 });
    const user = await store.findUser('d'.repeat(32), 'reader');
    expect(user).toMatchObject({ name: 'reader', passwordHash: 'h', projectIds: ['f'.repeat(32)], policyNames: ['ro'], isAccountAdmin: false });
    expect((await store.getUserIdentity('2'.repeat(32)))?.policies).toEqual([{ v: 2 }]);
    expect((await store.getUserIdentity('2'.repeat(32)))?.isOperator).toBe(false);
    expect(await store.deleteUserPolicy('2'.repeat(32), 'ro')).toBe(true);
    expect(await store.deleteUserPolicy('2'.repeat(32), 'ro')).toBe(false);
    await store.setUserPassword('2'.repeat(32), 'h2');
    expect((await store.listUsers('d'.repeat(32))).map((u) => [u.name, u.passwordHash])).toEqual([['reader', 'h2']]);
    await store.createAccessKey({ accessKey: 'AKT', sealedSecretKey: 's', userId: '2'.repeat(32), createdAt: T0, expiresAt: T0 + 900_000, securityTokenHash: 'ab' });
    expect(await store.listAccessKeys('2'.repeat(32))).toEqual([{ accessKey: 'AKT', createdAt: T0, expiresAt: T0 + 900_000 }]);
    expect(await store.deleteAccessKey('a'.repeat(32), 'AKT')).toBe(false);
    expect(await store.deleteAccessKey('d'.repeat(32), 'AKT')).toBe(true);
    expect(await store.setUserProject('2'.repeat(32), 'f'.repeat(32), false)).toBe(true);
  });

  it('keeps one token-signing key, whoever asks first', async () => {
    const first = await store.ensureSigningKey({ id: 'tokens', sealedSecret: 'one', createdAt: T0 });
    const second = await store.ensureSigningKey({ id: 'tokens', sealedSecret: 'two', createdAt: T0 + 1 });
    expect(first).toEqual({ id: 'tokens', sealedSecret: 'one' });
    expect(second).toEqual(first);
  });

  it('creates pools with their nodes and refuses a duplicate name', async () => {
    const pool = await createPool('contract-a', newNodes(5));
    expect(pool.id).toBeGreaterThan(0);
    await expect(createPool('contract-a', newNodes(1))).rejects.toBeInstanceOf(PoolExistsError);
    expect((await store.getPool(PROJECT, 'contract-a'))?.resourceVersion).toBe(1);
    expect((await store.listPools(PROJECT)).map((p) => p.name)).toContain('contract-a');
    const counts = await store.countNodesByFlavorAndPhase([pool.id]);
    expect(counts.sort((a, b) => a.flavor.localeCompare(b.flavor))).toEqual([
      { poolId: pool.id, flavor: 'modelarts.vm.cpu.8ud', phase: 'Available', count: 3 },
      { poolId: pool.id, flavor: 'modelarts.vm.gpu.t4u8', phase: 'Available', count: 2 },
    ]);
    const node = await store.getNode(pool.id, 'node-00001');
    expect(node).toMatchObject({ name: 'node-00001', phase: 'Available', driver: { version: '535.1', phase: 'Running' }, lockedActions: [], taints: [], tags: [] });
  });

  it('pages nodes by name with the remaining count', async () => {
    const pool = (await store.getPool(PROJECT, 'contract-a'))!;
    const first = await store.listNodes(pool.id, { afterName: null, limit: 2 });
    expect(first.nodes.map((n) => n.name)).toEqual(['node-00000', 'node-00001']);
    expect(first.remaining).toBe(3);
    const last = await store.listNodes(pool.id, { afterName: 'node-00003', limit: 2 });
    expect(last.nodes.map((n) => n.name)).toEqual(['node-00004']);
    expect(last.remaining).toBe(0);
  });

  it('applies deltas for successful decisions only and records the operation', async () => {
    const pool = (await store.getPool(PROJECT, 'contract-a'))!;
    let seen: ReadonlyMap<string, NodeState> | undefined;
    const decisions = await store.updateNodes(
      pool.id,
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
    const a = await store.getNode(pool.id, 'node-00000');
    expect(a?.labels).toEqual({ l: 'x' });
    expect(a?.taints).toEqual([{ key: 't', value: 'v', effect: 'NoSchedule', timeAdded: '2026-11-28T10:00:00Z' }]);
    expect(a?.tags).toEqual([{ key: 'env', value: 'prod' }, { key: '环境', value: '测试' }]);
    expect(a?.driver).toEqual({ version: '', phase: 'Pending', targetVersion: '550.0', updateStrategy: 'force' });
    expect((await store.getNode(pool.id, 'node-00001'))?.tags).toEqual([]);
    const op = await store.getOperation(PROJECT, '11111111-1111-1111-1111-111111111111');
    expect(op).toMatchObject({ successCount: 1, failCount: 2, poolName: pool.name, action: 'createTags' });
    expect(op?.results).toEqual([
      { name: 'node-00000', status: 'success' },
      { name: 'node-00001', status: 'failed', errorCode: 'X.1', errorMsg: 'no' },
      { name: 'ghost', status: 'failed', errorCode: 'X.2', errorMsg: 'missing' },
    ]);
    expect(await store.getOperation('other', '11111111-1111-1111-1111-111111111111')).toBeUndefined();
  });

  it('removes taints by (key, effect) and tags by key, or by key and value', async () => {
    const pool = (await store.getPool(PROJECT, 'contract-a'))!;
    const id = (await store.getNode(pool.id, 'node-00000'))!.id;
    const apply = (delta: Omit<NodeDelta, 'nodeId'>, opId: string) =>
      store.updateNodes(pool.id, ['node-00000'], {}, () => [{ name: 'node-00000', ok: true, delta: { nodeId: id, ...delta } }], operation(opId, pool.name));
    await apply({ removeTaints: [{ key: 't', effect: 'NoExecute' }], deleteTags: [{ key: 'env', value: 'staging' }] }, '22222222-2222-2222-2222-222222222222');
    let node = (await store.getNode(pool.id, 'node-00000'))!;
    expect(node.taints).toHaveLength(1);
    expect(node.tags.map((x) => x.key)).toEqual(['env', '环境']);
    await apply({ removeTaints: [{ key: 't', effect: 'NoSchedule' }], deleteTags: [{ key: 'env', value: 'prod' }, { key: '环境' }] }, '33333333-3333-3333-3333-333333333333');
    node = (await store.getNode(pool.id, 'node-00000'))!;
    expect(node.taints).toEqual([]);
    expect(node.tags).toEqual([]);
  });

  it('upserts tags by key without duplicating them', async () => {
    const pool = (await store.getPool(PROJECT, 'contract-a'))!;
    const id = (await store.getNode(pool.id, 'node-00002'))!.id;
    for (const [i, value] of ['one', 'two'].entries()) {
      await store.updateNodes(
        pool.id,
        ['node-00002'],
        {},
        () => [{ name: 'node-00002', ok: true, delta: { nodeId: id, upsertTags: [{ key: 'k', value }] } }],
        operation(`44444444-4444-4444-4444-44444444444${i}`, pool.name),
      );
    }
    expect((await store.getNode(pool.id, 'node-00002'))!.tags).toEqual([{ key: 'k', value: 'two' }]);
  });

  it('commits concurrent batch calls independently: a call that fails midway leaves none of its writes', async () => {
    const pool = await createPool('contract-concurrent', newNodes(4));
    const taken = operation('66666666-6666-6666-6666-666666666666', pool.name);
    await store.updateNodes(pool.id, [], {}, () => [], taken);
    const names = ['node-00000', 'node-00001', 'node-00002', 'node-00003'];
    const outcomes = await Promise.allSettled(
      names.map((name, i) =>
        store.updateNodes(
          pool.id,
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
      expect((await store.getNode(pool.id, name))!.tags, name).toEqual(i === 2 ? [] : [{ key: 'together', value: name }]);
    }
    for (const i of [0, 1, 3]) expect(await store.getOperation(PROJECT, `77777777-7777-7777-7777-77777777777${i}`)).toBeDefined();
    expect((await store.getOperation(PROJECT, taken.id))!.results).toEqual([]);
  });

  it('updates nodes of a pool named by project and name, and writes nothing for a pool that does not exist', async () => {
    const pool = await createPool('contract-named', newNodes(2));
    const tagFirst = (nodes: ReadonlyMap<string, { id: number }>): NodeDecision[] =>
      [...nodes.entries()].map(([name, node]) => ({ name, ok: true, delta: { nodeId: node.id, upsertTags: [{ key: 'by-name', value: 'yes' }] } }));
    const decisions = await store.updatePoolNodes({ projectId: PROJECT, name: pool.name }, ['node-00000', 'nope'], {}, tagFirst, operation('88888888-8888-8888-8888-888888888880', pool.name));
    expect(decisions?.map((d) => d.name)).toEqual(['node-00000']);
    expect((await store.getNode(pool.id, 'node-00000'))!.tags).toEqual([{ key: 'by-name', value: 'yes' }]);
    const none = operation('88888888-8888-8888-8888-888888888881', 'no-such-pool');
    expect(await store.updatePoolNodes({ projectId: PROJECT, name: 'no-such-pool' }, ['node-00000'], {}, tagFirst, none)).toBeUndefined();
    expect(await store.updatePoolNodes({ projectId: 'f'.repeat(32), name: pool.name }, ['node-00000'], {}, tagFirst, none)).toBeUndefined();
    expect(await store.getOperation(PROJECT, none.id)).toBeUndefined();
  });

  it('gives the batch planner each node\'s state, its taints when asked, and a count of the tags the request\'s keys leave alone', async () => {
    const pool = await createPool('contract-batch-read', newNodes(12));
    const names = newNodes(12).map((n) => n.name);
    const node0 = (await store.getNode(pool.id, 'node-00000'))!.id;
    const node1 = (await store.getNode(pool.id, 'node-00001'))!.id;
    const taint = { key: 't', value: 'v', effect: 'NoExecute' as const, timeAdded: '2026-11-28T10:00:00Z' };
    await store.updateNodes(
      pool.id,
      ['node-00000', 'node-00001'],
      {},
      () => [
        { name: 'node-00000', ok: true, delta: { nodeId: node0, upsertTags: ['a', 'b', 'c', '环境'].map((key) => ({ key, value: 'x' })), addTaints: [taint] } },
        { name: 'node-00001', ok: true, delta: { nodeId: node1, upsertTags: [{ key: 'a', value: 'x' }], setLockedActions: ['delete'] } },
      ],
      operation('99999999-9999-9999-9999-999999999990', pool.name),
    );
    const read = async (needs: BatchNodeNeeds, opId: string) => {
      let seen: ReadonlyMap<string, BatchNodeState> = new Map();
      await store.updatePoolNodes({ projectId: PROJECT, name: pool.name }, [...names, 'ghost'], needs, (nodes) => ((seen = nodes), []), operation(opId, pool.name));
      return seen;
    };
    // Short and long key lists (SQLite binds up to 8 values and reads longer lists from JSON).
    const few = await read({ taints: true, countTagsBesides: ['a', 'zz'] }, '99999999-9999-9999-9999-999999999991');
    const many = await read({ countTagsBesides: ['a', '环境', ...Array.from({ length: 9 }, (_, i) => `k${i}`)] }, '99999999-9999-9999-9999-999999999992');
    const none = await read({}, '99999999-9999-9999-9999-999999999993');
    expect([...few.keys()].sort()).toEqual(names);
    expect(few.get('node-00000')).toEqual({ id: node0, name: 'node-00000', phase: 'Available', taints: [taint], lockedActions: [], driver: null, otherTagCount: 3 });
    expect(few.get('node-00001')).toMatchObject({ id: node1, taints: [], lockedActions: ['delete'], driver: { version: '535.1', phase: 'Running' }, otherTagCount: 0 });
    expect([...few.values()].filter((n) => n.otherTagCount > 0).map((n) => n.name)).toEqual(['node-00000']);
    expect(many.get('node-00000')).toMatchObject({ taints: [], otherTagCount: 2 });
    expect([...none.values()].map((n) => n.otherTagCount)).toEqual(names.map(() => 0));
    expect(none.get('node-00000')!.taints).toEqual([]);
  });

  it('sets a node phase, and reports unknown nodes', async () => {
    const pool = (await store.getPool(PROJECT, 'contract-a'))!;
    expect(await store.setNodePhase(pool.id, 'node-00003', 'Abnormal')).toBe(true);
    expect((await store.getNode(pool.id, 'node-00003'))!.phase).toBe('Abnormal');
    expect(await store.setNodePhase(pool.id, 'ghost', 'Abnormal')).toBe(false);
  });

  it('scales with a version check: a stale version changes nothing', async () => {
    const pool = (await store.getPool(PROJECT, 'contract-a'))!;
    const victims = (await store.listNodesForScaling(pool.id)).slice(0, 2).map((n) => n.id);
    const scaling = { spec: pool.spec, labels: pool.labels, annotations: pool.annotations, addNodes: [{ ...newNodes(1)[0]!, name: 'node-new01' }], deleteNodeIds: victims, deleteUntil: T0 + 5_000, now: T0 };
    expect(await store.scalePool(pool.id, pool.resourceVersion, scaling)).toBe(true);
    expect(await store.scalePool(pool.id, pool.resourceVersion, scaling)).toBe(false);
    expect((await store.getPool(PROJECT, pool.name))!.resourceVersion).toBe(pool.resourceVersion + 1);
    expect((await store.listNodeNames(pool.id)).has('node-new01')).toBe(true);
    const deleting = (await store.listNodesForScaling(pool.id)).filter((n) => n.phase === 'Deleting');
    expect(deleting.map((n) => n.id).sort()).toEqual([...victims].sort());
  });

  it('advances the simulation exactly once per transition', async () => {
    const pool = await createPool('contract-b', newNodes(3, 'Creating', T0 + 1_000), 'Creating');
    expect(await store.advanceSimulation(T0 + 999)).toEqual({ nodesAvailable: 0, nodesRemoved: 0, poolsRunning: 0, poolsRemoved: 0 });
    const [first, second] = await Promise.all([store.advanceSimulation(T0 + 6_000), store.advanceSimulation(T0 + 6_000)]);
    expect(first!.nodesAvailable + second!.nodesAvailable).toBe(3);
    expect(first!.nodesRemoved + second!.nodesRemoved).toBe(2);
    expect(first!.poolsRunning + second!.poolsRunning).toBe(1);
    expect((await store.getPool(PROJECT, 'contract-b'))!.phase).toBe('Running');
    expect((await store.listNodes(pool.id, { afterName: null, limit: 10 })).nodes.every((n) => n.phase === 'Available')).toBe(true);
    await store.markPoolDeleting(pool.id, T0 + 7_000, T0 + 8_000);
    expect((await store.getPool(PROJECT, 'contract-b'))!.phase).toBe('Deleting');
    const removed = await store.advanceSimulation(T0 + 8_000);
    expect(removed.poolsRemoved).toBe(1);
    expect(await store.getPool(PROJECT, 'contract-b')).toBeUndefined();
  });

  it('updates 10,000 nodes in one call', async () => {
    const pool = await createPool('contract-c', newNodes(10_000));
    const names = newNodes(10_000).map((n) => n.name);
    const decisions = await store.updateNodes(
      pool.id,
      names,
      {},
      (nodes) => names.map((name) => ({ name, ok: true, delta: { nodeId: nodes.get(name)!.id, upsertTags: [{ key: 'bulk', value: name }] } })),
      operation('55555555-5555-5555-5555-555555555555', pool.name),
    );
    expect(decisions).toHaveLength(10_000);
    const page = await store.listNodes(pool.id, { afterName: 'node-09997', limit: 5 });
    expect(page.nodes.map((n) => n.tags)).toEqual([[{ key: 'bulk', value: 'node-09998' }], [{ key: 'bulk', value: 'node-09999' }]]);
  });
});
