import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ManualClock, startTestService, type TestService, demoNodeNames } from '../helpers/service.js';

interface NodeBody {
  metadata: { name: string; annotations: Record<string, string> };
  status: { phase: string; taints: Array<{ key: string; value: string; effect: string }> };
}
interface ErrorBody {
  error_code: string;
  error_msg: string;
}
interface OperationBody {
  operation: string;
  action: string | null;
  successCount: number;
  failCount: number;
  nodes: Array<{ name: string; status: string; errorCode?: string; errorMsg?: string; completion?: { status: string; errorCode?: string } }>;
}

const DELETE_SECONDS = 3;
const REBOOT_SECONDS = 5;
const DRAIN_SECONDS = 5;
// Starts at the real time: requests are signed with the real clock and must be within 15 minutes of the service's.
const clock = new ManualClock();
let t: TestService;
let base: string;
let names: string[];

async function post<T>(path: string, body: unknown) {
  return t.client.request<T & ErrorBody>('POST', `${base}/nodes/${path}`, body);
}

async function node(name: string) {
  return t.client.request<NodeBody & ErrorBody>('GET', `${base}/nodes/${name}`);
}

async function phaseOf(name: string, phase: string): Promise<NodeBody> {
  return eventually(async () => {
    const res = await node(name);
    return res.body.status?.phase === phase ? res.body : undefined;
  });
}

async function operation(id: string | null): Promise<OperationBody> {
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return (await t.client.request<OperationBody>('GET', `/_poolkeeper/v1/${t.projectId}/operations/${id}`)).body;
}

async function workload(name: string, runningJobs: number) {
  return t.client.request<ErrorBody>('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${name}/workload`, { runningJobs });
}

beforeAll(async () => {
  t = await startTestService({
    clock,
    env: {
      POOLKEEPER_SIM_NODE_DELETE_SECONDS: String(DELETE_SECONDS),
      POOLKEEPER_SIM_REBOOT_SECONDS: String(REBOOT_SECONDS),
      POOLKEEPER_SIM_DRAIN_SECONDS: String(DRAIN_SECONDS),
    },
  });
  base = `/v2/${t.projectId}/pools/${t.demoPool}`;
  names = await demoNodeNames(t);
});

afterAll(async () => {
  await t.stop();
});

describe('whole-request checks write nothing', () => {
  const cases: Array<[string, string, (n: string[]) => unknown, string]> = [
    ['lock: no actions', 'batch-lock', (n) => ({ nodeNames: [n[0]] }), 'actions'],
    ['lock: unknown action', 'batch-lock', (n) => ({ nodeNames: [n[0]], actions: ['reboot'] }), 'actions[0]'],
    ['lock: duplicate names', 'batch-lock', (n) => ({ nodeNames: [n[0], n[0]], actions: ['delete'] }), 'nodeNames[1]'],
    ['unlock: empty nodeNames', 'batch-unlock', () => ({ nodeNames: [], actions: ['delete'] }), 'nodeNames'],
    ['delete: missing deleteNodeNames', 'batch-delete', (n) => ({ nodeNames: [n[0]] }), 'deleteNodeNames'],
    ['delete: bad name', 'batch-delete', () => ({ deleteNodeNames: ['Bad_Name'] }), 'deleteNodeNames[0]'],
    ['reboot: unknown field', 'batch-reboot', (n) => ({ nodeNames: [n[0]], force: true }), 'force'],
    ['drain: more than 10 nodes', 'batch-drain', () => ({ nodeNames: Array.from({ length: 11 }, (_, i) => `node-${i}`) }), 'nodeNames'],
  ];

  it.each(cases)('%s → 400 naming the field', async (_label, path, body, field) => {
    const before = (await node(names[0]!)).body;
    const res = await post(path, body(names));
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('ModelArts.50004000');
    expect(res.body.error_msg).toMatch(/^Bad request\. /);
    expect(res.body.error_msg).toContain(field);
    expect(res.headers.get('x-operation-id')).toBeNull();
    expect((await node(names[0]!)).body).toEqual(before);
  });

  it('an unknown pool is 404 ModelArts.50015001', async () => {
    const res = await t.client.request<ErrorBody>('POST', `/v2/${t.projectId}/pools/nope-${t.projectId}/nodes/batch-reboot`, { nodeNames: [names[0]] });
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('ModelArts.50015001');
  });

  // One order for every batch call (README, Behaviour and decisions): a bad body is 400 before an unknown pool is 404.
  const calls: Array<[string, (nodeNames: string[]) => unknown]> = [
    ['batch-update', (nodeNames) => ({ nodeNames, action: 'closeHaRedundant' })],
    ['batch-delete', (nodeNames) => ({ deleteNodeNames: nodeNames })],
    ['batch-lock', (nodeNames) => ({ nodeNames, actions: ['delete'] })],
    ['batch-unlock', (nodeNames) => ({ nodeNames, actions: ['delete'] })],
    ['batch-reboot', (nodeNames) => ({ nodeNames })],
    ['batch-drain', (nodeNames) => ({ nodeNames })],
  ];

  it.each(calls)('%s on an unknown pool: a bad or duplicate node name is 400 first, a good body 404', async (path, body) => {
    const unknown = `/v2/${t.projectId}/pools/nope-${t.projectId}/nodes/${path}`;
    for (const bad of [['ok', 'a..b'], [names[0]!, names[0]!]]) {
      const res = await t.client.request<ErrorBody>('POST', unknown, body(bad));
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error_code).toBe('ModelArts.50004000');
      expect(res.body.error_msg).toMatch(/\[1\]: /);
      expect(res.headers.get('x-operation-id')).toBeNull();
    }
    const res = await t.client.request<ErrorBody>('POST', unknown, body([names[0]!]));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 'ModelArts.50015001', error_msg: 'pool not found' });
    expect(res.headers.get('x-operation-id')).toBeNull();
  });
});

