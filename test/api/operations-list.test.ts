/**
 * ListOperations over HTTP: the project's operation records newest first, paged with `limit` and `continue`, filtered by
 * pool, kind and node, each with where its nodes stand; and who may read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { poolBody } from '../helpers/pools.js';
import { demoNodeNames, eventually, ManualClock, startTestService, type TestService } from '../helpers/service.js';

interface Summary {
  id: string;
  operation: string;
  action: string | null;
  projectId: string;
  poolName: string;
  principal: string;
  requestId: string;
  creationTimestamp: string;
  successCount: number;
  failCount: number;
  completion: { succeeded: number; failed: number; pending: number } | null;
}
interface ListBody {
  kind: string;
  metadata: { continue?: string };
  items: Summary[];
  error_code?: string;
  error_msg?: string;
}

const UPGRADE_SECONDS = 10;
// Starts at the real time: requests are signed with the real clock and must be within 15 minutes of the service's.
const clock = new ManualClock();
let t: TestService;
let names: string[];
let otherPool: string;
let otherNode: string;
/** The operation ids of the calls made in beforeAll, oldest first. */
const made: Array<{ id: string; pool: string; operation: string; requestId: string }> = [];

async function list(query: Record<string, string> = {}, client = t.client) {
  const search = new URLSearchParams(query);
  return client.request<ListBody>('GET', `/_poolkeeper/v1/${t.projectId}/operations${search.size > 0 ? `?${search}` : ''}`);
}

