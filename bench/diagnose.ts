/**
 * The diagnosis modes of `node dist/bench/run.js`: `--profile` runs poolkeeper twice under --cpu-prof (the 1-node
 * load, the 10,000-node requests) and prints the functions with the most self time (`--info`: at log level info,
 * stdout to /dev/null); `--profile --reads` profiles each read load row on poolkeeper and on its read floor, per
 * request; `--stages` times poolkeeper's stages (stages.ts) for the same two cases, one request at a time. With
 * `--postgres` both run poolkeeper on a fresh PostgreSQL database.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import secureJson from 'secure-json-parse';
import { signRequest } from '../src/client/signer.js';
import { checkBatchUpdateRequest } from '../src/domain/batch-update-request.js';
import type { BatchUpdateBody } from '../src/schemas/batch-update.js';
import { parseAuthorization, verifySignature } from '../src/server/auth/signature.js';
import { CREDENTIALS, expectAllUpdated, oneNodeCalls, POOL_10K, POOL_1K, POOLS, progress, PROJECT_ID, seedPoolkeeper, startMessage, tagBody } from './api.js';
import { summarizeProfile, type ProfileWindow } from './cpu-profile.js';
import { interleave, measureThroughput, presign, sendSigned, type ThroughputResult } from './load.js';
import type { BenchDatabase } from './postgres.js';
import { batchUpdatePath, poolId, type BenchPool } from './protocol.js';
import { pickRows, READ_ROWS, ROWS, type LoadRow, type Row, type Side } from './rows.js';
import { millis, perSecond } from './report.js';
import { median } from './stats.js';
import type { StageTotals } from './stages.js';
import { startTarget, type RunningTarget, type TargetOptions } from './target.js';

async function withTarget<T>(start: Parameters<typeof startTarget>[0], options: TargetOptions, work: (target: RunningTarget) => Promise<T>): Promise<T> {
  const target = await startTarget(start, options);
  try {
    return await work(target);
  } finally {
    await target.stop();
  }
}

/** The 1-node load on one target (the first answer checked by hand), with a warm-up. */
async function measureLoad(
  target: RunningTarget,
  nodeNames: Record<string, string[]>,
  load: { connections: number; warmupSeconds: number; seconds: number; afterWarmup?: () => Promise<unknown> } = { connections: 10, warmupSeconds: 2, seconds: 10 },
): Promise<ThroughputResult> {
  const calls = oneNodeCalls(nodeNames);
  const first = await sendSigned(target.url, 'POST', calls[0]!.path, CREDENTIALS, calls[0]!.body);
  expectAllUpdated(1)(first.status, first.text);
  return measureThroughput(target.url, presign(target.url, calls, CREDENTIALS, new Date()), load);
}

/** Sequential batch-updates naming every node of `pool`; the median time (ms). */
async function measureBigBatch(
  target: RunningTarget,
  nodeNames: Record<string, string[]>,
  pool: BenchPool,
  counts: { warmups: number; runs: number; afterWarmup?: () => Promise<unknown> } = { warmups: 3, runs: 15 },
): Promise<number> {
  const id = poolId(pool, PROJECT_ID);
  const names = nodeNames[id]!;
  const [samples] = await interleave(
    [
      {
        run: async (round) => {
          const answer = await sendSigned(target.url, 'POST', batchUpdatePath(PROJECT_ID, id), CREDENTIALS, tagBody(names, 'bench-batch', `run-${round}-${Date.now()}`));
          expectAllUpdated(names.length)(answer.status, answer.text);
          return answer.ms;
        },
      },
    ],
    counts,
  );
  return median(samples!.ms);
}

const PROFILED_LOAD = { connections: 10, warmupSeconds: 2, seconds: 6 };

/** A load row's measured seconds on one server: when (process.hrtime µs, the profile's clock) and how many answers. */
interface LoadWindow {
  label: string;
  server: 'floor' | 'poolkeeper';
  window: ProfileWindow;
  requestsPerSecond: number;
}

