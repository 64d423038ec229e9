import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { SqlSimulationStore, type SimulationStore } from '../../src/simulation/simulation-store.js';
import type { NewNode } from '../../src/store/pools.js';
import type { Store } from '../../src/store/store.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/databases.js';

/**
 * PostgreSQL only (SQLite has one writer, so nothing is ever held while the background loop runs): background progress
 * skips the node rows a batch call holds instead of queueing behind them, and takes them on a later tick.
 */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef02';
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
let database: TestDatabase;
let store: Store;
let simulation: SimulationStore;
let holder: pg.Client;

function nodes(prefix: string, phase: NewNode['phase']): NewNode[] {
  return [0, 1, 2].map((i) => ({
    name: `${prefix}-${i}`,
    flavor: 'modelarts.vm.cpu.8ud',
    az: 'local-1a',
    privateIp: `192.168.1.${i + 2}`,
    nodePool: null,
    phase,
    phaseUntil: T0,
    driverVersion: null,
  }));
}

async function createPool(name: string, phase: NewNode['phase']) {
  return store.pools.create(
    {
      projectId: PROJECT,
      name,
      phase: phase === 'Creating' ? 'Creating' : 'Running',
      labels: {},
      annotations: {},
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 3 }] },
      createdAt: T0,
      resourceVersion: 1,
    },
    nodes(name, phase),
  );
}

/** Fails instead of hanging when the call waits for a lock. */
function promptly<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('waited for a row lock')), 5_000))]);
}

beforeAll(async () => {
  database = await createPostgresDatabase();
  const opened = await openStore({ databaseUrl: database.url, sqliteSynchronous: 'NORMAL', databasePoolSize: 3 });
  store = opened.store;
  simulation = new SqlSimulationStore(opened.context);
  await store.migrate();
  await store.identity.createBootstrapIdentity({
    accountId: 'a'.repeat(32),
    accountName: 'acme',
    projectId: PROJECT,
    projectName: 'local-1',
    userId: 'u'.repeat(32),
    userName: 'admin',
    accessKey: 'AK-LOCKS',
    sealedSecretKey: 'sealed',
    createdAt: T0,
    policyName: 'all',
    policyDocument: { Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:*'] }] },
  });
  holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
});

afterAll(async () => {
  await holder?.end();
  await store?.close();
  await database?.drop();
});

describe('background progress next to a batch call holding node rows (PostgreSQL)', () => {
  it('moves the other due nodes on, and the held ones once they are released', async () => {
    const creating = await createPool('locks-creating', 'Creating');
    const deleting = await createPool('locks-deleting', 'Deleting');
    // What a batch call holds while it runs: these node rows, locked FOR UPDATE.
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM nodes WHERE name IN ('locks-creating-1', 'locks-deleting-2') ORDER BY id FOR UPDATE`);

    const first = await promptly(simulation.advance(T0 + 1));
    expect(first).toMatchObject({ nodesAvailable: 2, nodesRemoved: 2, poolsRunning: 0 });
    expect(((await store.nodes.get(creating, 'locks-creating-1'))?.node)!.phase).toBe('Creating');
    expect(((await store.nodes.get(creating, 'locks-creating-0'))?.node)!.phase).toBe('Available');
    expect([...(await store.pools.nodeNames(deleting.id))]).toEqual(['locks-deleting-2']);

    await holder.query('COMMIT');
    const second = await promptly(simulation.advance(T0 + 2));
    expect(second).toMatchObject({ nodesAvailable: 1, nodesRemoved: 1, poolsRunning: 1 });
    expect(((await store.nodes.get(creating, 'locks-creating-1'))?.node)!.phase).toBe('Available');
    expect((await store.pools.nodeNames(deleting.id)).size).toBe(0);
  });
});
