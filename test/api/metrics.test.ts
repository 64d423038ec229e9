import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECT } from '../helpers/databases.js';
import { parseMetrics, sampleNames, type Scrape } from '../helpers/metrics.js';
import { poolBody } from '../helpers/pools.js';
import { demoNodeNames, ManualClock, startTestService, type TestService } from '../helpers/service.js';

interface ErrorBody {
  error_code: string;
  error_msg: string;
  request_id?: string;
}
interface OperationBody {
  operation: string;
  nodes: Array<{ name: string; status: string; errorCode?: string }>;
}

const TOKEN = 'scrape-token-for-tests-0123456789';
const CREATE_SECONDS = 2;
const DELETE_SECONDS = 3;
const DRAIN_SECONDS = 5;
// The real time at start: requests are signed with the real clock and must be within 15 minutes of the service's.
const clock = new ManualClock();
let t: TestService;
let base: string;
let names: string[];

function scrapeWith(authorization?: string): Promise<Response> {
  return fetch(`${t.url}/metrics`, { headers: authorization === undefined ? {} : { Authorization: authorization } });
}

async function scrape(): Promise<Scrape> {
  const res = await scrapeWith(`Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  return parseMetrics(await res.text());
}

async function post<T>(path: string, body: unknown) {
  return t.client.request<T & ErrorBody>('POST', `${base}/nodes/${path}`, body);
}

async function operation(id: string | null): Promise<OperationBody> {
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return (await t.client.request<OperationBody>('GET', `/_poolkeeper/v1/${t.projectId}/operations/${id}`)).body;
}

/** Each failed node of the record, counted by code. */
function failuresOf(record: OperationBody): Map<string, number> {
  const codes = new Map<string, number>();
  for (const n of record.nodes) if (n.status === 'failed') codes.set(n.errorCode!, (codes.get(n.errorCode!) ?? 0) + 1);
  return codes;
}

beforeAll(async () => {
  t = await startTestService({
    clock,
    env: {
      POOLKEEPER_METRICS_TOKEN: TOKEN,
      // The background loop stays out of the way: the tests move the clock and take each step themselves.
      POOLKEEPER_RECONCILE_INTERVAL_MS: '60000',
      POOLKEEPER_SIM_NODE_CREATE_SECONDS: String(CREATE_SECONDS),
      POOLKEEPER_SIM_NODE_DELETE_SECONDS: String(DELETE_SECONDS),
      POOLKEEPER_SIM_DRAIN_SECONDS: String(DRAIN_SECONDS),
    },
  });
  base = `/v2/${t.projectId}/pools/${t.demoPool}`;
  names = await demoNodeNames(t);
});

afterAll(async () => {
  await t.stop();
});

describe('who may scrape GET /metrics', () => {
  it('answers the configured bearer token with the Prometheus text format', async () => {
    const res = await scrapeWith(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parseMetrics(await res.text()).types.get('poolkeeper_nodes')).toBe('gauge');
    expect((await scrapeWith(`bearer   ${TOKEN}`)).status).toBe(200);
  });

  it('refuses no credentials, a wrong token and a malformed one with 401 APIGW.0301 and the request id', async () => {
    const before = (await scrape()).sum('poolkeeper_auth_failures_total', { reason: 'bad_metrics_token' });
    for (const [authorization, message] of [
      [undefined, /not signed/],
      [`Bearer ${TOKEN.slice(0, -1)}x`, /metrics bearer token is wrong/],
      [`Bearer ${TOKEN}${TOKEN}`, /metrics bearer token is wrong/],
      ['Bearer', /metrics bearer token is wrong/],
      [`Bearer ${TOKEN} extra`, /metrics bearer token is wrong/],
    ] as const) {
      const res = await scrapeWith(authorization);
      expect(res.status, authorization).toBe(401);
      const body = (await res.json()) as ErrorBody;
      expect(body.error_code).toBe('APIGW.0301');
      expect(body.error_msg).toMatch(message);
      expect(body.request_id).toBe(res.headers.get('x-request-id'));
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    }
    expect((await scrape()).sum('poolkeeper_auth_failures_total', { reason: 'bad_metrics_token' })).toBe(before + 4);
  });

  it('still serves callers who sign with AK/SK', async () => {
    const res = await t.client.request<string>('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(parseMetrics(res.body).types.get('poolkeeper_http_requests_total')).toBe('counter');
  });
});

describe('metrics move when their events happen', () => {
  it('counts node creations that fell due and how long the oldest has waited, then the nodes by phase', async () => {
    const creating = await scrape();
    expect(creating.sum('poolkeeper_nodes', { pool: t.demoPool, phase: 'Creating' })).toBe(8);
    expect(creating.sum('poolkeeper_background_jobs_due', { job: 'node_create' })).toBe(0);
    expect(creating.sum('poolkeeper_background_jobs_oldest_due_seconds', { job: 'node_create' })).toBe(0);

    clock.advance((CREATE_SECONDS + 1.5) * 1000);
    const due = await scrape();
    expect(due.sum('poolkeeper_background_jobs_due', { job: 'node_create' })).toBe(8);
    expect(due.sum('poolkeeper_background_jobs_oldest_due_seconds', { job: 'node_create' })).toBe(1.5);

    // What the background loop does on its tick.
    await t.service.backend.progress(clock.now());
    const created = await scrape();
    expect(created.sum('poolkeeper_background_jobs_due', { job: 'node_create' })).toBe(0);
    expect(created.has('poolkeeper_nodes', { pool: t.demoPool, phase: 'Creating' })).toBe(false);
    expect(created.sum('poolkeeper_nodes', { pool: t.demoPool, phase: 'Available' })).toBe(8);
    expect(created.sum('poolkeeper_node_drivers', { pool: t.demoPool, phase: 'Running' })).toBe(8);
  });

  it('reports driver upgrade phases and node phases by pool as batch calls change them', async () => {
    const upgrade = await post('batch-update', { nodeNames: [names[0]], action: 'closeHaRedundant', driver: { version: '550.1', updateStrategy: 'force' } });
    expect(upgrade.status).toBe(200);
    expect((await post('batch-delete', { deleteNodeNames: [names[1]] })).status).toBe(200);
    const after = await scrape();
    expect(after.sum('poolkeeper_node_drivers', { pool: t.demoPool, phase: 'Pending' })).toBe(1);
    expect(after.sum('poolkeeper_node_drivers', { pool: t.demoPool, phase: 'Running' })).toBe(7);
    expect(after.sum('poolkeeper_nodes', { pool: t.demoPool, phase: 'Deleting' })).toBe(1);
    expect(after.sum('poolkeeper_nodes', { pool: t.demoPool, phase: 'Available' })).toBe(7);

    await t.service.store.jobs.startUpgrades(clock.now(), 10);
    expect((await scrape()).sum('poolkeeper_node_drivers', { pool: t.demoPool, phase: 'Updating' })).toBe(1);
  });

  it('reports due deletes, driver upgrades, reboots, drains and pool removals with the age of the oldest', async () => {
    expect((await post('batch-reboot', { nodeNames: [names[2]] })).status).toBe(200);
    expect((await t.client.request('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${names[3]}/workload`, { runningJobs: 2 })).status).toBe(200);
    expect((await post('batch-drain', { nodeNames: [names[3]] })).status).toBe(200);
    const small = await t.client.request<{ metadata: { name: string } }>('POST', `/v2/${t.projectId}/pools`, poolBody('metricsgone', 1));
    expect(small.status).toBe(200);
    expect((await t.client.request('DELETE', `/v2/${t.projectId}/pools/${small.body.metadata.name}`)).status).toBe(200);

    // All of the above, and the last test's delete, happened at this instant.
    clock.advance(10_000);
    const due = await scrape();
    const expected: Record<string, [count: number, seconds: number]> = {
      // The deleted node and the removed pool's node.
      node_delete: [2, 10 - DELETE_SECONDS],
      driver_upgrade: [1, 10],
      reboot: [1, 10],
      drain: [1, 10 - DRAIN_SECONDS],
      pool_delete: [1, 10 - DELETE_SECONDS],
      node_create: [0, 0],
    };
    for (const [job, [count, seconds]] of Object.entries(expected)) {
      expect(due.sum('poolkeeper_background_jobs_due', { job }), job).toBe(count);
      expect(due.sum('poolkeeper_background_jobs_oldest_due_seconds', { job }), job).toBe(seconds);
    }
  });

  it('counts the per-node failures of every batch operation by operation and code', async () => {
    const missing = 'os-node-created-zzzzz';
    const before = await scrape();
    const calls: Array<{ operation: string; id: string | null }> = [];
    const run = async (path: string, body: unknown, operationName: string) => {
      const res = await post(path, body);
      expect(res.status, path).toBe(200);
      calls.push({ operation: operationName, id: res.headers.get('x-operation-id') });
    };
    await run('batch-update', { nodeNames: [names[4], missing, names[1]], action: 'createTags', tags: [{ key: 'k', value: 'v' }] }, 'BatchUpdatePoolNodes');
    await run('batch-lock', { nodeNames: [names[4], missing], actions: ['delete'] }, 'BatchLockPoolNodes');
    await run('batch-unlock', { nodeNames: [names[5], missing], actions: ['delete'] }, 'BatchUnlockPoolNodes');
    await run('batch-reboot', { nodeNames: [names[1], names[5]] }, 'BatchRebootPoolNodes');
    await run('batch-drain', { nodeNames: [names[1], missing] }, 'BatchDrainPoolNodes');
    const patch = await t.client.request('PATCH', base, { spec: { driver: { gpuVersion: '560.9' } } });
    expect(patch.status).toBe(200);
    calls.push({ operation: 'PatchPool', id: patch.headers.get('x-operation-id') });
    // All or nothing: the locked node refuses the whole delete, with nothing written.
    const refused = await post('batch-delete', { deleteNodeNames: [names[4], names[6]] });
    expect(refused.status).toBe(400);

    const after = await scrape();
    for (const { operation: name, id } of calls) {
      const record = await operation(id);
      expect(record.operation).toBe(name);
      const failures = failuresOf(record);
      expect(failures.size, `${name} has failed nodes`).toBeGreaterThan(0);
      for (const [code, count] of failures) {
        const labels = { operation: name, code };
        expect(after.sum('poolkeeper_batch_node_failures_total', labels) - before.sum('poolkeeper_batch_node_failures_total', labels), `${name} ${code}`).toBe(count);
      }
      const total = (result: string, scraped: Scrape) => scraped.sum('poolkeeper_batch_nodes_total', { operation: name, result });
      expect(total('failed', after) - total('failed', before), name).toBe(record.nodes.filter((n) => n.status === 'failed').length);
      expect(total('success', after) - total('success', before), name).toBe(record.nodes.filter((n) => n.status === 'success').length);
    }
    const lockedDelete = { operation: 'BatchDeletePoolNodes', code: 'ModelArts.50004003' };
    expect(after.sum('poolkeeper_batch_node_failures_total', lockedDelete) - before.sum('poolkeeper_batch_node_failures_total', lockedDelete)).toBe(1);
    expect(after.sum('poolkeeper_batch_nodes_total', { operation: 'BatchUpdatePoolNodes', action: 'createTags', result: 'success' })).toBeGreaterThan(0);
  });

  it('times statements by kind, counts group commits (SQLite) and identity and access-key cache hits and misses', async () => {
    clock.advance(6_000); // past the identity cache's 5 s
    const before = await scrape();
    expect((await t.client.request('GET', `${base}/nodes/${names[7]}`)).status).toBe(200);
    const miss = await scrape();
    expect(miss.sum('poolkeeper_identity_cache_lookups_total', { result: 'miss' })).toBe(before.sum('poolkeeper_identity_cache_lookups_total', { result: 'miss' }) + 1);
    expect(miss.sum('poolkeeper_identity_cache_lookups_total', { result: 'hit' })).toBe(before.sum('poolkeeper_identity_cache_lookups_total', { result: 'hit' }));

    const updates = names.slice(4, 8).map((name, i) => post('batch-update', { nodeNames: [name], action: 'createTags', tags: [{ key: 'group', value: String(i) }] }));
    for (const res of await Promise.all(updates)) expect(res.status).toBe(200);
    const after = await scrape();
    expect(after.sum('poolkeeper_identity_cache_lookups_total', { result: 'hit' })).toBe(miss.sum('poolkeeper_identity_cache_lookups_total', { result: 'hit' }) + 4);
    // The key has signed requests before: every one of these five was answered from the access-key cache.
    const keyLookups = (result: string, scraped: Scrape) => scraped.sum('poolkeeper_access_key_cache_lookups_total', { result });
    expect(keyLookups('hit', after) - keyLookups('hit', before)).toBe(5);
    expect(keyLookups('miss', after)).toBe(keyLookups('miss', before));
    expect(keyLookups('miss', before)).toBeGreaterThan(0);

    const commits = (name: string, scraped: Scrape) => scraped.sum(`poolkeeper_db_group_commit_transactions_${name}`);
    if (TEST_DIALECT === 'sqlite') {
      expect(commits('sum', after) - commits('sum', miss)).toBe(4);
      expect(commits('count', after) - commits('count', miss)).toBeGreaterThanOrEqual(1);
      expect(commits('count', after) - commits('count', miss)).toBeLessThanOrEqual(4);
    } else {
      expect(commits('count', after)).toBe(0);
    }
    // Each call reads its access key and records its operation; on PostgreSQL each transaction's BEGIN and COMMIT are
    // statements too (SQLite's group commit runs them inside better-sqlite3).
    for (const kind of TEST_DIALECT === 'postgres' ? ['select', 'insert', 'transaction'] : ['select', 'insert']) {
      const count = (scraped: Scrape) => scraped.sum('poolkeeper_db_statement_duration_seconds_count', { kind });
      expect(count(after) - count(before), kind).toBeGreaterThanOrEqual(4);
    }
    expect(after.sum('poolkeeper_db_statement_duration_seconds_sum')).toBeGreaterThan(before.sum('poolkeeper_db_statement_duration_seconds_sum'));
  });
});

