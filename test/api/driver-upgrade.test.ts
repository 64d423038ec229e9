import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ManualClock, startTestService, type TestService, demoNodeNames } from '../helpers/service.js';

interface NodeBody {
  metadata: { name: string; annotations: Record<string, string> };
  spec: { flavor: string };
  status: { phase: string; taints: Array<{ key: string; effect: string }>; driver?: { version: string; phase: string } };
}
interface PoolBody {
  spec: { driver?: { gpuVersion?: string; npuVersion?: string } };
  status: { driver?: { gpu?: { version: string; state: string }; npu?: { version: string; state: string } } };
}
interface OperationBody {
  operation: string;
  nodes: Array<{ name: string; status: string; errorCode?: string; errorMsg?: string; completion?: { status: string; errorCode?: string; errorMsg?: string } }>;
}

const UPGRADE_SECONDS = 10;
// Starts at the real time: requests are signed with the real clock and must be within 15 minutes of the service's.
const clock = new ManualClock();
let t: TestService;
let base: string;
let names: string[];

async function node(name: string, poolPath = base): Promise<NodeBody> {
  const res = await t.client.request<NodeBody>('GET', `${poolPath}/nodes/${name}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function pool(path = base): Promise<PoolBody> {
  return (await t.client.request<PoolBody>('GET', path)).body;
}

/** Waits until the reconciler has brought the node's driver to `phase`. */
async function driverPhase(name: string, phase: string, poolPath = base): Promise<NodeBody> {
  return eventually(async () => {
    const n = await node(name, poolPath);
    return n.status.driver?.phase === phase ? n : undefined;
  });
}

async function upgrade(nodeNames: string[], version: string, updateStrategy: 'force' | 'idle') {
  const res = await t.client.request<{ successNodeNames: string[]; failNodeNames: string[] }>('POST', `${base}/nodes/batch-update`, {
    nodeNames,
    action: 'closeHaRedundant',
    driver: { version, updateStrategy },
  });
  expect(res.status).toBe(200);
  return { ...res.body, operationId: res.headers.get('x-operation-id')! };
}

async function operation(id: string): Promise<OperationBody> {
  return (await t.client.request<OperationBody>('GET', `/_poolkeeper/v1/${t.projectId}/operations/${id}`)).body;
}

async function workload(name: string, runningJobs: number) {
  return t.client.request<{ error_code?: string; error_msg?: string }>('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${name}/workload`, { runningJobs });
}

/** Gives the 20 ms reconciler loop a few ticks to (not) act. */
function someTicks(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}

beforeAll(async () => {
  t = await startTestService({ clock, env: { POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS: String(UPGRADE_SECONDS) } });
  base = `/v2/${t.projectId}/pools/${t.demoPool}`;
  names = await demoNodeNames(t);
});

afterAll(async () => {
  await t.stop();
});

