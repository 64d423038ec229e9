import { expect } from 'vitest';
import type { PoolkeeperClient } from '../../src/client/client.js';
import { eventually } from './service.js';
import { poolBody } from './pools.js';

interface BatchResult {
  successNodeNames: string[];
  failNodeNames: string[];
}
interface NodeBody {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  status: { taints: Array<{ key: string; effect: string }> };
}

/** A tiny deterministic PRNG so a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

/**
 * Creates a pool, fires many concurrent overlapping batch-updates (distinct tag keys, HA on/off with random effects)
 * spread round-robin over `clients`, then checks that every tag reported successful is on its node, nothing else is,
 * and every node's HA label and taint agree. Returns how many tags it checked.
 */
export async function runOverlappingUpdates(
  clients: PoolkeeperClient[],
  projectId: string,
  displayName: string,
  options: { waitForAvailable?: boolean } = {},
): Promise<number> {
  const first = clients[0]!;
  const poolsPath = `/v2/${projectId}/pools`;
  const created = await first.request('POST', poolsPath, poolBody(displayName, 12));
  expect(created.status).toBe(200);
  const base = `${poolsPath}/${displayName}-${projectId}`;
  if (options.waitForAvailable) {
    await eventually(async () => {
      const nodes = await first.request<{ items: Array<{ status: { phase: string } }> }>('GET', `${base}/nodes`);
      return nodes.body.items.every((n) => n.status.phase === 'Available') ? true : undefined;
    });
  }
  const list = await first.request<{ items: NodeBody[] }>('GET', `${base}/nodes`);
  const names = list.body.items.map((n) => n.metadata.name);
  const next = random(42);
  const pick = (k: number) => names.filter(() => next() < k / names.length);
  let turn = 0;
  const client = () => clients[turn++ % clients.length]!;

  const tagRequests = Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, nodes: pick(4) })).filter((r) => r.nodes.length > 0);
  const haRequests = Array.from({ length: 40 }, (_, i) => ({
    action: i % 2 === 0 ? 'openHaRedundant' : 'closeHaRedundant',
    effect: next() < 0.5 ? 'NoSchedule' : 'NoExecute',
    nodes: pick(6),
  })).filter((r) => r.nodes.length > 0);

  const tagOutcomes = tagRequests.map((r) =>
    client()
      .request<BatchResult>('POST', `${base}/nodes/batch-update`, { nodeNames: r.nodes, action: 'createTags', tags: [{ key: r.key, value: r.value }] })
      .then((res) => ({ ...r, res })),
  );
  const haOutcomes = haRequests.map((r) =>
    client().request<BatchResult>('POST', `${base}/nodes/batch-update`, { nodeNames: r.nodes, action: r.action, haRedundantEffect: r.effect }),
  );
  const [tags, ha] = await Promise.all([Promise.all(tagOutcomes), Promise.all(haOutcomes)]);
  for (const res of ha) expect(res.status).toBe(200);

  const expected = new Map<string, Map<string, string>>(names.map((n) => [n, new Map()]));
  for (const outcome of tags) {
    expect(outcome.res.status).toBe(200);
    expect([...outcome.res.body.successNodeNames, ...outcome.res.body.failNodeNames].sort()).toEqual([...outcome.nodes].sort());
    for (const name of outcome.res.body.successNodeNames) expected.get(name)!.set(outcome.key, outcome.value);
  }

  const final = await first.request<{ items: NodeBody[] }>('GET', `${base}/nodes`);
  let tagCount = 0;
  for (const node of final.body.items) {
    const raw = node.metadata.annotations['os.modelarts/tms.tags'];
    const actual = new Map((raw ? (JSON.parse(raw) as Array<{ key: string; value: string }>) : []).map((x) => [x.key, x.value]));
    expect(actual).toEqual(expected.get(node.metadata.name));
    tagCount += actual.size;
    const haTaints = node.status.taints.filter((x) => x.key === 'os.modelarts.node/ha.redundant');
    expect(haTaints.length).toBeLessThanOrEqual(1);
    expect(node.metadata.labels['os.modelarts.node/ha.redundant.enabled'] === 'true').toBe(haTaints.length === 1);
  }
  return tagCount;
}