async function batch(pool: string, path: string, body: unknown, operation: string): Promise<string> {
  const res = await t.client.request('POST', `/v2/${t.projectId}/pools/${pool}/nodes/${path}`, body, { 'X-Request-Id': `list-test-${made.length}` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const id = res.headers.get('x-operation-id')!;
  made.push({ id, pool, operation, requestId: `list-test-${made.length}` });
  return id;
}

beforeAll(async () => {
  t = await startTestService({ clock, env: { POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS: String(UPGRADE_SECONDS) } });
  names = await demoNodeNames(t);
  const created = await t.client.request<{ metadata: { name: string } }>('POST', `/v2/${t.projectId}/pools`, poolBody('second', 2));
  expect(created.status).toBe(200);
  otherPool = created.body.metadata.name;
  otherNode = await eventually(async () => {
    const nodes = await t.client.request<{ items: Array<{ metadata: { name: string }; status: { phase: string } }> }>('GET', `/v2/${t.projectId}/pools/${otherPool}/nodes`);
    return nodes.body.items.every((n) => n.status.phase === 'Available') ? nodes.body.items[0]?.metadata.name : undefined;
  });
  await batch(t.demoPool, 'batch-lock', { nodeNames: [names[0]], actions: ['delete'] }, 'BatchLockPoolNodes');
  await batch(t.demoPool, 'batch-update', { nodeNames: [names[0], names[1]], action: 'createTags', tags: [{ key: 'team', value: 'a' }] }, 'BatchUpdatePoolNodes');
  await batch(otherPool, 'batch-lock', { nodeNames: [otherNode], actions: ['delete'] }, 'BatchLockPoolNodes');
  await batch(t.demoPool, 'batch-drain', { nodeNames: [names[2]] }, 'BatchDrainPoolNodes');
  await batch(t.demoPool, 'batch-update', { nodeNames: [names[0], names[3], names[4]], action: 'closeHaRedundant', driver: { version: '560.1', updateStrategy: 'force' } }, 'BatchUpdatePoolNodes');
});

afterAll(async () => {
  await t?.stop();
});

describe('ListOperations', () => {
  it('lists every record of the project newest first, each with its summary and where its nodes stand', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe('OperationList');
    expect(res.body.metadata).toEqual({});
    expect(res.body.items.map((i) => i.id)).toEqual(made.map((m) => m.id).reverse());
    const [upgrade, drain, , tags, lock] = res.body.items;
    expect(lock).toEqual({
      id: made[0]!.id,
      operation: 'BatchLockPoolNodes',
      action: 'delete',
      projectId: t.projectId,
      poolName: t.demoPool,
      principal: 'admin@poolkeeper',
      requestId: 'list-test-0',
      creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      successCount: 1,
      failCount: 0,
      completion: { succeeded: 1, failed: 0, pending: 0 },
    });
    // A lock blocks batch-update too: names[0] fails.
    expect(tags).toMatchObject({ successCount: 1, failCount: 1, completion: { succeeded: 1, failed: 1, pending: 0 } });
    expect(drain!.completion).toBeNull();
    // names[0] is locked: its upgrade is refused; the other two wait for the simulated upgrade's time.
    expect(upgrade).toMatchObject({ successCount: 2, failCount: 1, completion: { succeeded: 0, failed: 1, pending: 2 } });
  });

  it('shows the upgrade’s nodes completing as the simulated work ends', async () => {
    const id = made[4]!.id;
    const completionOf = async () => (await list({ kind: 'BatchUpdatePoolNodes' })).body.items.find((i) => i.id === id)!.completion;
    await eventually(async () => {
      const node = await t.client.request<{ status: { driver?: { phase: string } } }>('GET', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/${names[3]}`);
      return node.body.status.driver?.phase === 'Updating' ? true : undefined;
    });
    expect(await completionOf()).toEqual({ succeeded: 0, failed: 1, pending: 2 });
    clock.advance(UPGRADE_SECONDS * 1000);
    await eventually(async () => ((await completionOf())?.pending === 0 ? true : undefined));
    expect(await completionOf()).toEqual({ succeeded: 2, failed: 1, pending: 0 });
  });

  it('pages with limit and continue, and a token is good only for the filters it was made with', async () => {
    const first = await list({ limit: '2' });
    expect(first.body.items.map((i) => i.id)).toEqual([made[4]!.id, made[3]!.id]);
    expect(first.body.metadata.continue).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await list({ limit: '2', continue: first.body.metadata.continue! });
    expect(second.body.items.map((i) => i.id)).toEqual([made[2]!.id, made[1]!.id]);
    const third = await list({ limit: '2', continue: second.body.metadata.continue! });
    expect(third.body.items.map((i) => i.id)).toEqual([made[0]!.id]);
    expect(third.body.metadata).toEqual({});
    expect((await list({ limit: '0' })).body.items).toHaveLength(made.length);

    const elsewhere = await list({ limit: '2', pool: t.demoPool, continue: first.body.metadata.continue! });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error_code).toBe('ModelArts.50004000');
    expect(elsewhere.body.error_msg).toMatch(/^Bad request\. continue: /);
    for (const token of ['nope', Buffer.from('{"b":"x"}').toString('base64url')]) expect((await list({ continue: token })).status, token).toBe(400);
  });

  it('filters by pool, by kind and by the node a record names', async () => {
    const ids = async (query: Record<string, string>) => (await list(query)).body.items.map((i) => i.id);
    const byPool = (pool: string) => made.filter((m) => m.pool === pool).map((m) => m.id).reverse();
    expect(await ids({ pool: otherPool })).toEqual(byPool(otherPool));
    expect(await ids({ pool: t.demoPool })).toEqual(byPool(t.demoPool));
    expect(await ids({ kind: 'BatchLockPoolNodes' })).toEqual([made[2]!.id, made[0]!.id]);
    expect(await ids({ kind: 'BatchLockPoolNodes', pool: t.demoPool })).toEqual([made[0]!.id]);
    expect(await ids({ kind: 'BatchRebootPoolNodes' })).toEqual([]);
    expect(await ids({ pool: t.demoPool, node: names[0]! })).toEqual([made[4]!.id, made[1]!.id, made[0]!.id]);
    expect(await ids({ pool: t.demoPool, node: names[2]! })).toEqual([made[3]!.id]);
    expect(await ids({ pool: t.demoPool, node: names[7]! })).toEqual([]);
    expect(await ids({ pool: otherPool, node: names[0]! })).toEqual([]);
  });

  it('answers 400 naming the field for a bad limit, kind, pool or node, and for a node without its pool', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ limit: '501' }, /^Bad request\. limit must be from 0 to 500$/],
      [{ limit: '-1' }, /querystring\.limit/],
      [{ kind: 'BatchExplodeNodes' }, /^Bad request\. querystring\.kind must be one of "BatchUpdatePoolNodes", .*"PatchPool"$/],
      [{ pool: 'Not_A_Pool' }, /querystring\.pool/],
      [{ pool: t.demoPool, node: 'Bad_Node' }, /querystring\.node/],
      [{ node: names[0]! }, /^Bad request\. node needs pool as well/],
      [{ state: 'done' }, /querystring\.state is not a known field/],
    ];
    for (const [query, message] of cases) {
      const res = await list(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error_code).toBe('ModelArts.50004000');
      expect(res.body.error_msg, JSON.stringify(query)).toMatch(message);
    }
  });

  it('needs modelarts:pool:get in the path’s project, as showing a record does', async () => {
    const admin = t.client;
    const iam = '/_poolkeeper/v1/iam';
    const keys: Record<string, { accessKey: string; secretKey: string }> = {};
    for (const [name, policy] of [['op-reader', 'ModelArtsResourceManagementReadOnlyPolicy'], ['op-nobody', undefined]] as const) {
      expect((await admin.request('POST', `${iam}/users`, { name, projects: [t.projectId] })).status).toBe(201);
      if (policy) expect((await admin.request('PUT', `${iam}/users/${name}/policies/${policy}`)).status).toBe(200);
      keys[name] = (await admin.request<{ accessKey: string; secretKey: string }>('POST', `${iam}/users/${name}/access-keys`)).body;
    }
    const reader = new PoolkeeperClient(t.url, keys['op-reader']!);
    expect((await list({}, reader)).body.items).toHaveLength(made.length);
    const nobody = await list({}, new PoolkeeperClient(t.url, keys['op-nobody']!));
    expect(nobody.status).toBe(403);
    expect(nobody.body.error_code).toBe('ModelArts.0112');
    const project = await admin.request<{ id: string }>('POST', `${iam}/projects`, { name: 'ops-elsewhere' });
    expect((await admin.request('POST', `${iam}/users`, { name: 'op-elsewhere', projects: [project.body.id] })).status).toBe(201);
    expect((await admin.request('PUT', `${iam}/users/op-elsewhere/policies/ModelArtsResourceManagementAllPolicy`)).status).toBe(200);
    const other = new PoolkeeperClient(t.url, (await admin.request<{ accessKey: string; secretKey: string }>('POST', `${iam}/users/op-elsewhere/access-keys`)).body);
    const elsewhere = await other.request<ListBody>('GET', `/_poolkeeper/v1/${project.body.id}/operations`);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.items).toEqual([]);
    const foreign = await reader.request<ListBody>('GET', `/_poolkeeper/v1/${project.body.id}/operations`);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error_code).toBe('ModelArts.0210');
    const unsigned = await fetch(`${t.url}/_poolkeeper/v1/${t.projectId}/operations`);
    expect(unsigned.status).toBe(401);
  });
});
