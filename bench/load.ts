/**
 * Load generation: autocannon for throughput, one request after another for sequences (big batches, paging). Both
 * run in the benchmark's parent process; the servers run in child processes (server-process.ts).
 */
import { createRequire } from 'node:module';
import { signRequest, type Credentials } from '../src/client/signer.js';

/** The slice of autocannon's (untyped) programmatic API we use. */
export interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  timeout: number;
  requests: AutocannonRequest[];
}
interface AutocannonResult {
  requests: { total: number; sent: number; average: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}
type Autocannon = (options: AutocannonOptions) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface SignedCall {
  method: 'POST' | 'GET';
  path: string;
  body?: string;
}

/**
 * Signs `calls` once each against `baseUrl` with a date fixed now: the signature covers X-Sdk-Date (the server
 * allows ±15 minutes) and the server does not refuse replays, so one header set serves a whole run. The Host
 * header is signed and sent as autocannon will send it.
 */
export function presign(baseUrl: string, calls: SignedCall[], credentials: Credentials, at: Date): AutocannonRequest[] {
  return calls.map((call) => {
    const url = new URL(call.path, baseUrl);
    const headers = signRequest(
      { method: call.method, url, headers: { 'Content-Type': 'application/json', Host: url.host }, ...(call.body !== undefined ? { body: call.body } : {}) },
      credentials,
      at,
    );
    return { method: call.method, path: call.path, headers, ...(call.body !== undefined ? { body: call.body } : {}) };
  });
}

/** Per-response times (ms, fractional) of 2xx answers, for percentiles; bounded. */
export class ResponseTimes {
  private static readonly MAX = 2_000_000;
  private readonly samples = new Float64Array(ResponseTimes.MAX);
  private count = 0;

  add(ms: number): void {
    if (this.count < ResponseTimes.MAX) this.samples[this.count++] = ms;
  }

  percentiles(...ps: number[]): number[] {
    const sorted = this.samples.subarray(0, this.count).sort();
    return ps.map((p) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!));
  }
}

export interface AutocannonRun {
  total: number;
  seconds: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** One autocannon run of `seconds` on `connections` keep-alive connections; 2xx response times go to `times`. */
export async function runAutocannon(url: string, requests: AutocannonRequest[], connections: number, seconds: number, times?: ResponseTimes): Promise<AutocannonRun> {
  const instance = autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 10, requests });
  // autocannon's own histogram has 1 ms resolution; keep the fractional per-response times for p50/p99.
  if (times) {
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) times.add(responseTime);
    });
  }
  const result = await instance;
  return { total: result.requests.total, seconds: result.duration, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts };
}

export interface ThroughputResult {
  requestsPerSecond: number;
  total: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** A warm-up run (discarded), then the measured run, with `connections` keep-alive connections (--stages, --profile). */
export async function measureThroughput(
  url: string,
  requests: AutocannonRequest[],
  options: { connections: number; warmupSeconds: number; seconds: number; afterWarmup?: () => Promise<unknown> },
): Promise<ThroughputResult> {
  await runAutocannon(url, requests, options.connections, options.warmupSeconds);
  await options.afterWarmup?.();
  const times = new ResponseTimes();
  const run = await runAutocannon(url, requests, options.connections, options.seconds, times);
  const [p50Ms, p99Ms] = times.percentiles(50, 99);
  return { ...run, requestsPerSecond: run.total / run.seconds, p50Ms: p50Ms!, p99Ms: p99Ms! };
}

/** A signed request sent now, timed from sending to having read the whole answer (signing is not timed). */
export interface TimedAnswer {
  status: number;
  text: string;
  ms: number;
}

export async function sendSigned(baseUrl: string, method: 'GET' | 'POST', path: string, credentials: Credentials, body?: string): Promise<TimedAnswer> {
  const url = new URL(path, baseUrl);
  const headers = signRequest({ method, url, headers: { 'Content-Type': 'application/json' }, ...(body !== undefined ? { body } : {}) }, credentials);
  const started = performance.now();
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

/** One server's side of an interleaved sequence: `run` sends its requests and returns the time they took (ms). */
export interface SequenceSubject {
  run: (round: number) => Promise<number>;
  /** The server's CPU time so far (µs), read before and after each run. */
  cpuMicros?: () => Promise<number>;
}

export interface SequenceSamples {
  ms: number[];
  /** Server CPU per run (µs), when the subject can tell. */
  cpuMicros: number[];
}

/**
 * Runs the subjects' sequences interleaved: each round runs each subject once, one after the other, starting with a
 * different subject each round. The machine's speed drifts during a run (these machines are shared); interleaved,
 * every server sees the same drift, so their ratio does not move with it. Only one request is in flight at a time.
 */
export async function interleave(subjects: SequenceSubject[], options: { warmups: number; runs: number; afterWarmup?: () => Promise<unknown> }): Promise<SequenceSamples[]> {
  const samples: SequenceSamples[] = subjects.map(() => ({ ms: [], cpuMicros: [] }));
  for (let round = 0; round < options.warmups + options.runs; round++) {
    if (round === options.warmups) await options.afterWarmup?.();
    for (let turn = 0; turn < subjects.length; turn++) {
      const index = (round + turn) % subjects.length;
      const subject = subjects[index]!;
      const cpuBefore = await subject.cpuMicros?.();
      const ms = await subject.run(round);
      const cpuAfter = await subject.cpuMicros?.();
      if (round < options.warmups) continue;
      samples[index]!.ms.push(ms);
      if (cpuBefore !== undefined && cpuAfter !== undefined) samples[index]!.cpuMicros.push(cpuAfter - cpuBefore);
    }
  }
  return samples;
}
