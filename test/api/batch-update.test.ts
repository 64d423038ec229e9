import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService, demoNodeNames } from '../helpers/service.js';

interface NodeBody {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  status: { phase: string; taints: Array<{ key: string; value: string; effect: string; timeAdded: string }>; driver?: { version: string; phase: string } };
}
interface BatchResult {
  successNodeNames: string[];
  failNodeNames: string[];
}
interface ErrorBody {
  error_code: string;
  error_msg: string;
}

let t: TestService;
let nodeNames: string[];
let base: string;

async function nodeState(name: string): Promise<NodeBody> {
  const res = await t.client.request<NodeBody>('GET', `${base}/nodes/${name}`);
  expect(res.status).toBe(200);
  return res.body;
}

function tagsOf(node: NodeBody): Array<{ key: string; value: string }> {
  const raw = node.metadata.annotations['os.modelarts/tms.tags'];
  return raw === undefined ? [] : (JSON.parse(raw) as Array<{ key: string; value: string }>);
}

async function batch(body: unknown) {
  return t.client.request<BatchResult & ErrorBody>('POST', `${base}/nodes/batch-update`, body);
}

beforeAll(async () => {
  t = await startTestService();
  base = `/v2/${t.projectId}/pools/${t.demoPool}`;
  nodeNames = await demoNodeNames(t);
});

afterAll(async () => {
  await t.stop();
});

describe('BatchUpdatePoolNodes: whole-request checks write nothing', () => {
  const cases: Array<[string, (names: string[]) => unknown, string, number, string]> = [
    ['missing nodeNames', () => ({ action: 'openHaRedundant' }), 'nodeNames', 400, 'ModelArts.50004000'],
    ['empty nodeNames', () => ({ nodeNames: [], action: 'openHaRedundant' }), 'nodeNames', 400, 'ModelArts.50004000'],
    ['missing action', (n) => ({ nodeNames: [n[0]] }), 'action', 400, 'ModelArts.50004000'],
    ['SDK enum bug: action "true"', (n) => ({ nodeNames: [n[0]], action: 'true' }), 'action', 400, 'ModelArts.50004000'],
    ['SDK enum bug: action "false"', (n) => ({ nodeNames: [n[0]], action: 'false' }), 'action', 400, 'ModelArts.50004000'],
    ['unknown field', (n) => ({ nodeNames: [n[0]], action: 'openHaRedundant', color: 'blue' }), 'color', 400, 'ModelArts.50004000'],
    ['bad effect', (n) => ({ nodeNames: [n[0]], action: 'openHaRedundant', haRedundantEffect: 'PreferNoSchedule' }), 'haRedundantEffect', 400, 'ModelArts.50004000'],
    ['duplicate names', (n) => ({ nodeNames: [n[0], n[1], n[0]], action: 'openHaRedundant' }), 'nodeNames[2]', 400, 'ModelArts.50004000'],
    ['createTags without tags', (n) => ({ nodeNames: [n[0]], action: 'createTags' }), 'tags', 400, 'ModelArts.50004000'],
    ['tag key _sys_', (n) => ({ nodeNames: [n[0]], action: 'createTags', tags: [{ key: '_sys_owner', value: 'x' }] }), 'tags[0].key', 400, 'ModelArts.50004000'],
    ['tag key too long', (n) => ({ nodeNames: [n[0]], action: 'createTags', tags: [{ key: 'k'.repeat(129), value: 'x' }] }), 'tags[0].key', 400, 'ModelArts.50004000'],
    ['tag value too long', (n) => ({ nodeNames: [n[0]], action: 'createTags', tags: [{ key: 'k', value: 'v'.repeat(256) }] }), 'tags[0].value', 400, 'ModelArts.50004000'],
    ['duplicate tag keys', (n) => ({ nodeNames: [n[0]], action: 'createTags', tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }), 'tags[1].key', 400, 'ModelArts.50004000'],
    ['21 tags in one request', (n) => ({ nodeNames: [n[0]], action: 'createTags', tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }), 'tags', 400, 'ModelArts.50004000'],
    ['haRedundantEnable contradicts', (n) => ({ nodeNames: [n[0]], action: 'openHaRedundant', haRedundantEnable: false }), 'haRedundantEnable', 400, 'ModelArts.50004000'],
    ['bad driver strategy', (n) => ({ nodeNames: [n[0]], action: 'openHaRedundant', driver: { version: '550.1', updateStrategy: 'later' } }), 'driver.updateStrategy', 400, 'ModelArts.50004000'],
    ['wrong type', (n) => ({ nodeNames: n[0], action: 'openHaRedundant' }), 'nodeNames', 400, 'ModelArts.50004000'],
  ];

  it.each(cases)('%s → %i naming the field, node untouched', async (_label, body, field, status, code) => {
    const before = await nodeState(nodeNames[0]!);
    const res = await batch(body(nodeNames));
    expect(res.status).toBe(status);
    expect(res.body.error_code).toBe(code);
    expect(res.body.error_msg).toMatch(/^Bad request\. /);
    expect(res.body.error_msg).toContain(field);
    expect(res.headers.get('x-operation-id')).toBeNull();
    expect(res.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(await nodeState(nodeNames[0]!)).toEqual(before);
  });

  it('rejects more names than the published limit', async () => {
    const res = await batch({ nodeNames: Array.from({ length: 10_001 }, (_, i) => `n-${i}`), action: 'openHaRedundant' });
    expect(res.status).toBe(400);
    expect(res.body.error_msg).toContain('nodeNames');
    expect(res.body.error_msg).toContain('10000');
  });

  it('rejects a body that is not JSON', async () => {
    const res = await batch('{"nodeNames": [');
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('ModelArts.50004000');
  });

  it('answers 404 ModelArts.50015001 for an unknown pool', async () => {
    const res = await t.client.request<ErrorBody>('POST', `/v2/${t.projectId}/pools/nosuch-${t.projectId}/nodes/batch-update`, {
      nodeNames: [nodeNames[0]],
      action: 'openHaRedundant',
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 'ModelArts.50015001', error_msg: 'pool not found' });
  });

  it('checks the whole body before looking for the pool (api-reference §5 order): 400 on an unknown pool', async () => {
    const res = await t.client.request<ErrorBody>('POST', `/v2/${t.projectId}/pools/nosuch-${t.projectId}/nodes/batch-update`, {
      nodeNames: [nodeNames[0], nodeNames[0]],
      action: 'openHaRedundant',
    });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('ModelArts.50004000');
  });
});

describe('node names: one rule for paths and bodies', () => {
  it.each(['a..b', 'a.-b', 'a-.b'])('%s, valid under a per-character pattern, is refused in the path and in a body alike', async (name) => {
    const shown = await t.client.request<ErrorBody>('GET', `${base}/nodes/${name}`);
    expect(shown.status).toBe(400);
    expect(shown.body.error_code).toBe('ModelArts.50004000');
    expect(shown.body.error_msg).toContain('params.node_name');
    const updated = await batch({ nodeNames: [nodeNames[0], name], action: 'closeHaRedundant' });
    expect(updated.status).toBe(400);
    expect(updated.body.error_msg).toBe("Bad request. nodeNames[1]: each '.'-separated part must start and end with a lowercase letter or digit");
  });

  it('a dotted name the rule accepts is looked up in the path and in a body', async () => {
    expect((await t.client.request<ErrorBody>('GET', `${base}/nodes/node-1.zone-a`)).status).toBe(404);
    const updated = await batch({ nodeNames: ['node-1.zone-a'], action: 'closeHaRedundant' });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ successNodeNames: [], failNodeNames: ['node-1.zone-a'] });
  });
});

