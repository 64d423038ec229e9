import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { SNAPSHOT_TABLES } from '../../src/store/snapshot.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { startTestService, TEST_PROJECT_ID, type TestService } from '../helpers/service.js';

/** A seeded service is put back to its seed in one call, on the dialect under test, while it keeps answering. */
const LOCAL_2 = 'abcdef0123456789abcdef0123456789';
const SEED = `
accounts:
  - name: poolkeeper
    projects:
      - name: local-1
        pools:
          - name: train
            flavor: modelarts.vm.gpu.t4u8
            nodes:
              - name: gpu-a1
                tags: { team: a, 环境: 测试 }
                labels: { rack: r1 }
              - name: gpu-a2
                phase: Abnormal
                taints: [{ key: maintenance, value: "true", effect: NoSchedule }]
              - name: cpu-a3
                flavor: modelarts.vm.cpu.8ud
      - name: local-2
        id: ${LOCAL_2}
        pools:
          - name: infer
            flavor: modelarts.vm.cpu.8ud
            nodes: [{ name: infer-1 }, { name: infer-2 }]
    users:
      - name: ci
        password: ci-password-1
        projects: [local-1, local-2]
        policies: [ModelArtsResourceManagementAllPolicy]
        accessKeys: [{ accessKey: CIACCESSKEY000000001, secretKey: ci-secret-key-1 }]
      - name: viewer
        projects: [local-1]
        policies:
          - name: custom-read
            document: { Version: "1.1", Statement: [{ Effect: Allow, Action: ["modelarts:pool:get", "modelarts:pool:list"] }] }
  - name: team-b
    projects: [{ name: b-1 }]
    users:
      - { name: b-admin, accountAdmin: true, projects: [b-1], accessKeys: [{ accessKey: TEAMBKEY0001, secretKey: team-b-secret-1 }] }
`;

let t: TestService;
let seedDir: string;
let admin: PoolkeeperClient;
let ci: PoolkeeperClient;
let teamB: PoolkeeperClient;

beforeAll(async () => {
  seedDir = mkdtempSync(join(tmpdir(), 'poolkeeper-seed-'));
  writeFileSync(join(seedDir, 'seed.yaml'), SEED);
  t = await startTestService({ env: { POOLKEEPER_SEED: join(seedDir, 'seed.yaml') } });
  admin = t.client;
  ci = new PoolkeeperClient(t.url, { accessKey: 'CIACCESSKEY000000001', secretKey: 'ci-secret-key-1' });
  teamB = new PoolkeeperClient(t.url, { accessKey: 'TEAMBKEY0001', secretKey: 'team-b-secret-1' });
});

afterAll(async () => {
  await t.stop();
  rmSync(seedDir, { recursive: true, force: true });
});

async function get<T>(client: PoolkeeperClient, path: string): Promise<T> {
  const response = await client.request<T>('GET', path);
  expect(response.status, `GET ${path}`).toBe(200);
  return response.body;
}

/** Everything the seed describes, as the API shows it. */
async function view() {
  const pools = async (project: string) => {
    const list = await get<{ items: Array<{ metadata: { name: string } }> }>(ci, `/v2/${project}/pools`);
    return Promise.all(
      list.items.map(async (pool) => ({ pool, nodes: await get<{ items: unknown[] }>(ci, `/v2/${project}/pools/${pool.metadata.name}/nodes`) })),
    );
  };
  const users = await get<{ users: Array<{ name: string }> }>(admin, '/_poolkeeper/v1/iam/users');
  const keys = await Promise.all(users.users.map((u) => get(admin, `/_poolkeeper/v1/iam/users/${u.name}/access-keys`)));
  return {
    local1: await pools(TEST_PROJECT_ID),
    local2: await pools(LOCAL_2),
    users,
    keys,
    accounts: await get(admin, '/_poolkeeper/v1/iam/accounts'),
    teamB: await get(teamB, '/_poolkeeper/v1/iam/users'),
    faults: await get(admin, `/_poolkeeper/v1/${TEST_PROJECT_ID}/faults`),
  };
}

