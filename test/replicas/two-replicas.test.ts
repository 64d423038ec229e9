import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { runOverlappingUpdates } from '../helpers/overlapping-updates.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/process.js';
import { eventually, TEST_AK, TEST_PROJECT_ID, TEST_SK } from '../helpers/service.js';
import { poolBody } from '../helpers/pools.js';

/** Two service processes on different loopback ports sharing one PostgreSQL database (and one master key). */
const MASTER_KEY = randomBytes(32).toString('base64');
let database: TestDatabase;
let dataDirs: string[];
let replicas: ServiceProcess[];
let clients: PoolkeeperClient[];

function simulationTotals(output: string): { nodesAvailable: number; poolsRunning: number } {
  const totals = { nodesAvailable: 0, poolsRunning: 0 };
  for (const line of output.split('\n')) {
    if (!line.includes('"simulation"')) continue;
    const { simulation } = JSON.parse(line) as { simulation: { nodesAvailable: number; poolsRunning: number } };
    totals.nodesAvailable += simulation.nodesAvailable;
    totals.poolsRunning += simulation.poolsRunning;
  }
  return totals;
}

beforeAll(async () => {
  database = await createPostgresDatabase();
  dataDirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'poolkeeper-replica-')));
  // Both start at once on an empty database: migrations and the first-start bootstrap must not collide.
  replicas = await Promise.all(
    dataDirs.map((dir) =>
      startServiceProcess({
        POOLKEEPER_DATABASE_URL: database.url,
        POOLKEEPER_DATA_DIR: dir,
        POOLKEEPER_MASTER_KEY: MASTER_KEY,
        POOLKEEPER_SEED_DEMO: '0',
        POOLKEEPER_SIM_NODE_CREATE_SECONDS: '2',
        POOLKEEPER_RECONCILE_INTERVAL_MS: '50',
        POOLKEEPER_LOG_LEVEL: 'info',
      }),
    ),
  );
  clients = replicas.map((r) => new PoolkeeperClient(r.url, { accessKey: TEST_AK, secretKey: TEST_SK }));
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.kill()));
  await database.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('two replicas on one PostgreSQL database', () => {
  it('both started; exactly one of them bootstrapped', () => {
    const bootstrapped = replicas.filter((r) => r.output().includes('secret key :'));
    expect(bootstrapped).toHaveLength(1);
    expect(replicas[0]!.url).not.toBe(replicas[1]!.url);
  });

  it('concurrent overlapping batch-updates through both replicas lose nothing', async () => {
    const created = await clients[0]!.request('POST', `/v2/${TEST_PROJECT_ID}/pools`, poolBody('warmup', 1));
    expect(created.status).toBe(200);
    const pool = `/v2/${TEST_PROJECT_ID}/pools/warmup-${TEST_PROJECT_ID}`;
    // A pool made through one replica is served by the other.
    expect((await clients[1]!.request('GET', pool)).status).toBe(200);
    await eventually(async () => {
      const nodes = await clients[1]!.request<{ items: Array<{ status: { phase: string } }> }>('GET', `${pool}/nodes`);
      return nodes.body.items.every((n) => n.status.phase === 'Available') ? true : undefined;
    });
    expect(await runOverlappingUpdates(clients, TEST_PROJECT_ID, 'race', { waitForAvailable: true })).toBeGreaterThan(30);
  });

  it('tokens from one replica work on the other; a lock-out counted on one holds on the other', async () => {
    const a = clients[0]!;
    expect((await a.request('POST', '/_poolkeeper/v1/iam/users', { name: 'shared', password: 'shared-password', projects: [TEST_PROJECT_ID] })).status).toBe(201);
    expect((await a.request('PUT', '/_poolkeeper/v1/iam/users/shared/policies/ModelArtsResourceManagementReadOnlyPolicy')).status).toBe(200);
    const login = await fetch(`${replicas[0]!.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: { identity: { methods: ['password'], password: { user: { name: 'shared', password: 'shared-password', domain: { name: 'poolkeeper' } } } }, scope: { project: { id: TEST_PROJECT_ID } } },
      }),
    });
    expect(login.status).toBe(201);
    const onB = await fetch(`${replicas[1]!.url}/v2/${TEST_PROJECT_ID}/pools`, { headers: { 'X-Auth-Token': login.headers.get('x-subject-token')! } });
    expect(onB.status).toBe(200);

    const key = await a.request<{ accessKey: string; secretKey: string }>('POST', '/_poolkeeper/v1/iam/users/shared/access-keys');
    const badOnA = new PoolkeeperClient(replicas[0]!.url, { accessKey: key.body.accessKey, secretKey: 'not-the-secret' });
    for (let i = 0; i < 5; i++) expect((await badOnA.request('GET', `/v2/${TEST_PROJECT_ID}/pools`)).status).toBe(401);
    const goodOnB = new PoolkeeperClient(replicas[1]!.url, key.body);
    const locked = await goodOnB.request<{ error_msg: string }>('GET', `/v2/${TEST_PROJECT_ID}/pools`);
    expect(locked.status).toBe(401);
    expect(locked.body.error_msg).toContain('locked until');
  });

  it('an access key revoked or locked through one replica is refused by the other, which had it cached', async () => {
    const a = clients[0]!;
    const created = await a.request<{ accessKey: string; secretKey: string }>('POST', '/_poolkeeper/v1/iam/users/shared/access-keys');
    const onA = new PoolkeeperClient(replicas[0]!.url, created.body);
    const onB = new PoolkeeperClient(replicas[1]!.url, created.body);
    // Used on both, so both hold it in their caches.
    for (const client of [onA, onB, onA, onB]) expect((await client.request('GET', `/v2/${TEST_PROJECT_ID}/pools`)).status).toBe(200);
    const refusedOnA = async (reason: string) =>
      eventually(async () => {
        const res = await onA.request<{ error_msg: string }>('GET', `/v2/${TEST_PROJECT_ID}/pools`);
        return res.status === 401 && res.body.error_msg.includes(reason) ? res : undefined;
      }, 1_000, 1);

    const badOnB = new PoolkeeperClient(replicas[1]!.url, { accessKey: created.body.accessKey, secretKey: 'not-the-secret' });
    for (let i = 0; i < 5; i++) expect((await badOnB.request('GET', `/v2/${TEST_PROJECT_ID}/pools`)).status).toBe(401);
    await refusedOnA('locked until');

    const another = await a.request<{ accessKey: string; secretKey: string }>('POST', '/_poolkeeper/v1/iam/users/shared/access-keys');
    const anotherOnA = new PoolkeeperClient(replicas[0]!.url, another.body);
    expect((await anotherOnA.request('GET', `/v2/${TEST_PROJECT_ID}/pools`)).status).toBe(200);
    expect((await clients[1]!.request('DELETE', `/_poolkeeper/v1/iam/access-keys/${another.body.accessKey}`)).status).toBe(204);
    await eventually(async () => {
      const res = await anotherOnA.request('GET', `/v2/${TEST_PROJECT_ID}/pools`);
      return res.status === 401 ? res : undefined;
    }, 1_000, 1);
  });

  it('background work survives a SIGKILLed replica and every transition runs exactly once', async () => {
    const res = await clients[0]!.request('POST', `/v2/${TEST_PROJECT_ID}/pools`, poolBody('failover', 20));
    expect(res.status).toBe(200);
    await replicas[0]!.kill();
    const pool = `/v2/${TEST_PROJECT_ID}/pools/failover-${TEST_PROJECT_ID}`;
    await eventually(async () => {
      const shown = await clients[1]!.request<{ status: { phase: string } }>('GET', pool);
      return shown.body.status.phase === 'Running' ? true : undefined;
    });
    const nodes = await clients[1]!.request<{ items: Array<{ status: { phase: string } }> }>('GET', `${pool}/nodes`);
    expect(nodes.body.items.map((n) => n.status.phase)).toEqual(Array(20).fill('Available'));
    // Every node of every pool made in this file became Available exactly once, whichever replica did it.
    const a = simulationTotals(replicas[0]!.output());
    const b = await eventually(async () => {
      const totals = simulationTotals(replicas[1]!.output());
      return a.nodesAvailable + totals.nodesAvailable === 1 + 12 + 20 ? totals : undefined;
    });
    expect(a.nodesAvailable + b.nodesAvailable).toBe(33);
    expect(a.poolsRunning + b.poolsRunning).toBe(3);
  });
});
