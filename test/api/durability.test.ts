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

interface TaggedNodes {
  items: Array<{ metadata: { name: string; annotations: Record<string, string> } }>;
}

/** A writer's tag value on one node: a string, or null for deleted / never set. */
type TagState = Map<string, string | null>;

it('keeps every acknowledged per-node change through repeated SIGKILLs during concurrent batch-updates', { timeout: 180_000 }, async () => {
  const ROUNDS = 5;
  const WRITERS = 4;
  const crashStorage = await serviceStorage();
  const base = `/v2/${TEST_PROJECT_ID}/pools/demo-${TEST_PROJECT_ID}`;
  // Writer w owns the tag key `crash-w<w>` on every node, so its own requests (one at a time) order its changes.
  const keys = Array.from({ length: WRITERS }, (_, w) => `crash-w${w}`);
  const acknowledged = new Map<string, TagState>();
  let names: string[] = [];
  let acknowledgedChanges = 0;
  let checked = 0;

  /** Reads every node's writer tags and checks each is what was acknowledged, or what the request the kill cut off wrote. */
  async function verify(client: PoolkeeperClient, cutOff: Map<string, { nodes: string[]; value: string | null }>): Promise<void> {
    const list = await client.request<TaggedNodes>('GET', `${base}/nodes`);
    expect(list.status).toBe(200);
    for (const node of list.body.items) {
      const tags = new Map((JSON.parse(node.metadata.annotations['os.modelarts/tms.tags'] ?? '[]') as Array<{ key: string; value: string }>).map((t) => [t.key, t.value]));
      for (const key of keys) {
        const actual = tags.get(key) ?? null;
        const expected = acknowledged.get(node.metadata.name)!.get(key) ?? null;
        const unacknowledged = cutOff.get(key);
        const allowed = unacknowledged?.nodes.includes(node.metadata.name) ? [expected, unacknowledged.value] : [expected];
        expect(allowed, `${node.metadata.name} ${key}`).toContain(actual);
        acknowledged.get(node.metadata.name)!.set(key, actual);
        checked++;
      }
    }
  }

  let service = await startServiceProcess(crashStorage.env);
  try {
    const first = new PoolkeeperClient(service.url, { accessKey: TEST_AK, secretKey: TEST_SK });
    names = (await first.request<TaggedNodes>('GET', `${base}/nodes`)).body.items.map((n) => n.metadata.name);
    for (const name of names) acknowledged.set(name, new Map());
    let cutOff = new Map<string, { nodes: string[]; value: string | null }>();
    for (let round = 1; round <= ROUNDS; round++) {
      const client = new PoolkeeperClient(service.url, { accessKey: TEST_AK, secretKey: TEST_SK });
      await verify(client, cutOff);
      cutOff = new Map();
      const operations: string[] = [];
      let killed = false;
      const writers = keys.map(async (key) => {
        for (let seq = 0; !killed; seq++) {
          const nodes = names.filter(() => Math.random() < 0.5);
          if (nodes.length === 0) continue;
          const value = Math.random() < 0.2 ? null : `r${round}-${seq}`;
          cutOff.set(key, { nodes, value });
          const body = { nodeNames: nodes, action: value === null ? 'deleteTags' : 'createTags', tags: [{ key, value: value ?? '' }] };
          let res;
          try {
            res = await client.request<{ successNodeNames: string[]; failNodeNames: string[] }>('POST', `${base}/nodes/batch-update`, body);
          } catch {
            return; // the kill cut this request off: it may or may not have been applied
          }
          expect(res.status).toBe(200);
          expect(res.body.successNodeNames).toEqual(nodes);
          for (const name of nodes) acknowledged.get(name)!.set(key, value);
          acknowledgedChanges += nodes.length;
          operations.push(res.headers.get('x-operation-id')!);
          cutOff.delete(key);
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 500));
      killed = true;
      await service.kill();
      await Promise.all(writers);
      service = await startServiceProcess(crashStorage.env);
      // Every acknowledged call's operation record survived too.
      const again = new PoolkeeperClient(service.url, { accessKey: TEST_AK, secretKey: TEST_SK });
      for (const id of operations) expect((await again.request('GET', `/_poolkeeper/v1/${TEST_PROJECT_ID}/operations/${id}`)).status).toBe(200);
    }
    await verify(new PoolkeeperClient(service.url, { accessKey: TEST_AK, secretKey: TEST_SK }), cutOff);
    console.log(`[crash-loop] ${ROUNDS} SIGKILLs, ${acknowledgedChanges} acknowledged per-node changes, ${checked} node/key states checked`);
    expect(acknowledgedChanges).toBeGreaterThan(0);
  } finally {
    await service.kill();
    await crashStorage.remove();
  }
});
