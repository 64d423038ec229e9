/** Starts a benchmark target (floor or poolkeeper) in a child process and stops it again. */
import { fork } from 'node:child_process';
import type { ChildMessage, ParentMessage, StagesMessage, StartMessage, UsageMessage } from './protocol.js';
import type { StageTotals } from './stages.js';

export interface Usage {
  cpuMicros: number;
  rss: number;
  heapUsed: number;
  external: number;
  /** The child's longest event-loop delay (ms) since the previous `usage`; undefined from a build before it. */
  eventLoopDelayMaxMs?: number;
}

export interface RunningTarget {
  url: string;
  nodeNames: Record<string, string[]>;
  /** poolkeeper only: its database (SQLite file or postgres://... URL). */
  database?: string;
  /** With `stages` on: the stage timers' totals so far; `reset` zeroes them afterwards. */
  stages(reset: boolean): Promise<StageTotals>;
  /** The child's CPU time (µs, all its threads) and memory; `gc` collects garbage first (needs --expose-gc). */
  usage(gc?: boolean): Promise<Usage>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const ANSWER_TIMEOUT_MS = 10_000;

export interface TargetOptions {
  /** Extra node flags for the child, e.g. --cpu-prof. */
  execArgv?: string[];
  /** Send the child's stdout to /dev/null (its per-request log lines at level info). */
  discardStdout?: boolean;
  /** Another build's `bench/server-process.js` (`--baseline`); default: this build's. */
  script?: string;
}

export function startTarget(start: StartMessage, options: TargetOptions = {}): Promise<RunningTarget> {
  const child = fork(options.script ?? new URL('./server-process.js', import.meta.url), [], {
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', options.discardStdout ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** One question, one answer of the given type (the parent asks one at a time). */
  function ask<A extends ChildMessage>(question: ParentMessage, answer: A['type']): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      const listener = (message: ChildMessage) => {
        if (message.type !== answer) return;
        clearTimeout(timer);
        child.off('message', listener);
        resolve(message as A);
      };
      const timer = setTimeout(() => {
        child.off('message', listener);
        reject(new Error(`no ${answer} answer from the ${start.role} process`));
      }, ANSWER_TIMEOUT_MS);
      child.on('message', listener);
      child.send(question);
    });
  }

  const stages = async (reset: boolean) => (await ask<StagesMessage>({ type: reset ? 'reset-stages' : 'get-stages' }, 'stages')).totals;
  const usage = async (gc = false): Promise<Usage> => {
    const { cpuMicros, rss, heapUsed, external, eventLoopDelayMaxMs } = await ask<UsageMessage>({ type: 'usage', gc }, 'usage');
    return { cpuMicros, rss, heapUsed, external, ...(eventLoopDelayMaxMs !== undefined ? { eventLoopDelayMaxMs } : {}) };
  };

  return new Promise<RunningTarget>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${start.role} did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${start.role} exited (code ${code}) before it was ready`));
    });
    child.once('message', (message: ChildMessage) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve({ url: message.url, nodeNames: message.nodeNames, ...(message.database ? { database: message.database } : {}), stages, usage, stop });
      else reject(new Error(`${start.role} failed to start: ${message.type === 'failed' ? message.error : message.type}`));
    });
    child.send(start);
  });
}
