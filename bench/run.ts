/**
 * `npm run bench`: poolkeeper's batch-update figures beside a floor server's (floor-server.ts) measured in the
 * same run, with the ratio, the budget (shared/design.md §6) and PASS/MISS; then the big batches again on
 * PostgreSQL beside a `pg` floor (floor-server-pg.ts) in a fresh database (postgres.ts). See bench/README.md.
 *
 * Every target runs in a child process of its own (one after the other, except the PostgreSQL pair, whose requests
 * are interleaved); the load generator stays here.
 * `--profile` instead runs poolkeeper twice under --cpu-prof (the 1-node load, the 10,000-node requests) and
 * prints the functions with the most self time; `--stages` times poolkeeper's stages (stages.ts) for the same two
 * cases, one request at a time. With `--postgres` those two run poolkeeper on PostgreSQL; `--no-postgres` leaves
 * PostgreSQL out of the default run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import secureJson from 'secure-json-parse';
import { PoolkeeperClient } from '../src/client/client.js';
import { signRequest, type Credentials } from '../src/client/signer.js';
import { checkBatchUpdateRequest } from '../src/domain/batch-update-request.js';
import type { BatchUpdateBody } from '../src/schemas/batch-update.js';
import { parseAuthorization, verifySignature } from '../src/server/auth/signature.js';
import { summarizeProfile } from './cpu-profile.js';
import { createBenchDatabase, postgresAdminUrl, type BenchDatabase } from './postgres.js';
import { measureLatency, measureLatencyInterleaved, measureThroughput, presign, type LatencyResult, type LatencySubject, type ThroughputResult } from './load.js';
import { batchUpdatePath, poolId, type BenchPool, type StartMessage } from './protocol.js';
import { millis, perSecond, ratio, table, verdict, type Row } from './report.js';
import type { StageTotals } from './stages.js';
import { startTarget, type RunningTarget, type TargetOptions } from './target.js';

const CONNECTIONS = 10;
const WARMUP_SECONDS = 2;
const LOAD_SECONDS = 10;
const LATENCY_WARMUPS = 3;
const LATENCY_RUNS = 15;
/** Distinct pre-signed bodies the load cycles through, so consecutive writes change the tag's value. */
const LOAD_BODIES = 16;

const BUDGET = { requestsPerSecond: 5_000, floorShare: 0.7, oneThousandMs: 30, tenThousandMs: 110, postgresFloorRatio: 1.5 };

/** Other work on the machine skews every figure: printed so a reader can judge a run. */
const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(' ');

const PROJECT_ID = randomBytes(16).toString('hex');
const CREDENTIALS: Credentials = { accessKey: 'BENCH' + randomBytes(8).toString('hex').toUpperCase(), secretKey: randomBytes(24).toString('hex') };
/** POOLKEEPER_MASTER_KEY for every poolkeeper target of the run: any 32 bytes, base64. */
const MASTER_KEY = randomBytes(32).toString('base64');
const POOL_1K: BenchPool = { name: 'bench-k', nodes: 1_000 };
const POOL_10K: BenchPool = { name: 'bench-tenk', nodes: 10_000 };

interface Figures {
  load?: ThroughputResult;
  oneThousand?: LatencyResult;
  tenThousand?: LatencyResult;
}

interface PostgresFigures {
  version: string;
  floor: Required<Pick<Figures, 'oneThousand' | 'tenThousand'>>;
  poolkeeper: Required<Pick<Figures, 'oneThousand' | 'tenThousand'>>;
}

function progress(text: string): void {
  process.stderr.write(`… ${text}\n`);
}

function startMessage(role: StartMessage['role'], logLevel = 'warn', stages = false, postgresUrl?: string): StartMessage {
  return { type: 'start', role, projectId: PROJECT_ID, ...CREDENTIALS, logLevel, pools: [POOL_1K, POOL_10K], stages, masterKey: MASTER_KEY, ...(postgresUrl ? { postgresUrl } : {}) };
}

