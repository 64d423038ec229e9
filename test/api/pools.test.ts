import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ManualClock, startTestService, type TestService } from '../helpers/service.js';

interface Pool {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { resources: Array<{ flavor: string; count: number }> };
  status: { phase: string; resources: Record<string, Array<{ flavor: string; count: number }> | undefined> };
}
interface NodeList {
  metadata: { continue?: string; remainingItemCount?: number };
  items: Array<{ metadata: { name: string }; status: { phase: string; driver?: { version: string; phase: string } } }>;
}
interface ErrorBody {
  error_code: string;
  error_msg: string;
}

const clock = new ManualClock();
let t: TestService;
let poolsPath: string;

function createBody(name: string, count: number, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: { labels: { 'os.modelarts/name': name, 'os.modelarts/node.prefix': 'gpu', team: 'vision' } },
    spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'network-1' }, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count }], ...extra },
  };
}

async function phases(pool: string): Promise<string[]> {
  const res = await t.client.request<NodeList>('GET', `${poolsPath}/${pool}/nodes`);
  return res.body.items.map((n) => n.status.phase);
}

beforeAll(async () => {
  t = await startTestService({ clock, env: { POOLKEEPER_SIM_NODE_CREATE_SECONDS: '30', POOLKEEPER_SIM_NODE_DELETE_SECONDS: '10', POOLKEEPER_SEED_DEMO: '0' } });
  poolsPath = `/v2/${t.projectId}/pools`;
});

afterAll(async () => {
  await t.stop();
});

describe('pool lifecycle', () => {
  const name = () => `train-a-${t.projectId}`;

  it('creates a pool whose nodes go Creating → Available as simulated time passes', async () => {
    const res = await t.client.request<Pool>('POST', poolsPath, createBody('train-a', 3, { driver: { gpuVersion: '535.1' } }));
    expect(res.status).toBe(200);
    expect(res.body.metadata.name).toBe(name());
    expect(res.body.status.phase).toBe('Creating');
    expect(res.body.status.resources.creating).toEqual([{ flavor: 'modelarts.vm.gpu.t4u8', count: 3 }]);
    const nodes = await t.client.request<NodeList>('GET', `${poolsPath}/${name()}/nodes`);
    expect(nodes.body.items).toHaveLength(3);
    for (const node of nodes.body.items) {
      expect(node.metadata.name).toMatch(/^gpu-[a-z0-9]{5}$/);
      expect(node.status.driver).toEqual({ version: '535.1', phase: 'Running' });
    }
    expect(await phases(name())).toEqual(['Creating', 'Creating', 'Creating']);
    clock.advance(31_000);
    await eventually(async () => ((await phases(name())).every((p) => p === 'Available') ? true : undefined));
    const shown = await eventually(async () => {
      const pool = await t.client.request<Pool>('GET', `${poolsPath}/${name()}`);
      return pool.body.status.phase === 'Running' ? pool.body : undefined;
    });
    expect(shown.status.resources).toEqual({ available: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 3 }] });
  });

  it('refuses a second pool with the same name (409) and bad bodies (400 naming the field)', async () => {
    const dup = await t.client.request<ErrorBody>('POST', poolsPath, createBody('train-a', 1));
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error_code: 'ModelArts.50015000', error_msg: 'Pool already exists.' });
    const badType = await t.client.request<ErrorBody>('POST', poolsPath, { ...createBody('train-b', 1), spec: { ...createBody('x', 1).spec, type: 'Dedicated' } });
    expect(badType.status).toBe(400);
    expect(badType.body.error_msg).toContain('spec.type');
    const noNetwork = createBody('train-b', 1) as { spec: Record<string, unknown> };
    delete noNetwork.spec.network;
    const res = await t.client.request<ErrorBody>('POST', poolsPath, noNetwork);
    expect(res.status).toBe(400);
    expect(res.body.error_msg).toContain('spec.network');
    const badName = await t.client.request<ErrorBody>('POST', poolsPath, createBody('AB', 1));
    expect(badName.status).toBe(400);
    expect(badName.body.error_msg).toContain('os.modelarts/name');
  });

  it('scales up and down with PatchPool (merge-patch and plain JSON)', async () => {
    const up = await t.client.request<Pool>(
      'PATCH',
      `${poolsPath}/${name()}`,
      { spec: { resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 5 }] } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(up.status).toBe(200);
    expect(up.body.status.resources.creating).toEqual([{ flavor: 'modelarts.vm.gpu.t4u8', count: 2 }]);
    expect(up.body.spec.resources[0]!.count).toBe(5);
    const down = await t.client.request<Pool>('PATCH', `${poolsPath}/${name()}`, { spec: { resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 2 }] } });
    expect(down.status).toBe(200);
    // The two Creating nodes go first, then the newest Available one.
    expect(down.body.status.resources.deleting).toEqual([{ flavor: 'modelarts.vm.gpu.t4u8', count: 3 }]);
    clock.advance(11_000);
    await eventually(async () => ((await phases(name())).length === 2 ? true : undefined));
    expect(await phases(name())).toEqual(['Available', 'Available']);
  });

  it('patches labels with merge-patch semantics and refuses changing the name label', async () => {
    const res = await t.client.request<Pool>('PATCH', `${poolsPath}/${name()}`, { metadata: { labels: { team: null, stage: 'prod' } } });
    expect(res.status).toBe(200);
    expect(res.body.metadata.labels.stage).toBe('prod');
    expect(res.body.metadata.labels.team).toBeUndefined();
    const rename = await t.client.request<ErrorBody>('PATCH', `${poolsPath}/${name()}`, { metadata: { labels: { 'os.modelarts/name': 'other' } } });
    expect(rename.status).toBe(400);
  });

  it('lists pools with labelSelector and status filters', async () => {
    await t.client.request('POST', poolsPath, createBody('infer-b', 1));
    const all = await t.client.request<{ kind: string; items: Pool[] }>('GET', poolsPath);
    expect(all.body.kind).toBe('PoolList');
    expect(all.body.items.map((p) => p.metadata.name).sort()).toEqual([`infer-b-${t.projectId}`, name()].sort());
    const prod = await t.client.request<{ items: Pool[] }>('GET', `${poolsPath}?labelSelector=${encodeURIComponent('stage=prod')}`);
    expect(prod.body.items.map((p) => p.metadata.name)).toEqual([name()]);
    const creating = await t.client.request<{ items: Pool[] }>('GET', `${poolsPath}?status=creating`);
    expect(creating.body.items.map((p) => p.metadata.name)).toEqual([`infer-b-${t.projectId}`]);
  });

  it('deletes a pool: Deleting with a deletionTimestamp, then gone', async () => {
    const res = await t.client.request<Pool>('DELETE', `${poolsPath}/${name()}`);
    expect(res.status).toBe(200);
    expect(res.body.status.phase).toBe('Deleting');
    expect(res.body.metadata.deletionTimestamp).toMatch(/Z$/);
    clock.advance(11_000);
    const gone = await eventually(async () => {
      const r = await t.client.request<ErrorBody>('GET', `${poolsPath}/${name()}`);
      return r.status === 404 ? r.body : undefined;
    });
    expect(gone.error_code).toBe('ModelArts.50015001');
  });
});

