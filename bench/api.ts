/**
 * What every part of the benchmark shares: the run's project and credentials, the pools, creating them through
 * poolkeeper's API, the batch-update bodies and the check of their answers.
 */
import { randomBytes } from 'node:crypto';
import { PoolkeeperClient } from '../src/client/client.js';
import type { Credentials } from '../src/client/signer.js';
import { batchUpdatePath, poolId, type BenchPool, type StartMessage } from './protocol.js';
import type { SignedCall } from './load.js';

export const PROJECT_ID = randomBytes(16).toString('hex');
export const CREDENTIALS: Credentials = { accessKey: 'BENCH' + randomBytes(8).toString('hex').toUpperCase(), secretKey: randomBytes(24).toString('hex') };
/** POOLKEEPER_MASTER_KEY for every poolkeeper target of the run: any 32 bytes, base64. */
const MASTER_KEY = randomBytes(32).toString('base64');

export const POOL_1K: BenchPool = { name: 'bench-k', nodes: 1_000 };
export const POOL_10K: BenchPool = { name: 'bench-tenk', nodes: 10_000 };
/** The read rows' pools: nothing writes to them, so every read row sees the same rows. */
export const POOL_8: BenchPool = { name: 'bench-eight', nodes: 8 };
export const POOL_500: BenchPool = { name: 'bench-half', nodes: 500 };
/** The pools every poolkeeper and floor of the run hold. */
export const POOLS = [POOL_1K, POOL_10K, POOL_8, POOL_500];

/** Distinct pre-signed bodies the 1-node load cycles through, so consecutive writes change the tag's value. */
const LOAD_BODIES = 16;

export function progress(text: string): void {
  process.stderr.write(`… ${text}\n`);
}

export function startMessage(
  role: StartMessage['role'],
  options: { logLevel?: string; stages?: boolean; postgresUrl?: string | undefined; readFrom?: string | undefined } = {},
): StartMessage {
  return {
    type: 'start',
    role,
    projectId: PROJECT_ID,
    ...CREDENTIALS,
    logLevel: options.logLevel ?? 'warn',
    pools: POOLS,
    stages: options.stages ?? false,
    masterKey: MASTER_KEY,
    ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}),
    ...(options.readFrom ? { readFrom: options.readFrom } : {}),
  };
}

export function poolPath(pool: BenchPool): string {
  return `/v2/${PROJECT_ID}/pools/${poolId(pool, PROJECT_ID)}`;
}

/** Lists every node name of a pool, page by page (limit 500). */
export async function listNodeNames(client: PoolkeeperClient, pool: BenchPool): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined;
  for (let page = 0; page <= Math.ceil(pool.nodes / 500); page++) {
    const query = `limit=500${next ? `&continue=${encodeURIComponent(next)}` : ''}`;
    const answer = await client.request<{ metadata: { continue?: string }; items: { metadata: { name: string } }[] }>('GET', `${poolPath(pool)}/nodes?${query}`);
    if (answer.status !== 200) throw new Error(`ListPoolNodes ${pool.name}: HTTP ${answer.status}`);
    for (const item of answer.body.items) names.push(item.metadata.name);
    next = answer.body.metadata.continue;
    if (!next) break;
  }
  if (names.length !== pool.nodes) throw new Error(`pool ${pool.name} lists ${names.length} nodes, expected ${pool.nodes}`);
  return names;
}

/** Creates the pools through poolkeeper's API and lists their node names, by pool id. */
export async function seedPoolkeeper(url: string, pools: BenchPool[]): Promise<Record<string, string[]>> {
  const client = new PoolkeeperClient(url, CREDENTIALS);
  const names: Record<string, string[]> = {};
  for (const pool of pools) {
    const created = await client.request('POST', `/v2/${PROJECT_ID}/pools`, {
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: { labels: { 'os.modelarts/name': pool.name } },
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: pool.nodes }] },
    });
    if (created.status >= 300) throw new Error(`CreatePool ${pool.name}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
    names[poolId(pool, PROJECT_ID)] = await listNodeNames(client, pool);
  }
  return names;
}

export function tagBody(nodeNames: string[], key: string, value: string): string {
  return JSON.stringify({ nodeNames, action: 'createTags', tags: [{ key, value }] });
}

export type AnswerCheck = (status: number, text: string) => void;

export function expectAllUpdated(count: number): AnswerCheck {
  return (status, text) => {
    if (status !== 200) throw new Error(`batch-update answered HTTP ${status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { successNodeNames: string[]; failNodeNames: string[] };
    if (body.successNodeNames.length !== count || body.failNodeNames.length !== 0) {
      throw new Error(`batch-update updated ${body.successNodeNames.length} of ${count} nodes (${body.failNodeNames.length} failed)`);
    }
  };
}

/** A read's answer: HTTP 200 and JSON. */
export function expectReadOk(status: number, text: string): void {
  if (status !== 200) throw new Error(`read answered HTTP ${status}: ${text.slice(0, 300)}`);
  JSON.parse(text);
}

/** The 1-node load's calls: createTags on the first node of the 1,000-node pool, LOAD_BODIES values in turn. */
export function oneNodeCalls(nodeNames: Record<string, string[]>, pool: BenchPool = POOL_1K): SignedCall[] {
  const id = poolId(pool, PROJECT_ID);
  const node = nodeNames[id]![0]!;
  const path = batchUpdatePath(PROJECT_ID, id);
  return Array.from({ length: LOAD_BODIES }, (_, i) => ({ method: 'POST' as const, path, body: tagBody([node], 'bench-load', `v${i}`) }));
}