/** A fresh PostgreSQL database for `work`, dropped afterwards whatever happens. */
async function withBenchDatabase<T>(work: (database: BenchDatabase) => Promise<T>): Promise<T> {
  const adminUrl = postgresAdminUrl();
  let database: BenchDatabase;
  try {
    database = await createBenchDatabase(adminUrl);
  } catch (error) {
    throw new Error(
      `cannot create a benchmark database on ${adminUrl} (set BENCH_POSTGRES_URL, or run with --no-postgres): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  progress(`PostgreSQL ${database.version}: database ${database.name} created`);
  try {
    return await work(database);
  } finally {
    await database.drop();
    progress(`PostgreSQL: database ${database.name} dropped`);
  }
}

/** Creates the pools through poolkeeper's API and lists their node names page by page. */
async function seedPoolkeeper(url: string, pools: BenchPool[]): Promise<Record<string, string[]>> {
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
    const id = poolId(pool, PROJECT_ID);
    const list: string[] = [];
    let next: string | undefined;
    for (let page = 0; page <= Math.ceil(pool.nodes / 500); page++) {
      const query = `limit=500${next ? `&continue=${encodeURIComponent(next)}` : ''}`;
      const answer = await client.request<{ metadata: { continue?: string }; items: { metadata: { name: string } }[] }>(
        'GET',
        `/v2/${PROJECT_ID}/pools/${id}/nodes?${query}`,
      );
      if (answer.status !== 200) throw new Error(`ListPoolNodes ${id}: HTTP ${answer.status}`);
      for (const item of answer.body.items) list.push(item.metadata.name);
      next = answer.body.metadata.continue;
      if (!next) break;
    }
    if (list.length !== pool.nodes) throw new Error(`pool ${id} lists ${list.length} nodes, expected ${pool.nodes}`);
    names[id] = list;
  }
  return names;
}

function tagBody(nodeNames: string[], key: string, value: string): string {
  return JSON.stringify({ nodeNames, action: 'createTags', tags: [{ key, value }] });
}

function expectAllUpdated(count: number) {
  return (status: number, text: string) => {
    if (status !== 200) throw new Error(`batch-update answered HTTP ${status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { successNodeNames: string[]; failNodeNames: string[] };
    if (body.successNodeNames.length !== count || body.failNodeNames.length !== 0) {
      throw new Error(`batch-update updated ${body.successNodeNames.length} of ${count} nodes (${body.failNodeNames.length} failed)`);
    }
  };
}

/** The 1-node load: one node of the 1,000-node pool, 10 connections, pre-signed requests. */
async function measureLoad(
  target: RunningTarget,
  nodeNames: Record<string, string[]>,
  load: { connections: number; warmupSeconds: number; seconds: number; afterWarmup?: () => Promise<unknown> } = {
    connections: CONNECTIONS,
    warmupSeconds: WARMUP_SECONDS,
    seconds: LOAD_SECONDS,
  },
): Promise<ThroughputResult> {
  const id = poolId(POOL_1K, PROJECT_ID);
  const node = nodeNames[id]![0]!;
  const path = batchUpdatePath(PROJECT_ID, id);
  const calls = Array.from({ length: LOAD_BODIES }, (_, i) => ({ method: 'POST' as const, path, body: tagBody([node], 'bench-load', `v${i}`) }));
  const requests = presign(target.url, calls, CREDENTIALS, new Date());
  // One request by hand first: the pre-signed headers must be accepted and the node really updated.
  const first = requests[0]!;
  const answer = await fetch(new URL(first.path, target.url), { method: first.method, headers: first.headers, body: first.body, signal: AbortSignal.timeout(10_000) });
  expectAllUpdated(1)(answer.status, await answer.text());
  return measureThroughput(target.url, requests, load);
}

/** A batch-update naming every node of `pool` on `target`, with a fresh tag value each run. */
function bigBatch(target: RunningTarget, nodeNames: Record<string, string[]>, pool: BenchPool): LatencySubject {
  const id = poolId(pool, PROJECT_ID);
  const names = nodeNames[id]!;
  return {
    baseUrl: target.url,
    path: batchUpdatePath(PROJECT_ID, id),
    bodyFor: (run) => tagBody(names, 'bench-batch', `run-${run}-${Date.now()}`),
    check: expectAllUpdated(names.length),
  };
}

async function measureBigBatch(
  target: RunningTarget,
  nodeNames: Record<string, string[]>,
  pool: BenchPool,
  counts: { warmups: number; runs: number; afterWarmup?: () => Promise<unknown> } = { warmups: LATENCY_WARMUPS, runs: LATENCY_RUNS },
): Promise<LatencyResult> {
  return measureLatency(bigBatch(target, nodeNames, pool), CREDENTIALS, counts);
}

async function withTarget<T>(start: StartMessage, options: TargetOptions, work: (target: RunningTarget) => Promise<T>): Promise<T> {
  const target = await startTarget(start, options);
  try {
    return await work(target);
  } finally {
    await target.stop();
  }
}

async function measureFloor(): Promise<Figures> {
  progress('floor: seeding 1,000 + 10,000 nodes');
  return withTarget(startMessage('floor'), {}, async (target) => {
    progress(`floor: 1-node load, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${LOAD_SECONDS} s`);
    const load = await measureLoad(target, target.nodeNames);
    progress(`floor: ${LATENCY_WARMUPS} + ${LATENCY_RUNS} batch-updates of 1,000 and of 10,000 nodes`);
    const oneThousand = await measureBigBatch(target, target.nodeNames, POOL_1K);
    const tenThousand = await measureBigBatch(target, target.nodeNames, POOL_10K);
    return { load, oneThousand, tenThousand };
  });
}

async function measurePoolkeeper(): Promise<Figures> {
  progress('poolkeeper (log level warn): creating pools of 1,000 and 10,000 nodes');
  return withTarget(startMessage('poolkeeper'), {}, async (target) => {
    const nodeNames = await seedPoolkeeper(target.url, [POOL_1K, POOL_10K]);
    progress(`poolkeeper: 1-node load, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${LOAD_SECONDS} s`);
    const load = await measureLoad(target, nodeNames);
    progress(`poolkeeper: ${LATENCY_WARMUPS} + ${LATENCY_RUNS} batch-updates of 1,000 and of 10,000 nodes`);
    const oneThousand = await measureBigBatch(target, nodeNames, POOL_1K);
    const tenThousand = await measureBigBatch(target, nodeNames, POOL_10K);
    return { load, oneThousand, tenThousand };
  });
}

/**
 * The big batches on PostgreSQL, in one fresh database: the `pg` floor and poolkeeper both running, their requests
 * interleaved (measureLatencyInterleaved), because PostgreSQL's time for the same batch drifts by a third within a run.
 */
async function measurePostgres(database: BenchDatabase): Promise<PostgresFigures> {
  progress('PostgreSQL floor: seeding 1,000 + 10,000 nodes');
  return withTarget(startMessage('floor', 'warn', false, database.url), {}, async (floor) => {
    progress('poolkeeper on PostgreSQL (log level warn): creating pools of 1,000 and 10,000 nodes');
    return withTarget(startMessage('poolkeeper', 'warn', false, database.url), {}, async (poolkeeper) => {
      const nodeNames = await seedPoolkeeper(poolkeeper.url, [POOL_1K, POOL_10K]);
      await database.settle();
      progress(`PostgreSQL: ${LATENCY_WARMUPS} + ${LATENCY_RUNS} batch-updates of 1,000 and of 10,000 nodes on each, floor and poolkeeper in turn`);
      const counts = { warmups: LATENCY_WARMUPS, runs: LATENCY_RUNS };
      const [floor1k, poolkeeper1k] = await measureLatencyInterleaved([bigBatch(floor, floor.nodeNames, POOL_1K), bigBatch(poolkeeper, nodeNames, POOL_1K)], CREDENTIALS, counts);
      const [floor10k, poolkeeper10k] = await measureLatencyInterleaved([bigBatch(floor, floor.nodeNames, POOL_10K), bigBatch(poolkeeper, nodeNames, POOL_10K)], CREDENTIALS, counts);
      return {
        version: database.version,
        floor: { oneThousand: floor1k!, tenThousand: floor10k! },
        poolkeeper: { oneThousand: poolkeeper1k!, tenThousand: poolkeeper10k! },
      };
    });
  });
}

async function measurePoolkeeperInfoLogging(): Promise<ThroughputResult> {
  progress('poolkeeper (log level info, stdout to /dev/null): 1-node load');
  return withTarget(startMessage('poolkeeper', 'info'), { discardStdout: true }, async (target) => {
    const nodeNames = await seedPoolkeeper(target.url, [POOL_1K]);
    return measureLoad(target, nodeNames);
  });
}

interface SqliteFigures {
  floor: Figures;
  poolkeeper: Figures;
  info: ThroughputResult;
}

function sqliteRows({ floor, poolkeeper: pk, info }: SqliteFigures): Row[] {
  const fl = floor.load!;
  const pl = pk.load!;
  const loadPass = (r: ThroughputResult) => r.requestsPerSecond >= BUDGET.requestsPerSecond && r.requestsPerSecond >= BUDGET.floorShare * fl.requestsPerSecond && r.non2xx === 0;
  const loadBudget = `≥ ${BUDGET.requestsPerSecond.toLocaleString('en-US')}/s and ≥ ${BUDGET.floorShare}× floor`;
  const counts = (r: ThroughputResult) => `${r.non2xx} / ${r.errors} / ${r.timeouts}`;
  const rows: Row[] = [
    [`signed batch-update, 1 node, ${CONNECTIONS} conns, SQLite`, perSecond(fl.requestsPerSecond), perSecond(pl.requestsPerSecond), ratio(pl.requestsPerSecond / fl.requestsPerSecond), loadBudget, verdict(loadPass(pl))],
    ['  p50 latency', millis(fl.p50Ms), millis(pl.p50Ms), ratio(pl.p50Ms / fl.p50Ms), '', ''],
    ['  p99 latency', millis(fl.p99Ms), millis(pl.p99Ms), ratio(pl.p99Ms / fl.p99Ms), '', ''],
    ['  requests counted', fl.total.toLocaleString('en-US'), pl.total.toLocaleString('en-US'), '', '', ''],
    ['  non-2xx / errors / timeouts', counts(fl), counts(pl), '', '= 0', verdict(pl.non2xx + pl.errors + pl.timeouts === 0 && fl.non2xx + fl.errors + fl.timeouts === 0)],
    ['  same, poolkeeper logging at info → /dev/null', perSecond(fl.requestsPerSecond), perSecond(info.requestsPerSecond), ratio(info.requestsPerSecond / fl.requestsPerSecond), loadBudget, verdict(loadPass(info))],
    ['    p50 / p99 latency at info', '', `${millis(info.p50Ms)} / ${millis(info.p99Ms)}`, '', '', ''],
    ['    non-2xx / errors / timeouts at info', '', counts(info), '', '= 0', verdict(info.non2xx + info.errors + info.timeouts === 0)],
    [`one batch-update of 1,000 nodes (median of ${LATENCY_RUNS})`, millis(floor.oneThousand!.medianMs), millis(pk.oneThousand!.medianMs), ratio(pk.oneThousand!.medianMs / floor.oneThousand!.medianMs), `≤ ${BUDGET.oneThousandMs} ms`, verdict(pk.oneThousand!.medianMs <= BUDGET.oneThousandMs)],
    ['  min – max', `${millis(floor.oneThousand!.minMs)} – ${millis(floor.oneThousand!.maxMs)}`, `${millis(pk.oneThousand!.minMs)} – ${millis(pk.oneThousand!.maxMs)}`, '', '', ''],
    [`one batch-update of 10,000 nodes (median of ${LATENCY_RUNS})`, millis(floor.tenThousand!.medianMs), millis(pk.tenThousand!.medianMs), ratio(pk.tenThousand!.medianMs / floor.tenThousand!.medianMs), `≤ ${BUDGET.tenThousandMs} ms`, verdict(pk.tenThousand!.medianMs <= BUDGET.tenThousandMs)],
    ['  min – max', `${millis(floor.tenThousand!.minMs)} – ${millis(floor.tenThousand!.maxMs)}`, `${millis(pk.tenThousand!.minMs)} – ${millis(pk.tenThousand!.maxMs)}`, '', '', ''],
  ];
  return rows;
}

function report(sqlite: SqliteFigures | undefined, postgres: PostgresFigures | undefined): string {
  const rows = sqlite ? sqliteRows(sqlite) : [];
  if (postgres) {
    const budget = `≤ ${BUDGET.postgresFloorRatio}× floor`;
    for (const [label, fl, pl] of [
      ['1,000', postgres.floor.oneThousand, postgres.poolkeeper.oneThousand],
      ['10,000', postgres.floor.tenThousand, postgres.poolkeeper.tenThousand],
    ] as const) {
      const r = pl.medianMs / fl.medianMs;
      rows.push(
        [`one batch-update of ${label} nodes, PostgreSQL (median of ${LATENCY_RUNS})`, millis(fl.medianMs), millis(pl.medianMs), ratio(r), budget, verdict(r <= BUDGET.postgresFloorRatio)],
        ['  min – max', `${millis(fl.minMs)} – ${millis(fl.maxMs)}`, `${millis(pl.minMs)} – ${millis(pl.maxMs)}`, '', '', ''],
      );
    }
  }
  return table(['figure', 'floor', 'poolkeeper', 'ratio', 'budget', 'result'], rows);
}

function machine(postgres: PostgresFigures | undefined): string {
  const cores = cpus();
  return [
    'rerun      : npm run bench   (npm run build && node dist/bench/run.js)',
    `node       : ${process.version} (${process.platform}/${process.arch})`,
    `cpu        : ${cores[0]?.model ?? 'unknown'} × ${cores.length} cores; load average ${loadAtStart} at start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end`,
    `method     : each server in its own child process, one after the other; load from this process. Load: autocannon,`,
    `             ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${LOAD_SECONDS} s, ${LOAD_BODIES} pre-signed createTags bodies in turn;`,
    `             big batches: fetch, sequential, freshly signed, ${LATENCY_WARMUPS} warm-ups + ${LATENCY_RUNS} runs, fresh tag value each.`,
    postgres
      ? `postgresql : ${postgres.version} at ${new URL(postgresAdminUrl()).host}, a fresh database for the run (dropped at the end); the floor's tables in a schema of its own,`
      : 'postgresql : left out (--no-postgres)',
    ...(postgres
      ? [
          '             dropped at its end; both servers running side by side, VACUUM (ANALYZE) + CHECKPOINT once before the runs; 10 pooled',
          '             connections each; the big batches as on SQLite, but interleaved: each round one request to each server, the first alternating.',
        ]
      : []),
    '             Ratio = poolkeeper / floor (for req/s higher is better; for times lower is better).',
  ].join('\n');
}

/** `--postgres` with --profile or --stages: poolkeeper runs on a fresh PostgreSQL database instead of SQLite. */
function onChosenDatabase(work: (database: BenchDatabase | undefined) => Promise<void>): Promise<void> {
  return process.argv.includes('--postgres') ? withBenchDatabase(work) : work(undefined);
}

async function profile(database: BenchDatabase | undefined): Promise<void> {
  const postgresUrl = database?.url;
  const keepIn = process.env.BENCH_PROFILE_DIR;
  const dir = keepIn ?? mkdtempSync(join(tmpdir(), 'poolkeeper-bench-prof-'));
  try {
    for (const [name, work] of [
      ['1-node load', async (target: RunningTarget) => void (await measureLoad(target, await seedPoolkeeper(target.url, [POOL_1K])))],
      [
        '10,000-node batch-updates',
        async (target: RunningTarget) => void (await measureBigBatch(target, await seedPoolkeeper(target.url, [POOL_10K]), POOL_10K)),
      ],
    ] as const) {
      const profileDir = join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
      progress(`poolkeeper under --cpu-prof: ${name}`);
      await withTarget(startMessage('poolkeeper', 'warn', false, postgresUrl), { execArgv: ['--cpu-prof', '--cpu-prof-dir', profileDir] }, work);
      const [file] = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no CPU profile was written for ${name}`);
      process.stdout.write(`\npoolkeeper server process${postgresUrl ? ' on PostgreSQL' : ''}, ${name} (whole process lifetime, incl. start and pool creation):\n`);
      process.stdout.write(`${summarizeProfile(join(profileDir, file), 25)}\n`);
    }
  } finally {
    if (keepIn) process.stdout.write(`\nprofiles kept in ${keepIn} (open them in Chrome DevTools)\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function stageTable(totals: StageTotals, clientMs: number): string {
  const perRequest = Math.max(1, totals.requests);
  const http = Object.entries(totals.stages).find(([name]) => name.startsWith('http:'))?.[1][1] ?? 0;
  const rows = Object.entries(totals.stages)
    .sort((a, b) => b[1][1] - a[1][1])
    .filter(([, [, ms]], i) => i < 12 || (http > 0 && ms / http >= 0.005))
    .slice(0, 30)
    .map(([name, [calls, ms]]) => {
      const share = http > 0 ? `${((100 * ms) / http).toFixed(1)}%` : '';
      return `  ${(ms / perRequest).toFixed(3).padStart(9)} ms  ${share.padStart(6)}  ${(calls / perRequest).toFixed(1).padStart(5)}×  ${name}`;
    });
  return [
    `  ${totals.requests} requests; client-side median ${millis(clientMs)}. Per request: wall ms, share of the server's request time, calls`,
    '  (nested stages overlap: store.changes.apply contains its SQL, the planner callback and the detail reads):',
    ...rows,
  ].join('\n');
}

/** The same pure steps the server runs on a 10,000-name body, timed here one by one (median of 15). */
function pureSteps(names: string[]): string {
  const body = tagBody(names, 'bench-batch', 'pure-steps');
  const raw = Buffer.from(body);
  const url = new URL(batchUpdatePath(PROJECT_ID, poolId(POOL_10K, PROJECT_ID)), 'http://127.0.0.1:9');
  const headers = signRequest({ method: 'POST', url, headers: { 'Content-Type': 'application/json' }, body }, CREDENTIALS);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const parsed = JSON.parse(body) as BatchUpdateBody;
  const steps: [string, () => unknown][] = [
    ['verifySignature (sha256 of the body + HMAC)', () => verifySignature({ method: 'POST', url: url.pathname, headers: lower, body: raw }, parseAuthorization(lower['authorization']!), CREDENTIALS.secretKey, Date.now())],
    ['secure-json-parse of the body', () => secureJson.parse(raw, undefined, { protoAction: 'error', constructorAction: 'error' })],
    ['JSON.parse of the body', () => JSON.parse(raw.toString('utf8'))],
    ['checkBatchUpdateRequest (names, tags)', () => checkBatchUpdateRequest(parsed)],
    ['JSON.stringify of the node-name list (answer, json_each parameter)', () => JSON.stringify(names)],
  ];
  const lines = [`  ${raw.length.toLocaleString('en-US')}-byte body of ${names.length.toLocaleString('en-US')} names, median of 15 after 3 warm-ups:`];
  for (const [name, step] of steps) {
    const times: number[] = [];
    for (let i = 0; i < 18; i++) {
      const started = performance.now();
      step();
      if (i >= 3) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    lines.push(`  ${times[7]!.toFixed(3).padStart(9)} ms  ${name}`);
  }
  return lines.join('\n');
}

async function stages(database: BenchDatabase | undefined): Promise<void> {
  const postgresUrl = database?.url;
  const on = postgresUrl ? ' on PostgreSQL' : '';
  if (postgresUrl) {
    // The PostgreSQL floor first, for comparison: the same 10,000-node requests, its queries timed the same way.
    progress('PostgreSQL floor with stage timers: seeding 1,000 + 10,000 nodes; 10,000-node batch-updates: 2 warm-ups + 5');
    await withTarget(startMessage('floor', 'warn', true, postgresUrl), {}, async (target) => {
      await database!.settle();
      const big = await measureBigBatch(target, target.nodeNames, POOL_10K, { warmups: 2, runs: 5, afterWarmup: () => target.stages(true) });
      process.stdout.write(`\nPostgreSQL floor stages, 10,000-node batch-update:\n${stageTable(await target.stages(true), big.medianMs)}\n`);
    });
  }
  progress(`poolkeeper${on} with stage timers: creating pools of 1,000 and 10,000 nodes`);
  await withTarget(startMessage('poolkeeper', 'warn', true, postgresUrl), {}, async (target) => {
    const nodeNames = await seedPoolkeeper(target.url, [POOL_1K, POOL_10K]);
    await database?.settle();
    progress('1-node batch-updates, 1 connection, 1 s warm-up + 3 s');
    const load = await measureLoad(target, nodeNames, { connections: 1, warmupSeconds: 1, seconds: 3, afterWarmup: () => target.stages(true) });
    process.stdout.write(`\npoolkeeper stages${on}, 1-node batch-update, one request at a time (${perSecond(load.requestsPerSecond)}):\n`);
    process.stdout.write(`${stageTable(await target.stages(true), load.p50Ms)}\n`);
    progress('10,000-node batch-updates: 2 warm-ups + 5');
    const big = await measureBigBatch(target, nodeNames, POOL_10K, { warmups: 2, runs: 5, afterWarmup: () => target.stages(true) });
    process.stdout.write(`\npoolkeeper stages${on}, 10,000-node batch-update:\n${stageTable(await target.stages(true), big.medianMs)}\n`);
    process.stdout.write(`\nthe server's pure steps, timed in the benchmark process:\n${pureSteps(nodeNames[poolId(POOL_10K, PROJECT_ID)]!)}\n`);
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--profile')) return onChosenDatabase(profile);
  if (process.argv.includes('--stages')) return onChosenDatabase(stages);
  const started = Date.now();
  // `--postgres` alone: only the PostgreSQL rows; `--no-postgres`: only the SQLite ones.
  const withSqlite = !process.argv.includes('--postgres');
  const withPostgres = !process.argv.includes('--no-postgres');
  const measure = async (database: BenchDatabase | undefined) => {
    const sqlite = withSqlite
      ? { floor: await measureFloor(), poolkeeper: await measurePoolkeeper(), info: await measurePoolkeeperInfoLogging() }
      : undefined;
    return { sqlite, postgres: database ? await measurePostgres(database) : undefined };
  };
  // The database is created first, so a missing PostgreSQL server stops the run before the SQLite part, not after.
  const { sqlite, postgres } = withPostgres ? await withBenchDatabase(measure) : await measure(undefined);
  const engines = [sqlite ? 'SQLite' : '', postgres ? 'PostgreSQL' : ''].filter(Boolean).join(' and ');
  process.stdout.write(`\npoolkeeper benchmark — BatchUpdatePoolNodes (createTags) on ${engines}, floor measured in the same run\n\n`);
  process.stdout.write(`${report(sqlite, postgres)}\n\n${machine(postgres)}\n`);
  process.stdout.write(`total time : ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
