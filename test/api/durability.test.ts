import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { serviceStorage, type ServiceStorage } from '../helpers/databases.js';
import { startServiceProcess } from '../helpers/process.js';
import { TEST_AK, TEST_PROJECT_ID, TEST_SK } from '../helpers/service.js';

let storage: ServiceStorage;

beforeAll(async () => {
  storage = await serviceStorage();
});

afterAll(async () => {
  await storage.remove();
});

it('keeps every change reported successful across SIGKILL and restart', async () => {
  const { env } = storage;
  const first = await startServiceProcess(env);
  expect(first.output()).toContain(`project id : ${TEST_PROJECT_ID}`);
  expect(first.output()).toContain(`secret key : ${TEST_SK}`);
  expect(statSync(join(storage.dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
  const client = new PoolkeeperClient(first.url, { accessKey: TEST_AK, secretKey: TEST_SK });
  const base = `/v2/${TEST_PROJECT_ID}/pools/demo-${TEST_PROJECT_ID}`;
  const nodes = await client.request<{ items: Array<{ metadata: { name: string } }> }>('GET', `${base}/nodes`);
  const names = nodes.body.items.map((n) => n.metadata.name);
  expect(names).toHaveLength(8);

  const updates = await Promise.all(
    names.map((name, i) =>
      client.request<{ successNodeNames: string[] }>('POST', `${base}/nodes/batch-update`, {
        nodeNames: [name],
        action: 'createTags',
        tags: [{ key: 'durable', value: `v${i}` }],
      }),
    ),
  );
  const ha = await client.request<{ successNodeNames: string[] }>('POST', `${base}/nodes/batch-update`, { nodeNames: names.slice(0, 3), action: 'openHaRedundant' });
  await first.kill();
  for (const u of updates) expect(u.body.successNodeNames).toHaveLength(1);
  expect(ha.body.successNodeNames).toEqual(names.slice(0, 3));

  const second = await startServiceProcess(env);
  try {
    expect(second.output()).not.toContain('secret key');
    const again = new PoolkeeperClient(second.url, { accessKey: TEST_AK, secretKey: TEST_SK });
    const after = await again.request<{ items: Array<{ metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> } }> }>(
      'GET',
      `${base}/nodes`,
    );
    expect(after.status).toBe(200);
    for (const node of after.body.items) {
      const i = names.indexOf(node.metadata.name);
      expect(JSON.parse(node.metadata.annotations['os.modelarts/tms.tags']!)).toEqual([{ key: 'durable', value: `v${i}` }]);
      expect(node.metadata.labels['os.modelarts.node/ha.redundant.enabled']).toBe(i < 3 ? 'true' : undefined);
    }
  } finally {
    await second.kill();
  }
});
