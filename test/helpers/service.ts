import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PoolkeeperClient } from '../../src/client/client.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/domain/time.js';
import { startService, type RunningService } from '../../src/serve.js';
import { TEST_DIALECT, testDatabase, type Dialect, type TestDatabase } from './databases.js';

export const TEST_PROJECT_ID = '0123456789abcdef0123456789abcdef';
export const TEST_AK = 'TESTACCESSKEY0000001';
export const TEST_SK = 'test-secret-key-0000000000000000000000001';

/** A clock tests move by hand; the service reads it for every timestamp and transition. */
export class ManualClock implements Clock {
  constructor(private millis = Date.now()) {}
  now(): number {
    return this.millis;
  }
  advance(ms: number): void {
    this.millis += ms;
  }
}

export interface TestService {
  service: RunningService;
  client: PoolkeeperClient;
  url: string;
  dataDir: string;
  database: TestDatabase;
  projectId: string;
  demoPool: string;
  stop(): Promise<void>;
}

/** A real service on a loopback port with a real SQLite file in a fresh temporary folder. */
export async function startTestService(
  options: { env?: Record<string, string>; clock?: Clock; dialect?: Dialect; database?: TestDatabase } = {},
): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'poolkeeper-test-'));
  const database = options.database ?? (await testDatabase(options.dialect ?? TEST_DIALECT, dataDir));
  const config: Config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    POOLKEEPER_DATABASE_URL: database.url,
    POOLKEEPER_DATA_DIR: dataDir,
    POOLKEEPER_LOG_LEVEL: 'warn',
    POOLKEEPER_BOOTSTRAP_PROJECT_ID: TEST_PROJECT_ID,
    POOLKEEPER_BOOTSTRAP_AK: TEST_AK,
    POOLKEEPER_BOOTSTRAP_SK: TEST_SK,
    POOLKEEPER_SIM_NODE_CREATE_SECONDS: '0',
    POOLKEEPER_RECONCILE_INTERVAL_MS: '20',
    ...options.env,
  });
  const service = await startService(config, options.clock);
  return {
    service,
    client: new PoolkeeperClient(service.url, { accessKey: TEST_AK, secretKey: TEST_SK }),
    url: service.url,
    dataDir,
    database,
    projectId: TEST_PROJECT_ID,
    demoPool: `demo-${TEST_PROJECT_ID}`,
    async stop() {
      await service.stop();
      if (!options.database) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The names of the demo pool's 8 nodes, in name order. */
export async function demoNodeNames(t: TestService): Promise<string[]> {
  const list = await t.client.request<{ items: Array<{ metadata: { name: string } }> }>('GET', `/v2/${t.projectId}/pools/${t.demoPool}/nodes`);
  const names = list.body.items.map((n) => n.metadata.name);
  if (names.length !== 8) throw new Error(`the demo pool has ${names.length} nodes, not 8`);
  return names;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
