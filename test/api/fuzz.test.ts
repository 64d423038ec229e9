import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signRequest } from '../../src/client/signer.js';
import { operationsOf, requestArbitrary, type FuzzRequest, type Hints } from '../helpers/openapi-fuzz.js';
import { poolBody } from '../helpers/pools.js';
import { demoNodeNames, eventually, startTestService, TEST_AK, TEST_SK, type TestService } from '../helpers/service.js';

/**
 * OpenAPI-driven fuzzing: every operation the service publishes gets REQUESTS_PER_OPERATION correctly signed
 * requests, generated from its schemas and then broken (wrong types, nulls, huge and deep values, unicode edge cases,
 * odd path segments and query strings, odd content types, truncated or non-JSON bodies). Each answer must come in
 * time, never be a 5xx, and every 4xx must be in the error format with X-Request-Id; a pool no request names must
 * read byte for byte the same afterwards. Replay a run with POOLKEEPER_FUZZ_SEED=<the printed seed>.
 */
const REQUESTS_PER_OPERATION = 64;
const ANSWER_WITHIN_MS = 15_000;
const seed = process.env.POOLKEEPER_FUZZ_SEED ? Number(process.env.POOLKEEPER_FUZZ_SEED) : randomInt(2 ** 31);

let t: TestService;
let hints: Hints;
let doomedPool: string;
let canaryPool: string;
let canary: { pool: string; nodes: string };

interface Answer {
  status: number;
  requestId: string | null;
  contentType: string;
  text: string;
}

async function send(request: Pick<FuzzRequest, 'method' | 'target' | 'contentType' | 'body'>): Promise<Answer> {
  const url = new URL(`${t.url}${request.target}`);
  const headers = signRequest(
    { method: request.method, url, headers: request.contentType === undefined ? {} : { 'Content-Type': request.contentType }, ...(request.body !== undefined ? { body: request.body } : {}) },
    { accessKey: TEST_AK, secretKey: TEST_SK },
  );
  const res = await fetch(url, { method: request.method, headers, body: request.body, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  return { status: res.status, requestId: res.headers.get('x-request-id'), contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

const get = (target: string) => send({ method: 'GET', target, contentType: undefined, body: undefined });

/** What is wrong with an answer, if anything. */
function problemWith(answer: Answer): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (!answer.requestId) return `answered ${answer.status} without X-Request-Id`;
  if (answer.status < 400) return undefined;
  if (!answer.contentType.startsWith('application/json')) return `answered ${answer.status} as ${answer.contentType}: ${answer.text.slice(0, 200)}`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return `answered ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'error_code,error_msg' && keys !== 'error_code,error_msg,request_id') return `answered ${answer.status} with keys ${keys}`;
  if (typeof body.error_code !== 'string' || typeof body.error_msg !== 'string' || body.error_msg === '') return `answered ${answer.status} with ${answer.text.slice(0, 200)}`;
  if (body.request_id !== undefined && body.request_id !== answer.requestId) return `request_id ${String(body.request_id)} is not X-Request-Id ${answer.requestId}`;
  return undefined;
}

async function createPool(name: string, count: number): Promise<string> {
  const res = await t.client.request<{ metadata: { name: string } }>('POST', `/v2/${t.projectId}/pools`, poolBody(name, count));
  expect(res.status).toBe(200);
  const id = res.body.metadata.name;
  await eventually(async () => ((await t.client.request<{ status: { phase: string } }>('GET', `/v2/${t.projectId}/pools/${id}`)).body.status.phase === 'Running' ? true : undefined));
  return id;
}

/** The canary's answers once they stop changing (its creation has settled). */
async function canarySnapshot(pool: string): Promise<{ pool: string; nodes: string }> {
  const read = async () => ({ pool: (await get(`/v2/${t.projectId}/pools/${pool}`)).text, nodes: (await get(`/v2/${t.projectId}/pools/${pool}/nodes`)).text });
  let previous = await read();
  return eventually(async () => {
    const current = await read();
    const settled = current.pool === previous.pool && current.nodes === previous.nodes;
    previous = current;
    return settled ? current : undefined;
  });
}

beforeAll(async () => {
  // Scaling requests the fuzzer gets right stay small; the background loop runs at its default pace.
  t = await startTestService({ env: { POOLKEEPER_MAX_POOL_NODES: '64', POOLKEEPER_RECONCILE_INTERVAL_MS: '250', POOLKEEPER_LOG_LEVEL: 'fatal' } });
  const nodes = await demoNodeNames(t);
  const batch = await t.client.request('POST', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/batch-update`, { nodeNames: nodes.slice(0, 2), action: 'createTags', tags: [{ key: 'seed', value: 'x' }] });
  expect(batch.status).toBe(200);
  const user = await t.client.request('POST', '/_poolkeeper/v1/iam/users', { name: 'fuzz-target', password: 'fuzz-target-password', projects: ['local-1'] });
  expect(user.status).toBe(201);
  const key = await t.client.request<{ accessKey: string }>('POST', '/_poolkeeper/v1/iam/users/fuzz-target/access-keys', {});
  expect(key.status).toBe(201);
  doomedPool = await createPool('doomed', 1);
  canaryPool = await createPool('canary', 2);
  canary = await canarySnapshot(canaryPool);
  hints = {
    path: {
      project_id: [t.projectId],
      pool_name: [t.demoPool],
      node_name: nodes,
      operation_id: [batch.headers.get('x-operation-id')!],
      user_name: ['fuzz-target'],
      project: ['local-1', t.projectId],
      policy_name: ['ModelArtsResourceManagementReadOnlyPolicy', 'ModelArtsResourceManagementAllPolicy', 'custom-policy', `p${'o'.repeat(127)}`],
      access_key: [key.body.accessKey],
    },
    values: { nodeNames: nodes, deleteNodeNames: nodes, nodes, projects: ['local-1'], flavor: ['modelarts.vm.cpu.8ud'], pool: [t.demoPool], key: ['team', '环境'], value: ['a', '测试'] },
    examples: {
      BatchUpdatePoolNodes: [
        { nodeNames: nodes.slice(0, 3), action: 'createTags', tags: [{ key: 'team', value: 'a' }] },
        { nodeNames: nodes.slice(2, 4), action: 'deleteTags', tags: [{ key: 'team', value: '' }] },
        { nodeNames: nodes.slice(0, 1), action: 'openHaRedundant', haRedundantEffect: 'NoExecute' },
        { nodeNames: nodes.slice(0, 2), action: 'closeHaRedundant' },
        { nodeNames: nodes.slice(4, 5), action: 'createTags', tags: [{ key: 'x', value: 'y' }], driver: { version: '2.0.0', updateStrategy: 'force' } },
      ],
      CreatePool: [poolBody('fuzzed', 1)],
      PatchPool: [{ metadata: { labels: { team: 'a' }, annotations: { note: 'b' } } }, { spec: { resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 8 }] } }],
      AttachPolicy: [{ document: { Version: '1.1', Statement: [{ Effect: 'Deny', Action: ['modelarts:pool:delete'] }] } }],
    },
  };
});

