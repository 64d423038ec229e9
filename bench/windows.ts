/**
 * Throughput in alternating windows: every subject (the floor, then one or more poolkeeper configurations) keeps
 * running, and the load goes to one of them at a time, in short windows, round after round (A B, B A, A B ..., or
 * A B C, C B A, ...). Whatever else the machine does lands on both sides of a round alike, so the ratio of a round's
 * windows holds still while the absolute figures move. Around every window the server's CPU time is read in its own process
 * (process.cpuUsage over IPC), so CPU per request is the server's work alone, whatever waited for a core.
 */
import { backendMicros, type BackendMeter } from './pg-backends.js';
import { ResponseTimes, runAutocannon, type AutocannonRequest } from './load.js';
import type { RunningTarget } from './target.js';

/** Part of a subject's load: pre-signed requests for one server, on that many connections. */
export interface LoadPart {
  target: RunningTarget;
  requests: AutocannonRequest[];
  connections: number;
}

/** What one window measures: a floor, a poolkeeper, or several poolkeeper replicas loaded together. */
export interface LoadSubject {
  label: string;
  parts: LoadPart[];
}

export interface Window {
  requests: number;
  requestsPerSecond: number;
  /** The loaded servers' CPU time (µs, all their threads) ÷ requests; NaN when none was answered (a stalled database). */
  serverMicrosPerRequest: number;
  /** The load generator's (this process's) CPU time ÷ requests. */
  loadMicrosPerRequest: number;
  /** The PostgreSQL backends' CPU time ÷ requests, when measurable. */
  databaseMicrosPerRequest?: number;
  p50Ms: number;
  p99Ms: number;
  /** The loaded servers' longest event-loop delay in the window (ms); NaN from a build that does not report it. */
  eventLoopDelayMaxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface AlternatingOptions {
  rounds: number;
  windowSeconds: number;
  /** One unmeasured window per subject first (JIT, caches, connections). */
  warmupSeconds: number;
  database?: BackendMeter | undefined;
}

async function loadWindow(subject: LoadSubject, seconds: number, database: BackendMeter | undefined): Promise<Window> {
  const times = new ResponseTimes();
  const serverBefore = await Promise.all(subject.parts.map((part) => part.target.usage()));
  const databaseBefore = await database?.snapshot();
  const loadBefore = process.cpuUsage();
  const runs = await Promise.all(subject.parts.map((part) => runAutocannon(part.target.url, part.requests, part.connections, seconds, times)));
  const load = process.cpuUsage(loadBefore);
  const databaseAfter = await database?.snapshot();
  const serverAfter = await Promise.all(subject.parts.map((part) => part.target.usage()));
  const requests = runs.reduce((sum, run) => sum + run.total, 0);
  const serverMicros = serverAfter.reduce((sum, usage, i) => sum + usage.cpuMicros - serverBefore[i]!.cpuMicros, 0);
  const [p50Ms, p99Ms] = times.percentiles(50, 99);
  const perRequest = (micros: number) => (requests > 0 ? micros / requests : Number.NaN);
  return {
    requests,
    requestsPerSecond: requests / Math.max(...runs.map((run) => run.seconds)),
    serverMicrosPerRequest: perRequest(serverMicros),
    loadMicrosPerRequest: perRequest(load.user + load.system),
    ...(databaseBefore && databaseAfter ? { databaseMicrosPerRequest: perRequest(backendMicros(databaseBefore, databaseAfter)) } : {}),
    p50Ms: p50Ms!,
    p99Ms: p99Ms!,
    eventLoopDelayMaxMs: Math.max(...serverAfter.map((usage) => usage.eventLoopDelayMaxMs ?? Number.NaN)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    timeouts: runs.reduce((sum, run) => sum + run.timeouts, 0),
  };
}

/** Each subject's windows, in round order: result[subject][round]. */
export async function alternate(subjects: LoadSubject[], options: AlternatingOptions): Promise<Window[][]> {
  for (const subject of subjects) await loadWindow(subject, options.warmupSeconds, undefined);
  const windows: Window[][] = subjects.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    // A B C, then C B A: a drift during a round weighs on the floor's side and poolkeeper's alike over two rounds.
    const order = [...subjects.keys()];
    if (round % 2 === 1) order.reverse();
    for (const i of order) windows[i]![round] = await loadWindow(subjects[i]!, options.windowSeconds, options.database);
  }
  return windows;
}
