import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeDecision } from '../../src/domain/node-update-planner.js';
import { statementKind, type StatementKind } from '../../src/store/observer.js';
import type { OperationMeta } from '../../src/store/operations.js';
import type { NewNode, PoolRecord } from '../../src/store/pools.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** What the store tells its observer (metrics), and the census monitoring reads; this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef02';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
const statements: Array<{ kind: StatementKind; seconds: number }> = [];
const groupCommits: number[] = [];
let opened: TestStore;
let store: Store;

function nodes(count: number, phase: NewNode['phase'], phaseUntil: number | null, gpu: boolean): NewNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i}`,
    flavor: gpu ? 'modelarts.vm.gpu.t4u8' : 'modelarts.vm.cpu.8ud',
    az: 'local-1a',
    privateIp: `192.168.0.${i + 2}`,
    nodePool: null,
    phase,
    phaseUntil,
    driverVersion: gpu ? '535.1' : null,
  }));
}

function createPool(name: string, poolNodes: NewNode[]): Promise<PoolRecord> {
  return store.pools.create(
    {
      projectId: PROJECT,
      name,
      phase: 'Running',
      labels: {},
      annotations: {},
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [] },
      createdAt: T0,
      resourceVersion: 1,
    },
    poolNodes,
  );
}

function meta(id: string, poolName: string): OperationMeta {
  return { id, projectId: PROJECT, poolName, operation: 'BatchLockPoolNodes', action: 'delete', principal: 'admin@test', requestId: id, createdAt: T0 };
}

const lockAll = (names: readonly string[]) => (state: ReadonlyMap<string, { id: number }>): NodeDecision[] =>
  names.map((name) => ({ name, ok: true, delta: { nodeId: state.get(name)!.id, lockedActions: ['delete'] } }));

beforeAll(async () => {
  opened = await openTestStore(
    { accountId: 'a'.repeat(32), accountName: 'acme', projectId: PROJECT, userId: 'u'.repeat(32), accessKey: 'AK1', createdAt: T0 },
    { statement: (kind, seconds) => statements.push({ kind, seconds }), groupCommit: (transactions) => groupCommits.push(transactions) },
  );
  store = opened.store;
});

afterAll(async () => {
  await opened.close();
});

describe('statementKind', () => {
  it('names a statement by its first word (upper or lower case, as written here and by Kysely), in a handful of kinds', () => {
    expect(statementKind('SELECT 1')).toBe('select');
    expect(statementKind('\n  insert into x values (1)')).toBe('insert');
    expect(statementKind('UPDATE nodes SET a = 1')).toBe('update');
    expect(statementKind('delete from "nodes"')).toBe('delete');
    for (const sql of ['begin', 'BEGIN IMMEDIATE', 'start transaction', 'commit', 'rollback', 'SAVEPOINT s1', 'release s1']) expect(statementKind(sql), sql).toBe('transaction');
    for (const sql of ['create table t (a int)', 'ALTER TABLE t ADD b int', 'drop index i']) expect(statementKind(sql), sql).toBe('schema');
    expect(statementKind('select*from t')).toBe('select');
    for (const sql of ['WITH x AS (SELECT 1) SELECT * FROM x', 'pragma foo', '', '   ', '(SELECT 1)', 'SELECTED', 'deleted', 'constructor']) expect(statementKind(sql), sql).toBe('other');
  });
});

describe(`the store's observer (${TEST_DIALECT})`, () => {
  it('hears every statement with its kind and duration, request-path steps and Kysely statements alike', async () => {
    statements.length = 0;
    await store.credentials.findAccessKey('AK1');
    expect(statements).toEqual([{ kind: 'select', seconds: expect.any(Number) }]);
    expect(statements[0]!.seconds).toBeGreaterThan(0);
    expect(statements[0]!.seconds).toBeLessThan(5);

    statements.length = 0;
    await createPool('pool-observed', nodes(2, 'Available', null, false));
    expect(new Set(statements.map((s) => s.kind))).toContain('insert');

    // IAM administration runs through Kysely, here in a transaction of its own.
    statements.length = 0;
    const identity = { accountId: 'b'.repeat(32), accountName: 'observed', projectId: 'c'.repeat(32), projectName: 'p', userId: 'v'.repeat(32), userName: 'u' };
    expect(await store.identity.createBootstrapIdentity({ ...identity, accessKey: 'AK2', sealedSecretKey: 's', policyName: 'all', policyDocument: {}, createdAt: T0 })).toBe(true);
    const kinds = new Set(statements.map((s) => s.kind));
    expect(kinds).toContain('insert');
    expect(kinds).toContain('transaction');
  });

  it('hears each SQLite group commit with the number of transactions it committed together', async () => {
    const pool = await createPool('pool-grouped', nodes(3, 'Available', null, false));
    groupCommits.length = 0;
    await Promise.all(
      ['node-0', 'node-1', 'node-2'].map((name, i) =>
        store.changes.apply({ pool: { projectId: PROJECT, name: pool.name }, nodeNames: [name], read: 'lifecycle', plan: (nodes) => ({ decisions: lockAll([name])(nodes) }), operation: meta(`op-${i}`, pool.name) }),
      ),
    );
    if (TEST_DIALECT === 'sqlite') expect(groupCommits).toEqual([3]);
    else expect(groupCommits).toEqual([]);
  });
});

describe(`the census (${TEST_DIALECT})`, () => {
  it('counts every pool by node phase and driver phase, and the background jobs due with the oldest due time', async () => {
    const creating = await createPool('pool-census-a', nodes(3, 'Creating', T0 + 1_000, true));
    const other = await createPool('pool-census-b', nodes(2, 'Deleting', T0 + 5_000, false));
    const census = await store.pools.census(T0 + 3_000);
    const ofPool = (name: string) => census.nodes.filter((n) => n.pool === name).map(({ phase, driverPhase, count }) => ({ phase, driverPhase, count }));
    expect(ofPool(creating.name)).toEqual([{ phase: 'Creating', driverPhase: 'Running', count: 3 }]);
    expect(ofPool(other.name)).toEqual([{ phase: 'Deleting', driverPhase: null, count: 2 }]);
    const due = Object.fromEntries(census.dueJobs.map((j) => [j.job, [j.count, j.oldestDueAt]]));
    expect(due).toEqual({
      node_create: [3, T0 + 1_000],
      node_delete: [0, null],
      drain: [0, null],
      driver_upgrade: [0, null],
      reboot: [0, null],
      pool_delete: [0, null],
    });
    const later = Object.fromEntries((await store.pools.census(T0 + 6_000)).dueJobs.map((j) => [j.job, [j.count, j.oldestDueAt]]));
    expect(later.node_delete).toEqual([2, T0 + 5_000]);

    await store.pools.markDeleting(other.id, T0, T0 + 2_000);
    const removed = Object.fromEntries((await store.pools.census(T0 + 6_000)).dueJobs.map((j) => [j.job, [j.count, j.oldestDueAt]]));
    expect(removed.pool_delete).toEqual([1, T0 + 2_000]);
    expect(removed.node_delete).toEqual([2, T0 + 2_000]);
  });
});