/** One load row on one server: the first answer checked, a warm-up, then the measured seconds. */
async function loadWindow(row: LoadRow, server: LoadWindow['server'], target: RunningTarget, side: Side): Promise<LoadWindow> {
  const calls = row.calls(side);
  const first = await sendSigned(target.url, calls[0]!.method, calls[0]!.path, CREDENTIALS, calls[0]!.body);
  row.check(first.status, first.text);
  let fromMicros = 0;
  const load = await measureThroughput(target.url, presign(target.url, calls, CREDENTIALS, new Date()), {
    ...PROFILED_LOAD,
    afterWarmup: async () => (fromMicros = Number(process.hrtime.bigint() / 1000n)),
  });
  const window = { fromMicros, toMicros: Number(process.hrtime.bigint() / 1000n), requests: load.total };
  return { label: row.label, server, window, requestsPerSecond: load.requestsPerSecond };
}

function profileIn(dir: string): string {
  const [file] = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no CPU profile was written in ${dir}`);
  return join(dir, file);
}

/**
 * poolkeeper and its floor (which also reads poolkeeper's database), both under --cpu-prof, and each load row of
 * `rows` (or those `--rows` picks) on the floor, then on poolkeeper: 10 connections, 2 s warm-up + 6 s. Each row's
 * measured seconds are summarised on their own, per request, so a call's time can be put beside its floor's.
 */
async function profileBeside(rows: LoadRow[], dir: string, logLevel: string, database: BenchDatabase | undefined): Promise<void> {
  const postgresUrl = database?.url;
  const cpuProf = (server: LoadWindow['server']) => ({ execArgv: ['--cpu-prof', '--cpu-prof-dir', join(dir, server)], discardStdout: true });
  const windows: LoadWindow[] = [];
  progress(`poolkeeper${postgresUrl ? ' on PostgreSQL' : ''} and its floor under --cpu-prof: ${rows.map((row) => row.label).join('; ')}`);
  await withTarget(startMessage('poolkeeper', { logLevel, postgresUrl }), cpuProf('poolkeeper'), async (poolkeeper) => {
    const names = await seedPoolkeeper(poolkeeper.url, POOLS);
    await withTarget(startMessage('floor', { postgresUrl, readFrom: poolkeeper.database }), cpuProf('floor'), async (floor) => {
      await database?.settle();
      for (const row of rows) {
        windows.push(await loadWindow(row, 'floor', floor, { role: 'floor', nodeNames: floor.nodeNames, readNames: names }));
        windows.push(await loadWindow(row, 'poolkeeper', poolkeeper, { role: 'poolkeeper', nodeNames: names, readNames: names }));
      }
    });
  });
  const files = { floor: profileIn(join(dir, 'floor')), poolkeeper: profileIn(join(dir, 'poolkeeper')) };
  for (const { label, server, window, requestsPerSecond } of windows) {
    process.stdout.write(`\n${label}, ${server} (${perSecond(requestsPerSecond)}), its ${PROFILED_LOAD.seconds} s after the warm-up:\n`);
    process.stdout.write(`${summarizeProfile(files[server], 15, window)}\n`);
  }
}

/** The load rows `--rows` picks of `rows` (all of them without it). */
function loadRows(rows: Row[], mode: string): LoadRow[] {
  const picked = pickRows(rows).filter((row): row is LoadRow => row.kind === 'load');
  if (picked.length === 0) throw new Error(`${mode} profiles load rows; --rows picked none of them`);
  return picked;
}

/** `--profile`: the 1-node load beside the floor, per request; then poolkeeper alone under the 10,000-node batch-updates, the whole profile. */
async function profileWrites(dir: string, logLevel: string, database: BenchDatabase | undefined): Promise<void> {
  await profileBeside(loadRows(ROWS, '--profile'), join(dir, '1-node-load'), logLevel, database);
  const cases: ReadonlyArray<readonly [string, (target: RunningTarget) => Promise<void>]> = [
    [
      '10,000-node batch-updates',
      async (target: RunningTarget) => void (await measureBigBatch(target, await seedPoolkeeper(target.url, [POOL_10K]), POOL_10K)),
    ],
  ];
  const postgresUrl = database?.url;
  for (const [name, work] of cases) {
    const profileDir = join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
    progress(`poolkeeper under --cpu-prof: ${name}`);
    await withTarget(startMessage('poolkeeper', { logLevel, postgresUrl }), { execArgv: ['--cpu-prof', '--cpu-prof-dir', profileDir], discardStdout: true }, work);
    process.stdout.write(`\npoolkeeper server process${postgresUrl ? ' on PostgreSQL' : ''}, ${name} (whole process lifetime, incl. start and pool creation):\n`);
    process.stdout.write(`${summarizeProfile(profileIn(profileDir), 25)}\n`);
  }
}

export async function profile(database: BenchDatabase | undefined): Promise<void> {
  const keepIn = process.env.BENCH_PROFILE_DIR;
  const logLevel = process.argv.includes('--info') ? 'info' : 'warn';
  const dir = keepIn ?? mkdtempSync(join(tmpdir(), 'poolkeeper-bench-prof-'));
  try {
    if (process.argv.includes('--reads')) await profileBeside(loadRows(READ_ROWS, '--profile --reads'), dir, logLevel, database);
    else await profileWrites(dir, logLevel, database);
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

export async function stages(database: BenchDatabase | undefined): Promise<void> {
  const postgresUrl = database?.url;
  const on = postgresUrl ? ' on PostgreSQL' : '';
  if (postgresUrl) {
    // The PostgreSQL floor first, for comparison: the same 10,000-node requests, its queries timed the same way.
    progress('PostgreSQL floor with stage timers: seeding 1,000 + 10,000 nodes; 10,000-node batch-updates: 2 warm-ups + 5');
    await withTarget(startMessage('floor', { stages: true, postgresUrl }), {}, async (target) => {
      await database!.settle();
      const big = await measureBigBatch(target, target.nodeNames, POOL_10K, { warmups: 2, runs: 5, afterWarmup: () => target.stages(true) });
      process.stdout.write(`\nPostgreSQL floor stages, 10,000-node batch-update:\n${stageTable(await target.stages(true), big)}\n`);
    });
  }
  progress(`poolkeeper${on} with stage timers: creating pools of 1,000 and 10,000 nodes`);
  await withTarget(startMessage('poolkeeper', { stages: true, postgresUrl }), {}, async (target) => {
    const nodeNames = await seedPoolkeeper(target.url, [POOL_1K, POOL_10K]);
    await database?.settle();
    progress('1-node batch-updates, 1 connection, 1 s warm-up + 3 s');
    const load = await measureLoad(target, nodeNames, { connections: 1, warmupSeconds: 1, seconds: 3, afterWarmup: () => target.stages(true) });
    process.stdout.write(`\npoolkeeper stages${on}, 1-node batch-update, one request at a time (${perSecond(load.requestsPerSecond)}):\n`);
    process.stdout.write(`${stageTable(await target.stages(true), load.p50Ms)}\n`);
    progress('10,000-node batch-updates: 2 warm-ups + 5');
    const big = await measureBigBatch(target, nodeNames, POOL_10K, { warmups: 2, runs: 5, afterWarmup: () => target.stages(true) });
    process.stdout.write(`\npoolkeeper stages${on}, 10,000-node batch-update:\n${stageTable(await target.stages(true), big)}\n`);
    process.stdout.write(`\nthe server's pure steps, timed in the benchmark process:\n${pureSteps(nodeNames[poolId(POOL_10K, PROJECT_ID)]!)}\n`);
  });
}