describe('the Grafana dashboard in deploy/grafana', () => {
  interface Panel {
    type: string;
    title: string;
    targets?: Array<{ expr: string }>;
    panels?: Panel[];
  }
  const dashboard = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../deploy/grafana/poolkeeper.json'), 'utf8')) as {
    uid: string;
    panels: Panel[];
    templating: { list: Array<{ name: string; definition?: string }> };
  };

  it('queries only metrics that GET /metrics exposes', async () => {
    const scraped = await scrape();
    const exposed = new Set([...scraped.types].flatMap(([family, type]) => sampleNames(family, type)));
    const queries = [
      ...dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).flatMap((p) => (p.targets ?? []).map((target) => ({ title: p.title, expr: target.expr }))),
      ...dashboard.templating.list.flatMap((v) => (v.definition ? [{ title: `variable ${v.name}`, expr: v.definition }] : [])),
    ];
    expect(queries.length).toBeGreaterThan(15);
    const used = new Set<string>();
    for (const { title, expr } of queries) {
      const metrics = expr.match(/\bpoolkeeper_[A-Za-z0-9_]+/g) ?? [];
      expect(metrics.length, `${title}: ${expr}`).toBeGreaterThan(0);
      for (const metric of metrics) {
        expect(exposed.has(metric), `${title} uses ${metric}, which /metrics does not expose`).toBe(true);
        used.add(metric);
      }
    }
    for (const family of ['poolkeeper_nodes', 'poolkeeper_node_drivers', 'poolkeeper_background_jobs_due', 'poolkeeper_background_jobs_oldest_due_seconds',
      'poolkeeper_batch_node_failures_total', 'poolkeeper_db_group_commit_transactions_sum', 'poolkeeper_db_statement_duration_seconds_bucket',
      'poolkeeper_identity_cache_lookups_total']) {
      expect(used.has(family), `the dashboard shows ${family}`).toBe(true);
    }
  });
});

describe('without POOLKEEPER_METRICS_TOKEN', () => {
  let plain: TestService;
  beforeAll(async () => {
    plain = await startTestService();
  });
  afterAll(async () => {
    await plain.stop();
  });

  it('refuses bearer tokens and serves signed callers as before', async () => {
    const res = await fetch(`${plain.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as ErrorBody;
    expect(body).toEqual({ error_code: 'APIGW.0301', error_msg: expect.stringMatching(/no metrics bearer token is configured/), request_id: res.headers.get('x-request-id') });
    expect((await plain.client.request('GET', '/metrics')).status).toBe(200);
  });
});
