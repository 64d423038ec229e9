import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { openStore } from '../../src/store/open-store.js';
import { createPostgresDatabase, PG_ADMIN_URL, type TestDatabase } from '../helpers/databases.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/process.js';
import { eventually, TEST_AK, TEST_PROJECT_ID, TEST_SK } from '../helpers/service.js';

/**
 * A replica outlives its database going away: PostgreSQL ending its connections (restart, failover, an operator)
 * neither ends the process nor leaves it broken, and /readyz tells a load balancer when it cannot serve.
 */
let database: TestDatabase;
let dataDir: string;
let service: ServiceProcess;
let client: PoolkeeperClient;
let admin: pg.Client;
let databaseName: string;

async function endConnections(): Promise<number> {
  const { rows } = await admin.query<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [databaseName]);
  return rows.length;
}

beforeAll(async () => {
  database = await createPostgresDatabase();
  databaseName = new URL(database.url).pathname.slice(1);
  dataDir = mkdtempSync(join(tmpdir(), 'poolkeeper-outage-'));
  service = await startServiceProcess({
    POOLKEEPER_DATABASE_URL: database.url,
    POOLKEEPER_DATA_DIR: dataDir,
    POOLKEEPER_MASTER_KEY: randomBytes(32).toString('base64'),
    POOLKEEPER_RECONCILE_INTERVAL_MS: '50',
  });
  client = new PoolkeeperClient(service.url, { accessKey: TEST_AK, secretKey: TEST_SK });
  admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
});

afterAll(async () => {
  await admin?.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`).catch(() => {});
  await admin?.end();
  await service?.kill();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a replica whose PostgreSQL connections end', () => {
  it('keeps running, logs it, and serves again on new connections', async () => {
    // Concurrent calls open several pooled connections, so some are idle when they end: a connection that ends in
    // the middle of a query fails that query (the background loop's, every 50 ms, logged as a failed step) instead.
    const calls = await Promise.all(Array.from({ length: 6 }, () => client.request('GET', `/v2/${TEST_PROJECT_ID}/pools`)));
    expect(calls.map((call) => call.status)).toEqual(Array(6).fill(200));
    expect(await endConnections()).toBeGreaterThan(1);
    await eventually(async () => (service.output().includes('a PostgreSQL connection failed') ? true : undefined));
    expect(service.child.exitCode).toBeNull();
    const pools = await eventually(async () => {
      const res = await client.request('GET', `/v2/${TEST_PROJECT_ID}/pools`);
      return res.status === 200 ? res : undefined;
    });
    expect(pools.status).toBe(200);
    expect(service.output()).not.toMatch(/Unhandled 'error' event/);
  });

  it('answers /readyz 503 while the database refuses it, and 200 once it is back', async () => {
    await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS false`);
    await endConnections();
    const down = await eventually(async () => {
      const res = await fetch(`${service.url}/readyz`);
      return res.status === 503 ? res : undefined;
    });
    expect(await down.json()).toEqual({ status: 'unavailable' });
    const failed = await client.request<{ error_code: string; error_msg: string }>('GET', `/v2/${TEST_PROJECT_ID}/pools`);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error_code: 'ModelArts.50005000', error_msg: 'internal error' });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);

    await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`);
    await eventually(async () => ((await fetch(`${service.url}/readyz`)).status === 200 ? true : undefined));
    expect((await client.request('GET', `/v2/${TEST_PROJECT_ID}/pools`)).status).toBe(200);
    expect(service.child.exitCode).toBeNull();
  });

  it('fails a call instead of hanging when the database accepts connections but never answers', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => held.push(socket));
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const { port } = silent.address() as { port: number };
    const { store } = await openStore({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/none`, sqliteSynchronous: 'NORMAL', databasePoolSize: 1, databaseConnectTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(store.ping()).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await store.close();
      for (const socket of held) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    }
  });
});