describe('ListPoolNodes pagination', () => {
  it('pages with limit and continue, and remainingItemCount counts down', async () => {
    const pool = `page-c-${t.projectId}`;
    expect((await t.client.request('POST', poolsPath, createBody('page-c', 7))).status).toBe(200);
    const seen: string[] = [];
    const remaining: number[] = [];
    let token: string | undefined;
    do {
      const query = token ? `?limit=3&continue=${encodeURIComponent(token)}` : '?limit=3';
      const res = await t.client.request<NodeList>('GET', `${poolsPath}/${pool}/nodes${query}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((n) => n.metadata.name));
      token = res.body.metadata.continue;
      if (token) remaining.push(res.body.metadata.remainingItemCount!);
      else expect(res.body.metadata).toEqual({});
    } while (token);
    expect(remaining).toEqual([4, 1]);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort()).toEqual(seen);
  });

  it('rejects an invalid continue token and an out-of-range limit', async () => {
    const pool = `page-c-${t.projectId}`;
    const bad = await t.client.request<ErrorBody>('GET', `${poolsPath}/${pool}/nodes?continue=garbage`);
    expect(bad.status).toBe(400);
    expect(bad.body.error_msg).toContain('continue');
    const big = await t.client.request<ErrorBody>('GET', `${poolsPath}/${pool}/nodes?limit=501`);
    expect(big.status).toBe(400);
    expect(big.body.error_msg).toContain('limit');
  });

  it('ShowPoolNode answers 404 ModelArts.50005101 for an unknown node', async () => {
    const res = await t.client.request<ErrorBody>('GET', `${poolsPath}/page-c-${t.projectId}/nodes/os-node-created-nope1`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 'ModelArts.50005101', error_msg: 'Node os-node-created-nope1 not found.' });
  });
});

describe('ListPools filters on the labels a client reads', () => {
  async function listed(query: string): Promise<string[]> {
    const res = await t.client.request<{ items: Pool[] }>('GET', `${poolsPath}${query}`);
    expect(res.status, query).toBe(200);
    return res.body.items.map((p) => p.metadata.name).sort();
  }
  const select = (selector: string) => listed(`?labelSelector=${encodeURIComponent(selector)}`);

  it('matches rendered labels (workspace, tenancy) with =, !=, existence and !key', async () => {
    const plain = `sel-a-${t.projectId}`;
    const workspace = `sel-b-${t.projectId}`;
    expect((await t.client.request('POST', poolsPath, createBody('sel-a', 1))).status).toBe(200);
    const body = createBody('sel-b', 1);
    const inWorkspace = { ...body, metadata: { labels: { ...body.metadata.labels, 'os.modelarts/workspace.id': 'ws-1' } } };
    expect((await t.client.request('POST', poolsPath, inWorkspace)).status).toBe(200);

    const pools = (await t.client.request<{ items: Pool[] }>('GET', poolsPath)).body.items;
    const everyPool = pools.map((p) => p.metadata.name).sort();
    const shown = new Map(pools.map((p) => [p.metadata.name, p.metadata.labels]));
    expect(shown.get(plain)).toMatchObject({ 'os.modelarts/workspace.id': '0', 'os.modelarts/tenant.project.id': t.projectId });
    expect(shown.get(plain)!['os.modelarts/tenant.domain.id']).toMatch(/^[0-9a-f]{32}$/);
    expect(shown.get(workspace)).toMatchObject({ 'os.modelarts/workspace.id': 'ws-1' });

    // Every label any pool shows selects exactly the pools that show it, and its negations the others.
    for (const [key, value] of new Set([...shown.values()].flatMap((labels) => Object.entries(labels)))) {
      const having = everyPool.filter((name) => shown.get(name)![key] === value);
      const withKey = everyPool.filter((name) => key in shown.get(name)!);
      expect(await select(`${key}=${value}`), `${key}=${value}`).toEqual(having);
      expect(await select(`${key}==${value}`), `${key}==${value}`).toEqual(having);
      expect(await select(`${key}!=${value}`), `${key}!=${value}`).toEqual(everyPool.filter((name) => !having.includes(name)));
      expect(await select(key), key).toEqual(withKey);
      expect(await select(`!${key}`), `!${key}`).toEqual(everyPool.filter((name) => !withKey.includes(name)));
    }

    expect(await select('os.modelarts/workspace.id=0')).toContain(plain);
    expect(await select('os.modelarts/workspace.id!=0')).toEqual([workspace]);
    expect(await select('!os.modelarts/workspace.id')).toEqual([]);
    expect(await select(`os.modelarts/tenant.project.id=${t.projectId},os.modelarts/workspace.id=ws-1`)).toEqual([workspace]);
    expect(await listed('?workspaceId=0')).toEqual(await select('os.modelarts/workspace.id=0'));
    expect(await listed('?workspaceId=ws-1')).toEqual([workspace]);
  });

  it('sees no label an object inherits', async () => {
    expect(await select('toString')).toEqual([]);
    expect(await select('constructor=x')).toEqual([]);
    expect((await select('!__proto__')).length).toBeGreaterThan(0);
  });
});

describe('label and annotation keys are Kubernetes qualified names', () => {
  const keyed = () => `keys-a-${t.projectId}`;
  const show = async () => (await t.client.request<Pool & { metadata: { annotations: Record<string, string> } }>('GET', `${poolsPath}/${keyed()}`)).body.metadata;

  it('CreatePool refuses a bad label or annotation key with a 400 naming it, and stores nothing', async () => {
    const body = createBody('keys-a', 1);
    const badLabel = await t.client.request<ErrorBody>('POST', poolsPath, { ...body, metadata: { labels: { ...body.metadata.labels, 'a b': 'x' } } });
    expect(badLabel.status).toBe(400);
    expect(badLabel.body).toEqual({
      error_code: 'ModelArts.50004000',
      error_msg: `Bad request. metadata.labels["a b"]: the key contains a character that is not allowed: " " (letters, digits, '-', '_' and '.' only)`,
    });
    const badAnnotation = await t.client.request<ErrorBody>('POST', poolsPath, { ...body, metadata: { ...body.metadata, annotations: { 'Example.com/x': 'y' } } });
    expect(badAnnotation.status).toBe(400);
    expect(badAnnotation.body.error_code).toBe('ModelArts.50004000');
    expect(badAnnotation.body.error_msg).toMatch(/^Bad request\. metadata\.annotations\["Example\.com\/x"\]: the key prefix before '\/' /);
    expect((await t.client.request<ErrorBody>('GET', `${poolsPath}/${keyed()}`)).status).toBe(404);
  });

  it('CreatePool keeps valid prefixed keys, and ShowPool answers them', async () => {
    const body = createBody('keys-a', 1);
    const created = await t.client.request<Pool>('POST', poolsPath, {
      ...body,
      metadata: { labels: { ...body.metadata.labels, 'example.com/team': 'vision' }, annotations: { 'example.com/note': 'kept as is' } },
    });
    expect(created.status).toBe(200);
    expect(await show()).toMatchObject({ labels: { 'example.com/team': 'vision', team: 'vision' }, annotations: { 'example.com/note': 'kept as is' } });
  });

  it.each([
    ['a label key with a line break', { labels: { 'a\nb': 'x' } }, 'metadata.labels["a\\nb"]: the key contains a character that is not allowed: "\\n"'],
    ['an empty label key', { labels: { '': 'x' } }, 'metadata.labels[""]: the key must be 1-63 characters'],
    ['a label key of 10,000 characters', { labels: { ['k'.repeat(10_000)]: 'x' } }, `metadata.labels["${'k'.repeat(64)}…"]: the key must be 1-63 characters`],
    ['a bad label key set to null', { labels: { 'x/': null } }, `metadata.labels["x/"]: the key name after '/' must be 1-63 characters`],
    ['a bad annotation key', { annotations: { 'a/b/c': 'x' } }, `metadata.annotations["a/b/c"]: the key must contain at most one '/'`],
    ['a bad annotation key beside a good label', { labels: { stage: 'prod' }, annotations: { '-a': 'x' } }, 'metadata.annotations["-a"]: the key must start and end'],
  ])('PatchPool refuses %s with a 400 naming it, and changes nothing', async (_case, metadata, detail) => {
    const before = await show();
    const res = await t.client.request<ErrorBody>('PATCH', `${poolsPath}/${keyed()}`, { metadata, spec: { resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 2 }] } });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('ModelArts.50004000');
    expect(res.body.error_msg.startsWith(`Bad request. ${detail}`), res.body.error_msg).toBe(true);
    const after = await t.client.request<Pool>('GET', `${poolsPath}/${keyed()}`);
    expect(after.body.metadata).toEqual(before);
    expect(after.body.spec.resources).toEqual([{ flavor: 'modelarts.vm.gpu.t4u8', count: 1 }]);
  });

  it('PatchPool removes a bad key stored before keys were checked, and still refuses to set one', async () => {
    const store = t.service.store;
    const before = await show();
    const pool = (await store.pools.get({ projectId: t.projectId, name: keyed() }))!;
    const legacy = { ...pool.labels, 'a b': 'stored before keys were checked' };
    const written = await store.pools.scale(pool.id, pool.resourceVersion, {
      spec: pool.spec,
      labels: legacy,
      annotations: { ...pool.annotations, 'x/': 'old' },
      addNodes: [],
      deleteNodeIds: [],
      deleteUntil: clock.now(),
      now: clock.now(),
    });
    expect(written).toBe(true);
    expect((await show()).labels['a b']).toBe('stored before keys were checked');

    const reset = await t.client.request<ErrorBody>('PATCH', `${poolsPath}/${keyed()}`, { metadata: { labels: { 'a b': 'new value' } } });
    expect(reset.status).toBe(400);
    expect(reset.body.error_msg).toMatch(/^Bad request\. metadata\.labels\["a b"\]: the key contains a character that is not allowed/);

    const removed = await t.client.request<Pool & { metadata: { annotations: Record<string, string> } }>('PATCH', `${poolsPath}/${keyed()}`, {
      metadata: { labels: { 'a b': null }, annotations: { 'x/': null } },
    });
    expect(removed.status).toBe(200);
    expect(await show()).toEqual(before);
  });

  it('PatchPool sets and removes valid prefixed keys', async () => {
    const set = await t.client.request<Pool & { metadata: { annotations: Record<string, string> } }>('PATCH', `${poolsPath}/${keyed()}`, {
      metadata: { labels: { 'team.example.com/A_b-c.d': 'v1', 'example.com/team': null }, annotations: { 'example.com/note': null, 'a.b/c': 'with spaces' } },
    });
    expect(set.status).toBe(200);
    const shown = await show();
    expect(shown.labels).toMatchObject({ 'team.example.com/A_b-c.d': 'v1' });
    expect(shown.labels['example.com/team']).toBeUndefined();
    expect(shown.annotations).toEqual({ 'a.b/c': 'with spaces' });
    expect(set.body.metadata).toEqual(shown);
  });
});