describe('BatchUpdatePoolNodes: HA redundancy', () => {
  it('opens with the default NoSchedule taint and label', async () => {
    const name = nodeNames[1]!;
    const res = await batch({ nodeNames: [name], action: 'openHaRedundant' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ successNodeNames: [name], failNodeNames: [] });
    expect(res.headers.get('x-operation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const node = await nodeState(name);
    expect(node.metadata.labels['os.modelarts.node/ha.redundant.enabled']).toBe('true');
    expect(node.status.taints).toEqual([
      { key: 'os.modelarts.node/ha.redundant', value: 'true', effect: 'NoSchedule', timeAdded: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
    ]);
  });

  it('switching the effect replaces the HA taint; re-opening is idempotent', async () => {
    const name = nodeNames[1]!;
    await batch({ nodeNames: [name], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' });
    let node = await nodeState(name);
    expect(node.status.taints.map((x) => x.effect)).toEqual(['NoExecute']);
    const firstAdded = node.status.taints[0]!.timeAdded;
    await batch({ nodeNames: [name], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' });
    node = await nodeState(name);
    expect(node.status.taints).toHaveLength(1);
    expect(node.status.taints[0]!.timeAdded).toBe(firstAdded);
  });

  it('closes: label false, every HA taint removed, idempotent', async () => {
    const name = nodeNames[1]!;
    for (let i = 0; i < 2; i++) {
      const res = await batch({ nodeNames: [name], action: 'closeHaRedundant', haRedundantEffect: 'NoExecute' });
      expect(res.body.successNodeNames).toEqual([name]);
      const node = await nodeState(name);
      expect(node.metadata.labels['os.modelarts.node/ha.redundant.enabled']).toBe('false');
      expect(node.status.taints).toEqual([]);
    }
  });
});

describe('BatchUpdatePoolNodes: tags', () => {
  it('creates, upserts by key, and accepts other alphabets and system-owner', async () => {
    const name = nodeNames[2]!;
    let res = await batch({ nodeNames: [name], action: 'createTags', tags: [{ key: '环境', value: '测试' }, { key: 'system-owner', value: 'team/a' }] });
    expect(res.body.successNodeNames).toEqual([name]);
    res = await batch({ nodeNames: [name], action: 'createTags', tags: [{ key: 'system-owner', value: 'team/b' }] });
    expect(res.body.successNodeNames).toEqual([name]);
    expect(tagsOf(await nodeState(name))).toEqual([
      { key: 'system-owner', value: 'team/b' },
      { key: '环境', value: '测试' },
    ]);
  });

  it('deletes by key, by key and value, and deleting an absent tag succeeds', async () => {
    const name = nodeNames[2]!;
    let res = await batch({ nodeNames: [name], action: 'deleteTags', tags: [{ key: 'system-owner', value: 'team/a' }] });
    expect(res.body.successNodeNames).toEqual([name]);
    expect(tagsOf(await nodeState(name)).map((x) => x.key)).toContain('system-owner');
    res = await batch({ nodeNames: [name], action: 'deleteTags', tags: [{ key: 'system-owner', value: 'team/b' }, { key: 'absent', value: '' }] });
    expect(res.body.successNodeNames).toEqual([name]);
    res = await batch({ nodeNames: [name], action: 'deleteTags', tags: [{ key: '环境', value: '' }] });
    expect(res.body.successNodeNames).toEqual([name]);
    expect(tagsOf(await nodeState(name))).toEqual([]);
  });

  it('fails only the node that would exceed 20 tags', async () => {
    const [full, roomy] = [nodeNames[3]!, nodeNames[4]!];
    const twenty = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    expect((await batch({ nodeNames: [full], action: 'createTags', tags: twenty })).body.successNodeNames).toEqual([full]);
    const res = await batch({ nodeNames: [full, roomy], action: 'createTags', tags: [{ key: 'extra', value: '1' }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ successNodeNames: [roomy], failNodeNames: [full] });
    expect(tagsOf(await nodeState(full))).toHaveLength(20);
    const op = await t.client.request<{ nodes: Array<{ name: string; status: string; errorCode?: string; errorMsg?: string }> }>(
      'GET',
      `/_poolkeeper/v1/${t.projectId}/operations/${res.headers.get('x-operation-id')}`,
    );
    expect(op.status).toBe(200);
    expect(op.body.nodes).toEqual([
      { name: full, status: 'failed', errorCode: 'ModelArts.50004004', errorMsg: expect.stringContaining('21 tags') },
      { name: roomy, status: 'success' },
    ]);
    expect((await batch({ nodeNames: [full], action: 'createTags', tags: [{ key: 'k0', value: 'updated' }] })).body.successNodeNames).toEqual([full]);
  });
});

describe('BatchUpdatePoolNodes: per-node outcomes', () => {
  it('reports unknown and non-Available nodes as failures, in request order, with reasons', async () => {
    const [good, sick] = [nodeNames[5]!, nodeNames[6]!];
    const phase = await t.client.request('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${sick}/phase`, { phase: 'Abnormal' });
    expect(phase.status).toBe(200);
    const res = await batch({ nodeNames: ['os-node-created-zzzzz', good, sick], action: 'openHaRedundant' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ successNodeNames: [good], failNodeNames: ['os-node-created-zzzzz', sick] });
    const op = await t.client.request<{ action: string; principal: string; successCount: number; failCount: number; nodes: Array<{ name: string; errorCode?: string }> }>(
      'GET',
      `/_poolkeeper/v1/${t.projectId}/operations/${res.headers.get('x-operation-id')}`,
    );
    expect(op.body).toMatchObject({ action: 'openHaRedundant', principal: 'admin@poolkeeper', successCount: 1, failCount: 2 });
    expect(op.body.nodes.map((n) => [n.name, n.errorCode])).toEqual([
      ['os-node-created-zzzzz', 'ModelArts.50005101'],
      [good, undefined],
      [sick, 'ModelArts.50004002'],
    ]);
    expect((await nodeState(sick)).status.taints).toEqual([]);
    await t.client.request('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${sick}/phase`, { phase: 'Available' });
  });

  it('a request whose nodes all fail is still 200', async () => {
    const res = await batch({ nodeNames: ['os-node-created-aaaaa', 'os-node-created-bbbbb'], action: 'closeHaRedundant' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ successNodeNames: [], failNodeNames: ['os-node-created-aaaaa', 'os-node-created-bbbbb'] });
  });

  it('schedules a driver upgrade, and refuses a second one while it is in progress', async () => {
    const name = nodeNames[7]!;
    const res = await batch({ nodeNames: [name], action: 'closeHaRedundant', driver: { version: '550.54.15', updateStrategy: 'force' } });
    expect(res.body.successNodeNames).toEqual([name]);
    const node = await nodeState(name);
    // A force upgrade starts on the next reconciler tick: Pending, then Updating for POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS.
    expect(['Pending', 'Updating']).toContain(node.status.driver?.phase);
    const again = await batch({ nodeNames: [name], action: 'closeHaRedundant', driver: { version: '550.54.16' } });
    expect(again.body).toEqual({ successNodeNames: [], failNodeNames: [name] });
  });

  it('unknown operation ids are 404', async () => {
    const res = await t.client.request<ErrorBody>('GET', `/_poolkeeper/v1/${t.projectId}/operations/00000000-0000-0000-0000-000000000000`);
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('ModelArts.50005101');
  });
});