describe('driver upgrades progress durably with the injected clock', () => {
  it('force: Pending → Updating at once, Running with the new version after the upgrade time; the pool summarises', async () => {
    const name = names[0]!;
    const before = await node(name);
    const res = await upgrade([name], '550.1', 'force');
    expect(res.successNodeNames).toEqual([name]);
    const updating = await driverPhase(name, 'Updating');
    expect(updating.status.driver!.version).toBe(before.status.driver!.version);
    expect(updating.status.taints.map((x) => x.key)).not.toContain('os.modelarts.node/driver.upgrade');
    expect((await pool()).status.driver?.gpu?.state).toBe('Upgrading');

    clock.advance((UPGRADE_SECONDS - 1) * 1000);
    await someTicks();
    expect((await node(name)).status.driver?.phase).toBe('Updating');

    clock.advance(1000);
    const done = await driverPhase(name, 'Running');
    expect(done.status.driver!.version).toBe('550.1');
    expect((await pool()).status.driver?.gpu?.state).toBe('Running');
    const record = await operation(res.operationId);
    expect(record.nodes).toEqual([{ name, status: 'success', completion: expect.objectContaining({ status: 'succeeded' }) }]);
  });

  it('idle: isolates the node with a NoSchedule taint, waits until it runs no work, then upgrades and lifts the taint', async () => {
    const name = names[1]!;
    expect((await workload(name, 2)).status).toBe(200);
    const res = await upgrade([name], '550.2', 'idle');
    expect(res.successNodeNames).toEqual([name]);
    const pending = await node(name);
    expect(pending.status.driver?.phase).toBe('Pending');
    expect(pending.status.taints).toContainEqual(expect.objectContaining({ key: 'os.modelarts.node/driver.upgrade', effect: 'NoSchedule' }));

    clock.advance(UPGRADE_SECONDS * 2000);
    await someTicks();
    expect((await node(name)).status.driver?.phase).toBe('Pending');
    const more = await workload(name, 3);
    expect(more.status).toBe(400);
    expect(more.body.error_msg).toContain('os.modelarts.node/driver.upgrade:NoSchedule');

    expect((await workload(name, 0)).status).toBe(200);
    await driverPhase(name, 'Updating');
    clock.advance(UPGRADE_SECONDS * 1000);
    const done = await driverPhase(name, 'Running');
    expect(done.status.driver!.version).toBe('550.2');
    expect(done.status.taints.map((x) => x.key)).not.toContain('os.modelarts.node/driver.upgrade');
  });

  it('a new upgrade for a node already upgrading is a per-node failure, not an overwrite', async () => {
    const name = names[2]!;
    await upgrade([name], '550.3', 'force');
    await driverPhase(name, 'Updating');
    const again = await upgrade([name, names[3]!], '550.4', 'force');
    expect(again.failNodeNames).toEqual([name]);
    expect(again.successNodeNames).toEqual([names[3]]);
    const record = await operation(again.operationId);
    expect(record.nodes[0]).toMatchObject({ name, status: 'failed', errorCode: 'ModelArts.50004005' });
    await driverPhase(names[3]!, 'Updating');
    clock.advance(UPGRADE_SECONDS * 1000);
    expect((await driverPhase(name, 'Running')).status.driver!.version).toBe('550.3');
    expect((await driverPhase(names[3]!, 'Running')).status.driver!.version).toBe('550.4');
  });

  it('an injected driverUpgrade fault fails the next matching upgrade: node and pool Abnormal, reason in the operation record', async () => {
    const [failing, healthy] = [names[4]!, names[5]!];
    const created = await t.client.request<{ id: number; remaining: number }>('POST', `/_poolkeeper/v1/${t.projectId}/faults`, {
      match: { pool: t.demoPool, nodes: [failing] },
      fail: 'driverUpgrade',
      times: 1,
    });
    expect(created.status).toBe(200);
    expect(created.body.remaining).toBe(1);
    const listed = await t.client.request<{ items: Array<{ id: number; fail: string; remaining: number }> }>('GET', `/_poolkeeper/v1/${t.projectId}/faults`);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, fail: 'driverUpgrade', remaining: 1 })]);

    const res = await upgrade([failing, healthy], '550.5', 'force');
    expect(res.successNodeNames).toEqual([failing, healthy]);
    expect((await t.client.request<{ items: unknown[] }>('GET', `/_poolkeeper/v1/${t.projectId}/faults`)).body.items).toEqual([]);
    await driverPhase(failing, 'Updating');
    await driverPhase(healthy, 'Updating');
    clock.advance(UPGRADE_SECONDS * 1000);
    const broken = await driverPhase(failing, 'Abnormal');
    expect(broken.status.driver!.version).not.toBe('550.5');
    expect((await driverPhase(healthy, 'Running')).status.driver!.version).toBe('550.5');
    expect((await pool()).status.driver?.gpu?.state).toBe('Abnormal');
    const record = await operation(res.operationId);
    expect(record.nodes[0]).toMatchObject({ name: failing, status: 'success', completion: { status: 'failed', errorCode: 'ModelArts.50005201' } });
    expect(record.nodes[0]!.completion!.errorMsg).toContain('550.5');
    expect(record.nodes[1]).toMatchObject({ name: healthy, completion: { status: 'succeeded' } });

    const retry = await upgrade([failing], '550.5', 'force');
    expect(retry.successNodeNames).toEqual([failing]);
    await driverPhase(failing, 'Updating');
    clock.advance(UPGRADE_SECONDS * 1000);
    expect((await driverPhase(failing, 'Running')).status.driver!.version).toBe('550.5');
  });
});

describe('PatchPool spec.driver', () => {
  const poolPath = () => `/v2/${t.projectId}/pools/mixed-${t.projectId}`;

  it('upgrades the nodes of each named accelerator, records the operation, and the pool summarises per accelerator', async () => {
    const created = await t.client.request('POST', `/v2/${t.projectId}/pools`, {
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: { labels: { 'os.modelarts/name': 'mixed' } },
      spec: {
        type: 'Dedicate',
        scope: ['Train'],
        network: { name: 'net' },
        resources: [
          { flavor: 'modelarts.vm.gpu.t4u8', count: 2 },
          { flavor: 'modelarts.bm.npu.arm.8snt9b3.d', count: 2 },
          { flavor: 'modelarts.vm.cpu.8ud', count: 1 },
        ],
      },
    });
    expect(created.status).toBe(200);
    const before = await pool(poolPath());
    expect(before.status.driver).toEqual({ gpu: { version: '535.54.03', state: 'Running' }, npu: { version: '23.0.6', state: 'Running' } });

    const patched = await t.client.request<PoolBody>('PATCH', poolPath(), { spec: { driver: { gpuVersion: '560.1', updateStrategy: 'force' } } });
    expect(patched.status).toBe(200);
    expect(patched.body.spec.driver?.gpuVersion).toBe('560.1');
    expect(patched.body.status.driver?.gpu).toEqual({ version: '560.1', state: 'Upgrading' });
    expect(patched.body.status.driver?.npu).toEqual({ version: '23.0.6', state: 'Running' });
    const record = await operation(patched.headers.get('x-operation-id')!);
    expect(record.operation).toBe('PatchPool');
    expect(record.nodes).toHaveLength(2);

    const nodes = (await t.client.request<{ items: NodeBody[] }>('GET', `${poolPath()}/nodes`)).body.items;
    const gpuNodes = nodes.filter((n) => n.spec.flavor.includes('gpu'));
    for (const n of gpuNodes) await driverPhase(n.metadata.name, 'Updating', poolPath());
    clock.advance(UPGRADE_SECONDS * 1000);
    for (const n of gpuNodes) await driverPhase(n.metadata.name, 'Running', poolPath());
    expect((await pool(poolPath())).status.driver?.gpu).toEqual({ version: '560.1', state: 'Running' });
    for (const n of nodes.filter((x) => !x.spec.flavor.includes('gpu'))) expect(n.status.driver?.version ?? null).not.toBe('560.1');

    const same = await t.client.request<PoolBody>('PATCH', poolPath(), { spec: { driver: { gpuVersion: '560.1' } } });
    expect(same.headers.get('x-operation-id')).toBeNull();
  });
});