describe(`reset (${TEST_DIALECT})`, () => {
  it('the seed is loaded: named nodes with their phases, labels, tags and taints; users, keys and policies', async () => {
    const nodes = await get<{ items: Array<{ metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; status: { phase: string; taints: Array<{ key: string }> } }> }>(
      ci,
      `/v2/${TEST_PROJECT_ID}/pools/train-${TEST_PROJECT_ID}/nodes`,
    );
    expect(nodes.items.map((n) => [n.metadata.name, n.status.phase])).toEqual([
      ['cpu-a3', 'Available'],
      ['gpu-a1', 'Available'],
      ['gpu-a2', 'Abnormal'],
    ]);
    const a1 = nodes.items[1]!;
    expect(a1.metadata.labels.rack).toBe('r1');
    expect(JSON.parse(a1.metadata.annotations['os.modelarts/tms.tags']!)).toEqual([
      { key: 'team', value: 'a' },
      { key: '环境', value: '测试' },
    ]);
    expect(nodes.items[2]!.status.taints.map((x) => x.key)).toEqual(['maintenance']);
    const users = await get<{ users: Array<{ name: string; projects: string[]; policies: string[]; hasPassword: boolean }> }>(admin, '/_poolkeeper/v1/iam/users');
    expect(users.users.find((u) => u.name === 'ci')).toMatchObject({ hasPassword: true, policies: ['ModelArtsResourceManagementAllPolicy'] });
    expect(users.users.find((u) => u.name === 'viewer')).toMatchObject({ policies: ['custom-read'] });
    expect((await get<{ users: Array<{ name: string }> }>(teamB, '/_poolkeeper/v1/iam/users')).users.map((u) => u.name)).toEqual(['b-admin']);
  });

  it('restores pools, nodes, tags, users and keys exactly, in one call, while the service keeps answering', async () => {
    const before = await view();
    const base = `/v2/${TEST_PROJECT_ID}/pools/train-${TEST_PROJECT_ID}`;
    const changes = [
      await ci.request('POST', `${base}/nodes/batch-update`, { nodeNames: ['gpu-a1', 'cpu-a3'], action: 'createTags', tags: [{ key: 'team', value: 'z' }, { key: 'extra', value: '1' }] }),
      await ci.request('POST', `${base}/nodes/batch-update`, { nodeNames: ['gpu-a1'], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' }),
      await ci.request('POST', `${base}/nodes/batch-lock`, { nodeNames: ['cpu-a3'], actions: ['delete'] }),
      await ci.request('POST', `/v2/${LOCAL_2}/pools/infer-${LOCAL_2}/nodes/batch-delete`, { deleteNodeNames: ['infer-2'] }),
      await ci.request('POST', `/v2/${TEST_PROJECT_ID}/pools`, {
        apiVersion: 'v2',
        kind: 'Pool',
        metadata: { labels: { 'os.modelarts/name': 'extra' } },
        spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 2 }] },
      }),
      await admin.request('POST', '/_poolkeeper/v1/iam/users', { name: 'intruder', password: 'intruder-pass-1', projects: ['local-1'] }),
      await admin.request('POST', '/_poolkeeper/v1/iam/users/ci/access-keys', {}),
      await admin.request('DELETE', '/_poolkeeper/v1/iam/access-keys/CIACCESSKEY000000001'),
      await admin.request('PUT', '/_poolkeeper/v1/iam/users/viewer/policies/ModelArtsResourceManagementAllPolicy', {}),
      await admin.request('POST', `/_poolkeeper/v1/${TEST_PROJECT_ID}/faults`, { fail: 'reboot', match: {} }),
      await teamB.request('POST', '/_poolkeeper/v1/iam/projects', { name: 'b-2' }),
    ];
    for (const change of changes) expect(change.status, JSON.stringify(change.body)).toBeLessThan(300);
    expect((await ci.request('GET', `/v2/${TEST_PROJECT_ID}/pools`)).status).toBe(401);

    // Readers keep being answered while the reset runs.
    let reading = true;
    const readers = Array.from({ length: 3 }, async () => {
      const statuses: number[] = [];
      while (reading) statuses.push((await admin.request('GET', `/v2/${TEST_PROJECT_ID}/pools`)).status);
      return statuses;
    });
    const reset = await admin.request<{ status: string; restored: Record<string, number> }>('POST', '/_poolkeeper/v1/reset');
    reading = false;
    const statuses = (await Promise.all(readers)).flat();
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.status).toBe('reset');
    expect(reset.body.restored).toMatchObject({ accounts: 2, pools: 2, nodes: 5, access_keys: 3 });
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);

    expect(await view()).toEqual(before);
    // The node rows are the seed's again, so later writes work on them as on the seed.
    const again = await ci.request<{ successNodeNames: string[] }>('POST', `${base}/nodes/batch-update`, { nodeNames: ['cpu-a3'], action: 'createTags', tags: [{ key: 'after', value: 'reset' }] });
    expect(again.body.successNodeNames).toEqual(['cpu-a3']);
    const created = await ci.request('POST', `/v2/${TEST_PROJECT_ID}/pools`, {
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: { labels: { 'os.modelarts/name': 'extra' } },
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 1 }] },
    });
    expect(created.status).toBe(200);
    expect((await admin.request('POST', '/_poolkeeper/v1/reset')).status).toBe(200);
    expect(await view()).toEqual(before);
  });

  it('answers 403 to anyone but an operator-account administrator', async () => {
    expect((await ci.request('POST', '/_poolkeeper/v1/reset')).status).toBe(403);
    const other = await teamB.request<{ error_code: string }>('POST', '/_poolkeeper/v1/reset');
    expect(other.status).toBe(403);
    expect(other.body.error_code).toBe('ModelArts.0108');
  });

  it('a snapshot holds every table but the token-signing key and the migration bookkeeping', async () => {
    let tables: string[];
    if (TEST_DIALECT === 'postgres') {
      const client = new pg.Client({ connectionString: t.database.url });
      await client.connect();
      try {
        tables = (await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => r.name);
      } finally {
        await client.end();
      }
    } else {
      const db = new Database(t.database.url, { readonly: true });
      try {
        tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((r) => r.name);
      } finally {
        db.close();
      }
    }
    const kept = tables.filter((name) => !name.startsWith('kysely_') && name !== 'signing_keys');
    expect([...kept].sort()).toEqual([...SNAPSHOT_TABLES].sort());
  });
});

describe('reset on a service that was not started with --ephemeral or --seed', () => {
  it('answers 409 and changes nothing', async () => {
    const plain = await startTestService();
    try {
      const answer = await plain.client.request<{ error_msg: string }>('POST', '/_poolkeeper/v1/reset');
      expect(answer.status).toBe(409);
      expect(answer.body.error_msg).toBe('reset is only available on a service started with --ephemeral or --seed');
      expect((await plain.client.request('GET', `/v2/${TEST_PROJECT_ID}/pools/${plain.demoPool}`)).status).toBe(200);
    } finally {
      await plain.stop();
    }
  });
});


