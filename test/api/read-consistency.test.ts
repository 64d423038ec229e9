/**
 * A read never shows half of a batch call: while batch-updates set two tags on every node of a pool at once, and
 * batch-locks lock and unlock them all, every ListPoolNodes shows each node with the same generation of both tags and
 * every node locked alike, and every ShowPoolNode shows its two tags of one generation.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ANNOTATION_LOCK, ANNOTATION_TAGS } from '../../src/domain/node.js';
import { demoNodeNames, startTestService, type TestService } from '../helpers/service.js';

interface ShownNode {
  metadata: { name: string; annotations: Record<string, string> };
}

let t: TestService;
let names: string[];

beforeAll(async () => {
  t = await startTestService();
  names = await demoNodeNames(t);
});

afterAll(async () => {
  await t?.stop();
});

/** The node's generation of the two tags the writer sets together, and whether it is locked. */
function stateOf(node: ShownNode): { a: string | undefined; b: string | undefined; locked: boolean } {
  const tags = JSON.parse(node.metadata.annotations[ANNOTATION_TAGS] ?? '[]') as Array<{ key: string; value: string }>;
  const value = (key: string) => tags.find((tag) => tag.key === key)?.value;
  return { a: value('gen-a'), b: value('gen-b'), locked: node.metadata.annotations[ANNOTATION_LOCK] !== undefined };
}

it('shows every batch call whole, or not at all', async () => {
  const pool = `/v2/${t.projectId}/pools/${t.demoPool}/nodes`;
  let writing = true;
  const generationsSeen = new Set<string>();
  let reads = 0;
  const writer = (async () => {
    for (let i = 0; i < 24; i++) {
      const update = await t.client.request('POST', `${pool}/batch-update`, {
        nodeNames: names,
        action: 'createTags',
        tags: [
          { key: 'gen-a', value: `g${i}` },
          { key: 'gen-b', value: `g${i}` },
        ],
      });
      expect(update.status).toBe(200);
      const lock = await t.client.request('POST', `${pool}/${i % 2 === 0 ? 'batch-lock' : 'batch-unlock'}`, { nodeNames: names, actions: ['delete'] });
      expect(lock.status).toBe(200);
    }
    writing = false;
  })();
  const reader = async () => {
    while (writing) {
      const list = await t.client.request<{ items: ShownNode[] }>('GET', pool);
      expect(list.status).toBe(200);
      const states = list.body.items.map(stateOf);
      expect(states).toHaveLength(names.length);
      for (const state of states) expect(state).toEqual(states[0]);
      generationsSeen.add(String(states[0]!.a));
      const one = await t.client.request<ShownNode>('GET', `${pool}/${names[3]}`);
      expect(one.status).toBe(200);
      const shown = stateOf(one.body);
      expect(shown.a).toBe(shown.b);
      reads += 2;
    }
  };
  await Promise.all([writer, reader(), reader()]);
  expect(reads).toBeGreaterThan(20);
  // The reads really ran between writes: they saw several generations, not just the first or the last.
  expect(generationsSeen.size).toBeGreaterThan(3);
});
