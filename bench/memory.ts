/**
 * The service's memory: RSS (what the operating system charges) and the JavaScript heap after a full garbage
 * collection (what is really held), idle after start, after creating a 20,000-node pool, and at the end of each of
 * three consecutive windows of the 1-node load. A leak shows as a heap that keeps growing from window to window.
 */
import { statSync } from 'node:fs';
import { PoolkeeperClient } from '../src/client/client.js';
import { CREDENTIALS, expectAllUpdated, oneNodeCalls, poolPath, progress, PROJECT_ID, startMessage } from './api.js';
import { presign, runAutocannon, sendSigned } from './load.js';
import { poolId, type BenchPool } from './protocol.js';
import { startTarget, type Usage } from './target.js';

export const MEMORY_POOL: BenchPool = { name: 'bench-mem', nodes: 20_000 };
const CONNECTIONS = 10;

/** The default: three windows of 20 s; `--soak` makes them longer, to see where RSS levels off. */
export interface LeakWindows {
  count: number;
  seconds: number;
}
/** Heap growth from the first window's end to the last's that still counts as flat (allocator and JIT noise). */
export const LEAK_HEAP_TOLERANCE_BYTES = 2 * 1024 * 1024;

export interface MemoryPoint extends Usage {
  label: string;
  /** The SQLite database file and its write-ahead log, bytes. */
  databaseBytes: number;
  requestsPerSecond?: number;
}

export interface MemoryFigures {
  windows: LeakWindows;
  points: MemoryPoint[];
  /** From the end of the first load window to the end of the last. */
  heapGrowth: number;
  rssGrowth: number;
  databaseGrowth: number;
}

function databaseBytes(file: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal']) {
    try {
      bytes += statSync(file + suffix).size;
    } catch {
      // no write-ahead log at the moment
    }
  }
  return bytes;
}

/** Waits until every node of the pool has left Creating (the simulation creates them at once, in the background loop). */
async function waitForPool(client: PoolkeeperClient, pool: BenchPool): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 120_000; ) {
    const answer = await client.request<{ status: { resources?: { creating?: unknown[] } } }>('GET', poolPath(pool));
    if (answer.status !== 200) throw new Error(`ShowPool ${pool.name}: HTTP ${answer.status}`);
    if ((answer.body.status.resources?.creating ?? []).length === 0) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`the nodes of ${pool.name} were still Creating after 120 s`);
}

export async function measureMemory(windows: LeakWindows): Promise<MemoryFigures> {
  progress(`memory: poolkeeper (SQLite, log level info → /dev/null), a ${MEMORY_POOL.nodes.toLocaleString('en-US')}-node pool, ${windows.count} × ${windows.seconds} s of the 1-node load`);
  const target = await startTarget(startMessage('poolkeeper', { logLevel: 'info' }), { execArgv: ['--expose-gc'], discardStdout: true });
  try {
    const points: MemoryPoint[] = [];
    const at = async (label: string, requestsPerSecond?: number) => {
      const rss = (await target.usage()).rss;
      const { cpuMicros, heapUsed, external } = await target.usage(true);
      points.push({ label, rss, heapUsed, external, cpuMicros, databaseBytes: databaseBytes(target.database!), ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}) });
    };
    await new Promise((done) => setTimeout(done, 1_000));
    await at('idle, after start');
    const client = new PoolkeeperClient(target.url, CREDENTIALS);
    const created = await client.request('POST', `/v2/${PROJECT_ID}/pools`, {
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: { labels: { 'os.modelarts/name': MEMORY_POOL.name } },
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: MEMORY_POOL.nodes }] },
    });
    if (created.status >= 300) throw new Error(`CreatePool ${MEMORY_POOL.name}: HTTP ${created.status}`);
    await waitForPool(client, MEMORY_POOL);
    await at(`after creating a ${MEMORY_POOL.nodes.toLocaleString('en-US')}-node pool`);
    const listed = await client.request<{ items: { metadata: { name: string } }[] }>('GET', `${poolPath(MEMORY_POOL)}/nodes?limit=1`);
    const nodeNames = { [poolId(MEMORY_POOL, PROJECT_ID)]: [listed.body.items[0]!.metadata.name] };
    const calls = oneNodeCalls(nodeNames, MEMORY_POOL);
    const answer = await sendSigned(target.url, 'POST', calls[0]!.path, CREDENTIALS, calls[0]!.body);
    expectAllUpdated(1)(answer.status, answer.text);
    const requests = presign(target.url, calls, CREDENTIALS, new Date());
    for (let window = 1; window <= windows.count; window++) {
      const run = await runAutocannon(target.url, requests, CONNECTIONS, windows.seconds);
      if (run.non2xx + run.errors + run.timeouts > 0) throw new Error(`memory load: ${run.non2xx} non-2xx, ${run.errors} errors, ${run.timeouts} timeouts`);
      await at(`after ${window * windows.seconds} s of the 1-node load`, run.total / run.seconds);
    }
    const first = points[points.length - windows.count]!;
    const last = points[points.length - 1]!;
    return {
      windows,
      points,
      heapGrowth: last.heapUsed - first.heapUsed,
      rssGrowth: last.rss - first.rss,
      databaseGrowth: last.databaseBytes - first.databaseBytes,
    };
  } finally {
    await target.stop();
  }
}
