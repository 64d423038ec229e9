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
const REBOOT_SECONDS = 30;
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
  t = await startTestService({
    clock,
    env: { POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS: String(UPGRADE_SECONDS), POOLKEEPER_SIM_REBOOT_SECONDS: String(REBOOT_SECONDS) },
  });
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
    // The other seven still run the version the pool shows: it is not Running while one node differs.
    expect((await pool()).status.driver?.gpu).toEqual({ version: before.status.driver!.version, state: 'Abnormal' });
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

describe('PatchPool spec.driver never shows Running before every node runs the version', () => {
  async function gpuPool(displayName: string, count: number): Promise<{ path: string; nodes: string[] }> {
    const created = await t.client.request('POST', `/v2/${t.projectId}/pools`, {
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: { labels: { 'os.modelarts/name': displayName } },
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'net' }, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count }] },
    });
    expect(created.status).toBe(200);
    const path = `/v2/${t.projectId}/pools/${displayName}-${t.projectId}`;
    const nodes = (await t.client.request<{ items: NodeBody[] }>('GET', `${path}/nodes`)).body.items.map((n) => n.metadata.name);
    expect(nodes).toHaveLength(count);
    return { path, nodes };
  }

  async function patchDriver(path: string, gpuVersion: string) {
    const res = await t.client.request<PoolBody>('PATCH', path, { spec: { driver: { gpuVersion, updateStrategy: 'force' } } });
    expect(res.status).toBe(200);
    return { pool: res.body, operationId: res.headers.get('x-operation-id') };
  }

  /** The pool's GPU driver summary, checked against what its nodes really run: Running only when all run it. */
  async function honestGpuState(path: string): Promise<{ version: string; state: string }> {
    const [summary, nodes] = await Promise.all([pool(path), t.client.request<{ items: NodeBody[] }>('GET', `${path}/nodes`)]);
    const gpu = summary.status.driver!.gpu!;
    const allOnIt = nodes.body.items.every((n) => n.status.driver?.version === gpu.version && n.status.driver.phase === 'Running');
    expect(gpu.state === 'Running', `pool says ${JSON.stringify(gpu)}; nodes ${JSON.stringify(nodes.body.items.map((n) => n.status.driver))}`).toBe(allOnIt);
    return gpu;
  }

  async function nodePhase(path: string, name: string, phase: string): Promise<void> {
    await eventually(async () => ((await node(name, path)).status.phase === phase ? true : undefined));
  }

  it('queues the upgrade of a node that is Checking after a reboot; it upgrades once the node is back', async () => {
    const { path, nodes } = await gpuPool('rolling', 3);
    const [rebooting, ...others] = nodes as [string, ...string[]];
    const reboot = await t.client.request<{ nodeNames: string[] }>('POST', `${path}/nodes/batch-reboot`, { nodeNames: [rebooting] });
    expect(reboot.body.nodeNames).toEqual([rebooting]);
    expect((await node(rebooting, path)).status.phase).toBe('Checking');

    const patched = await patchDriver(path, '570.1');
    expect(patched.pool.status.driver?.gpu).toEqual({ version: '570.1', state: 'Upgrading' });
    const record = await operation(patched.operationId!);
    expect(record.nodes.map((n) => [n.name, n.status])).toEqual(nodes.map((n) => [n, 'success']));
    const queued = await node(rebooting, path);
    expect(queued.status.phase).toBe('Checking');
    expect(queued.status.driver).toEqual({ version: '535.54.03', phase: 'Pending' });

    for (const n of others) await driverPhase(n, 'Updating', path);
    clock.advance(UPGRADE_SECONDS * 1000);
    for (const n of others) expect((await driverPhase(n, 'Running', path)).status.driver!.version).toBe('570.1');
    await someTicks();
    expect((await node(rebooting, path)).status.driver).toEqual({ version: '535.54.03', phase: 'Pending' });
    expect(await honestGpuState(path)).toEqual({ version: '570.1', state: 'Upgrading' });

    clock.advance((REBOOT_SECONDS - UPGRADE_SECONDS) * 1000);
    await nodePhase(path, rebooting, 'Available');
    await driverPhase(rebooting, 'Updating', path);
    expect(await honestGpuState(path)).toEqual({ version: '570.1', state: 'Upgrading' });
    clock.advance(UPGRADE_SECONDS * 1000);
    expect((await driverPhase(rebooting, 'Running', path)).status.driver!.version).toBe('570.1');
    expect(await honestGpuState(path)).toEqual({ version: '570.1', state: 'Running' });
    expect((await operation(patched.operationId!)).nodes.every((n) => n.completion?.status === 'succeeded')).toBe(true);
  });

  it('queues the upgrade of an Abnormal node until it is Available again', async () => {
    const { path, nodes } = await gpuPool('sick', 2);
    const [sick, healthy] = nodes as [string, string];
    const phasePath = `/_poolkeeper/v1/${t.projectId}/pools/sick-${t.projectId}/nodes/${sick}/phase`;
    expect((await t.client.request('PUT', phasePath, { phase: 'Abnormal' })).status).toBe(200);

    await patchDriver(path, '570.2');
    await driverPhase(healthy, 'Updating', path);
    clock.advance(UPGRADE_SECONDS * 1000);
    await driverPhase(healthy, 'Running', path);
    await someTicks();
    expect((await node(sick, path)).status.driver?.phase).toBe('Pending');
    expect(await honestGpuState(path)).toEqual({ version: '570.2', state: 'Upgrading' });

    expect((await t.client.request('PUT', phasePath, { phase: 'Available' })).status).toBe(200);
    await driverPhase(sick, 'Updating', path);
    clock.advance(UPGRADE_SECONDS * 1000);
    expect((await driverPhase(sick, 'Running', path)).status.driver!.version).toBe('570.2');
    expect(await honestGpuState(path)).toEqual({ version: '570.2', state: 'Running' });
  });

  it('a locked node keeps its driver and the pool says Abnormal until a repeated PATCH upgrades it after unlocking', async () => {
    const { path, nodes } = await gpuPool('locked', 2);
    const [locked, free] = nodes as [string, string];
    expect((await t.client.request('POST', `${path}/nodes/batch-lock`, { nodeNames: [locked], actions: ['delete'] })).status).toBe(200);

    const patched = await patchDriver(path, '570.3');
    const record = await operation(patched.operationId!);
    expect(record.nodes.find((n) => n.name === locked)).toMatchObject({ status: 'failed', errorCode: 'ModelArts.50004003' });
    await driverPhase(free, 'Updating', path);
    clock.advance(UPGRADE_SECONDS * 1000);
    await driverPhase(free, 'Running', path);
    expect(await honestGpuState(path)).toEqual({ version: '570.3', state: 'Abnormal' });

    expect((await t.client.request('POST', `${path}/nodes/batch-unlock`, { nodeNames: [locked], actions: ['delete'] })).status).toBe(200);
    const again = await patchDriver(path, '570.3');
    expect((await operation(again.operationId!)).nodes.map((n) => n.name)).toEqual([locked]);
    await driverPhase(locked, 'Updating', path);
    clock.advance(UPGRADE_SECONDS * 1000);
    expect((await driverPhase(locked, 'Running', path)).status.driver!.version).toBe('570.3');
    expect(await honestGpuState(path)).toEqual({ version: '570.3', state: 'Running' });
  });

  it('leaves out nodes already upgrading to the version, and fails nodes upgrading to another one', async () => {
    const { path, nodes } = await gpuPool('busy', 3);
    const [same, other, idle] = nodes as [string, string, string];
    for (const [name, version] of [[same, '570.4'], [other, '570.0']] as const) {
      const res = await t.client.request<{ successNodeNames: string[] }>('POST', `${path}/nodes/batch-update`, {
        nodeNames: [name],
        action: 'closeHaRedundant',
        driver: { version, updateStrategy: 'force' },
      });
      expect(res.body.successNodeNames).toEqual([name]);
      await driverPhase(name, 'Updating', path);
    }

    const patched = await patchDriver(path, '570.4');
    const record = await operation(patched.operationId!);
    expect(record.nodes.map((n) => [n.name, n.status, n.errorCode])).toEqual(
      [
        [other, 'failed', 'ModelArts.50004005'],
        [idle, 'success', undefined],
      ].sort(),
    );
    await driverPhase(idle, 'Updating', path);
    expect(await honestGpuState(path)).toEqual({ version: '570.4', state: 'Upgrading' });
    clock.advance(UPGRADE_SECONDS * 1000);
    for (const [name, version] of [[same, '570.4'], [other, '570.0'], [idle, '570.4']] as const) {
      expect((await driverPhase(name, 'Running', path)).status.driver!.version).toBe(version);
    }
    expect(await honestGpuState(path)).toEqual({ version: '570.4', state: 'Abnormal' });
  });
});