describe('BatchLockPoolNodes / BatchUnlockPoolNodes', () => {
  it('locks per node, shows the annotation, and a locked node fails batch-update and batch-delete saying it is locked', async () => {
    const [locked, other] = [names[0]!, names[1]!];
    const res = await post<{ nodes: Array<{ name: string; status: string }> }>('batch-lock', { nodeNames: [locked, 'os-node-created-zzzzz'], actions: ['delete'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ nodes: [{ name: locked, status: 'success' }, { name: 'os-node-created-zzzzz', status: 'failed' }] });
    const record = await operation(res.headers.get('x-operation-id'));
    expect(record).toMatchObject({ operation: 'BatchLockPoolNodes', action: 'delete', successCount: 1, failCount: 1 });
    expect(record.nodes[1]).toMatchObject({ status: 'failed', errorCode: 'ModelArts.50005101' });
    expect((await node(locked)).body.metadata.annotations['os.modelarts.node/lock.action']).toBe('delete');

    const again = await post('batch-lock', { nodeNames: [locked], actions: ['delete'] });
    expect(again.body).toEqual({ nodes: [{ name: locked, status: 'success' }] });

    const update = await post<{ successNodeNames: string[]; failNodeNames: string[] }>('batch-update', { nodeNames: [locked, other], action: 'openHaRedundant' });
    expect(update.body).toEqual({ successNodeNames: [other], failNodeNames: [locked] });
    const updateRecord = await operation(update.headers.get('x-operation-id'));
    expect(updateRecord.nodes[0]).toMatchObject({ errorCode: 'ModelArts.50004003' });
    expect(updateRecord.nodes[0]!.errorMsg).toContain('locked');

    const del = await post('batch-delete', { deleteNodeNames: [other, locked] });
    expect(del.status).toBe(400);
    expect(del.body.error_msg).toContain(locked);
    expect(del.body.error_msg).toContain('locked');
    expect((await node(other)).body.status.phase).toBe('Available');

    const unlock = await post<{ nodes: unknown[] }>('batch-unlock', { nodeNames: [locked, 'os-node-created-zzzzz'], actions: ['delete'] });
    expect(unlock.body).toEqual({ nodes: [{ name: locked, status: 'success' }, { name: 'os-node-created-zzzzz', status: 'failed' }] });
    expect((await node(locked)).body.metadata.annotations['os.modelarts.node/lock.action']).toBeUndefined();
    const unlockAgain = await post('batch-unlock', { nodeNames: [locked], actions: ['delete'] });
    expect(unlockAgain.body).toEqual({ nodes: [{ name: locked, status: 'success' }] });
  });
});

describe('BatchDeletePoolNodes', () => {
  it('refuses unknown nodes as a whole, naming them', async () => {
    const res = await post('batch-delete', { deleteNodeNames: [names[7], 'os-node-created-zzzzz'] });
    expect(res.status).toBe(400);
    expect(res.body.error_msg).toContain('os-node-created-zzzzz');
    expect((await node(names[7]!)).body.status.phase).toBe('Available');
  });

  it('refuses to leave the pool without a node', async () => {
    const res = await post('batch-delete', { deleteNodeNames: names });
    expect(res.status).toBe(400);
    expect(res.body.error_msg).toContain('at least one node');
  });

  it('deletes: Deleting, then gone from the list; the pool spec shrinks; a Deleting node cannot be locked', async () => {
    const victim = names[7]!;
    const res = await post('batch-delete', { deleteNodeNames: [victim] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    const record = await operation(res.headers.get('x-operation-id'));
    expect(record).toMatchObject({ operation: 'BatchDeletePoolNodes', successCount: 1, failCount: 0 });
    expect((await node(victim)).body.status.phase).toBe('Deleting');
    const pool = await t.client.request<{ spec: { resources: Array<{ count: number }> } }>('GET', base);
    expect(pool.body.spec.resources[0]!.count).toBe(7);

    const lock = await post<{ nodes: unknown[] }>('batch-lock', { nodeNames: [victim], actions: ['delete'] });
    expect(lock.body).toEqual({ nodes: [{ name: victim, status: 'failed' }] });

    const repeat = await post('batch-delete', { deleteNodeNames: [victim] });
    expect(repeat.status).toBe(200);

    clock.advance(DELETE_SECONDS * 1000);
    await eventually(async () => ((await node(victim)).status === 404 ? true : undefined));
    const list = await t.client.request<{ items: NodeBody[] }>('GET', `${base}/nodes`);
    expect(list.body.items.map((n) => n.metadata.name)).not.toContain(victim);
    names = names.slice(0, 7);
  });
});

describe('BatchRebootPoolNodes', () => {
  it('reboots Available nodes (Checking, then Available), answering the rebooting names; others fail with reasons', async () => {
    const [a, b, abnormal] = [names[2]!, names[3]!, names[4]!];
    const set = await t.client.request('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${abnormal}/phase`, { phase: 'Abnormal' });
    expect(set.status).toBe(200);
    const res = await post<{ nodeNames: string[] }>('batch-reboot', { nodeNames: [a, 'os-node-created-zzzzz', abnormal, b] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ nodeNames: [a, b] });
    const record = await operation(res.headers.get('x-operation-id'));
    expect(record.nodes.map((n) => [n.name, n.status, n.errorCode])).toEqual([
      [a, 'success', undefined],
      ['os-node-created-zzzzz', 'failed', 'ModelArts.50005101'],
      [abnormal, 'failed', 'ModelArts.50004002'],
      [b, 'success', undefined],
    ]);
    expect((await node(a)).body.status.phase).toBe('Checking');
    const again = await post<{ nodeNames: string[] }>('batch-reboot', { nodeNames: [a] });
    expect(again.body).toEqual({ nodeNames: [] });

    clock.advance(REBOOT_SECONDS * 1000);
    await phaseOf(a, 'Available');
    await phaseOf(b, 'Available');
    const done = await operation(res.headers.get('x-operation-id'));
    expect(done.nodes[0]!.completion).toMatchObject({ status: 'succeeded' });
    await t.client.request('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${abnormal}/phase`, { phase: 'Available' });
  });

  it('an injected reboot fault leaves the node Abnormal with the reason in the operation record', async () => {
    const target = names[5]!;
    const fault = await t.client.request('POST', `/_poolkeeper/v1/${t.projectId}/faults`, { match: { nodes: [target] }, fail: 'reboot' });
    expect(fault.status).toBe(200);
    const res = await post<{ nodeNames: string[] }>('batch-reboot', { nodeNames: [target] });
    expect(res.body.nodeNames).toEqual([target]);
    clock.advance(REBOOT_SECONDS * 1000);
    await phaseOf(target, 'Abnormal');
    const record = await operation(res.headers.get('x-operation-id'));
    expect(record.nodes[0]!.completion).toMatchObject({ status: 'failed', errorCode: 'ModelArts.50005202' });
    await t.client.request('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${target}/phase`, { phase: 'Available' });
    const second = await post<{ nodeNames: string[] }>('batch-reboot', { nodeNames: [target] });
    clock.advance(REBOOT_SECONDS * 1000);
    await phaseOf(target, 'Available');
    expect((await operation(second.headers.get('x-operation-id'))).nodes[0]!.completion).toMatchObject({ status: 'succeeded' });
  });
});

describe('BatchDrainPoolNodes', () => {
  it('annotates and taints the node, refuses new work, and drains running work to zero', async () => {
    const target = names[6]!;
    expect((await workload(target, 4)).status).toBe(200);
    const res = await post('batch-drain', { nodeNames: [target, 'os-node-created-zzzzz'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const record = await operation(res.headers.get('x-operation-id'));
    expect(record.nodes.map((n) => n.status)).toEqual(['success', 'failed']);
    const draining = (await node(target)).body;
    expect(draining.metadata.annotations['os.modelarts.node/drain']).toBe('Draining');
    expect(draining.status.taints).toContainEqual(expect.objectContaining({ key: 'os.modelarts.node/drain', effect: 'NoSchedule' }));
    const more = await workload(target, 5);
    expect(more.status).toBe(400);
    expect(more.body.error_msg).toContain('runningJobs');
    expect((await workload(target, 2)).status).toBe(200);

    clock.advance(DRAIN_SECONDS * 1000);
    await eventually(async () => ((await node(target)).body.metadata.annotations['os.modelarts.node/drain'] === 'Drained' ? true : undefined));
    const again = await post('batch-drain', { nodeNames: [target] });
    expect(again.status).toBe(200);
    expect((await node(target)).body.status.taints.filter((x) => x.key === 'os.modelarts.node/drain')).toHaveLength(1);
  });

  it('workload of an unknown node is 404', async () => {
    const res = await workload('os-node-created-zzzzz', 1);
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('ModelArts.50005101');
  });
});
