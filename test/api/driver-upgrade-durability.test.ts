import { afterAll, beforeAll, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { openStore } from '../../src/store/open-store.js';
import { serviceStorage, type ServiceStorage } from '../helpers/databases.js';
import { startServiceProcess } from '../helpers/process.js';
import { eventually, TEST_AK, TEST_PROJECT_ID, TEST_SK } from '../helpers/service.js';

interface NodeList {
  items: Array<{ metadata: { name: string }; status: { driver?: { version: string; phase: string } } }>;
}

let storage: ServiceStorage;

beforeAll(async () => {
  storage = await serviceStorage();
});

afterAll(async () => {
  await storage.remove();
});

it('resumes every driver upgrade after SIGKILL: each finishes once, none is lost', async () => {
  const env = {
    ...storage.env,
    POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS: '3',
    POOLKEEPER_RECONCILE_INTERVAL_MS: '20',
    // A job the killed process had just claimed is taken over once its lease ends.
    POOLKEEPER_JOB_LEASE_SECONDS: '2',
  };
  const base = `/v2/${TEST_PROJECT_ID}/pools/demo-${TEST_PROJECT_ID}`;
  const workload = (name: string) => `/_poolkeeper/v1/${TEST_PROJECT_ID}/pools/demo-${TEST_PROJECT_ID}/nodes/${name}/workload`;

  const first = await startServiceProcess(env);
  const client = new PoolkeeperClient(first.url, { accessKey: TEST_AK, secretKey: TEST_SK });
  const names = (await client.request<NodeList>('GET', `${base}/nodes`)).body.items.map((n) => n.metadata.name);
  expect(names).toHaveLength(8);
  const [busy, ...free] = names as [string, ...string[]];
  expect((await client.request('PUT', workload(busy), { runningJobs: 1 })).status).toBe(200);
  const forced = await client.request<{ successNodeNames: string[] }>('POST', `${base}/nodes/batch-update`, {
    nodeNames: free,
    action: 'closeHaRedundant',
    driver: { version: '570.1', updateStrategy: 'force' },
  });
  const idle = await client.request<{ successNodeNames: string[] }>('POST', `${base}/nodes/batch-update`, {
    nodeNames: [busy],
    action: 'closeHaRedundant',
    driver: { version: '570.1', updateStrategy: 'idle' },
  });
  expect(forced.body.successNodeNames).toEqual(free);
  expect(idle.body.successNodeNames).toEqual([busy]);
  await eventually(async () => {
    const list = await client.request<NodeList>('GET', `${base}/nodes`);
    return list.body.items.some((n) => n.status.driver?.phase === 'Updating') ? true : undefined;
  });
  await first.kill();

  const second = await startServiceProcess(env);
  try {
    const again = new PoolkeeperClient(second.url, { accessKey: TEST_AK, secretKey: TEST_SK });
    const midway = await again.request<NodeList>('GET', `${base}/nodes`);
    expect(midway.body.items.find((n) => n.metadata.name === busy)!.status.driver?.phase).toBe('Pending');
    expect(midway.body.items.some((n) => n.status.driver?.phase !== 'Running')).toBe(true);
    expect((await again.request('PUT', workload(busy), { runningJobs: 0 })).status).toBe(200);
    const done = await eventually(async () => {
      const list = await again.request<NodeList>('GET', `${base}/nodes`);
      return list.body.items.every((n) => n.status.driver?.phase === 'Running') ? list.body.items : undefined;
    }, 20_000);
    for (const n of done) expect(n.status.driver!.version).toBe('570.1');
  } finally {
    await second.kill();
  }

  const { store } = await openStore({ databaseUrl: storage.database.url, sqliteSynchronous: 'NORMAL', databasePoolSize: 2 });
  try {
    const forcedOutcomes = await store.operations.outcomes(forced.headers.get('x-operation-id')!);
    expect(forcedOutcomes.map((o) => o.nodeName).sort()).toEqual([...free].sort());
    expect(forcedOutcomes.every((o) => o.status === 'succeeded')).toBe(true);
    const idleOutcomes = await store.operations.outcomes(idle.headers.get('x-operation-id')!);
    expect(idleOutcomes.map((o) => [o.nodeName, o.status])).toEqual([[busy, 'succeeded']]);
  } finally {
    await store.close();
  }
});
