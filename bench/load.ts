/**
 * Load generation: autocannon for throughput, sequential fetch for single-request latency. Both run in the
 * benchmark's parent process; the servers run in a child process (server-process.ts).
 */
import { createRequire } from 'node:module';
import { signRequest, type Credentials } from '../src/client/signer.js';

/** The slice of autocannon's (untyped) programmatic API we use. */
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
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
  method: 'POST';
  path: string;
  body: string;
}

/**
 * Signs `calls` once each against `baseUrl` with a date fixed now: the signature covers X-Sdk-Date (the server
 * allows ±15 minutes) and the server does not refuse replays, so one header set serves a whole run. The Host
 * header is signed and sent as autocannon will send it.
 */
export function presign(baseUrl: string, calls: SignedCall[], credentials: Credentials, at: Date): AutocannonRequest[] {
  return calls.map((call) => {
    const url = new URL(call.path, baseUrl);
    const headers = signRequest({ method: call.method, url, headers: { 'Content-Type': 'application/json', Host: url.host }, body: call.body }, credentials, at);
    return { method: call.method, path: call.path, headers, body: call.body };
  });
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

/** Bounded: autocannon stops after `seconds`; at most MAX_SAMPLES latencies are kept. */
const MAX_SAMPLES = 2_000_000;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

async function runAutocannon(url: string, requests: AutocannonRequest[], connections: number, seconds: number): Promise<ThroughputResult> {
  const samples = new Float64Array(MAX_SAMPLES);
  let count = 0;
  const instance = autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 10, requests });
  // autocannon's own histogram has 1 ms resolution; keep the fractional per-response times for p50/p99.
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300 && count < MAX_SAMPLES) samples[count++] = responseTime;
  });
  const result = await instance;
  const sorted = samples.subarray(0, count).sort();
  return {
    requestsPerSecond: result.requests.total / result.duration,
    total: result.requests.total,
    seconds: result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** A warm-up run (discarded), then the measured run, with `connections` keep-alive connections. */
export async function measureThroughput(
  url: string,
  requests: AutocannonRequest[],
  options: { connections: number; warmupSeconds: number; seconds: number; afterWarmup?: () => Promise<unknown> },
): Promise<ThroughputResult> {
  await runAutocannon(url, requests, options.connections, options.warmupSeconds);
  await options.afterWarmup?.();
  return runAutocannon(url, requests, options.connections, options.seconds);
}

export interface LatencyResult {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

/** One server's side of a latency measurement: where to send the batch-update and how to judge its answer. */
export interface LatencySubject {
  baseUrl: string;
  path: string;
  bodyFor: (run: number) => string;
  check: (status: number, body: string) => void;
}

/**
 * Sequential single requests, each freshly signed (signing and body building are outside the timed part): the
 * time from sending to having read the whole answer. `check` throws when an answer is wrong.
 */
export async function measureLatency(
  subject: LatencySubject,
  credentials: Credentials,
  options: { warmups: number; runs: number; afterWarmup?: () => Promise<unknown> },
): Promise<LatencyResult> {
  const [result] = await measureLatencyInterleaved([subject], credentials, options);
  return result!;
}

/**
 * measureLatency for several servers at once, their requests interleaved: each round sends one request to each
 * server, one after the other, starting with a different server each round. The machine's speed drifts during a
 * run (these machines are shared); interleaved, every server sees the same drift, so their ratio does not move with it.
 */
export async function measureLatencyInterleaved(
  subjects: LatencySubject[],
  credentials: Credentials,
  options: { warmups: number; runs: number; afterWarmup?: () => Promise<unknown> },
): Promise<LatencyResult[]> {
  const times: number[][] = subjects.map(() => []);
  for (let run = 0; run < options.warmups + options.runs; run++) {
    if (run === options.warmups) await options.afterWarmup?.();
    for (let turn = 0; turn < subjects.length; turn++) {
      const index = (run + turn) % subjects.length;
      const subject = subjects[index]!;
      const url = new URL(subject.path, subject.baseUrl);
      const body = subject.bodyFor(run);
      const headers = signRequest({ method: 'POST', url, headers: { 'Content-Type': 'application/json' }, body }, credentials);
      const started = performance.now();
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
      const text = await response.text();
      const elapsed = performance.now() - started;
      subject.check(response.status, text);
      if (run >= options.warmups) times[index]!.push(elapsed);
    }
  }
  return times.map((samples) => {
    samples.sort((a, b) => a - b);
    const mid = samples.length >> 1;
    const median = samples.length % 2 === 1 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
    return { medianMs: median, minMs: samples[0]!, maxMs: samples[samples.length - 1]!, runs: samples.length };
  });
}