afterAll(async () => {
  await t?.stop();
});

it(`answers ${REQUESTS_PER_OPERATION} mutated, signed requests per published operation without a 5xx, a hang or a stray format`, { timeout: 600_000 }, async () => {
  console.log(`[fuzz] seed ${seed}; replay with POOLKEEPER_FUZZ_SEED=${seed}`);
  const doc = await get('/openapi.json');
  expect(doc.status).toBe(200);
  const operations = operationsOf(JSON.parse(doc.text));
  expect(operations.map((op) => op.id)).toContain('BatchUpdatePoolNodes');

  // Interleaved, one round of every operation after another, so no operation only ever sees the end state.
  const perOperation = operations.map((op, i) => {
    const opHints = op.id === 'DeletePool' ? { ...hints, path: { ...hints.path, pool_name: [doomedPool] } } : hints;
    return fc.sample(requestArbitrary(op, opHints), { seed: seed + i, numRuns: REQUESTS_PER_OPERATION });
  });
  const requests = Array.from({ length: REQUESTS_PER_OPERATION }, (_, round) => perOperation.map((batch) => batch[round]!)).flat();
  expect(requests.length).toBeGreaterThanOrEqual(2_000);

  const started = Date.now();
  const statuses = new Map<string, Map<number, number>>();
  const failures: string[] = [];
  // One at a time, so a seed replays the same run.
  for (const [index, request] of requests.entries()) {
    let problem: string | undefined;
    let status = 0;
    try {
      const answer = await send(request);
      status = answer.status;
      problem = problemWith(answer);
    } catch (error) {
      problem = `no answer: ${(error as Error).message}`;
    }
    const counts = statuses.get(request.operation) ?? new Map<number, number>();
    counts.set(status, (counts.get(status) ?? 0) + 1);
    statuses.set(request.operation, counts);
    if (problem) failures.push(`#${index} ${request.method} ${request.target.slice(0, 200)} [${request.contentType}] (${request.mutations.join('; ')}): ${problem}`);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`[fuzz] ${requests.length} requests over ${operations.length} operations in ${seconds.toFixed(1)} s (seed ${seed})`);
  for (const [operation, counts] of statuses) {
    console.log(`[fuzz]   ${operation}: ${[...counts].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  }
  expect(failures.slice(0, 20), `seed ${seed}: ${failures.length} bad answers`).toEqual([]);

  // The fuzzer reached every operation's handler, not only the gate in front of it.
  for (const op of operations) {
    const reached = [...(statuses.get(op.id) ?? new Map<number, number>())].some(([status]) => status !== 401 && status !== 0);
    expect(reached, `${op.id} never got past authentication`).toBe(true);
  }

  expect(await canarySnapshot(canaryPool)).toEqual(canary);
});
