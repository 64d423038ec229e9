/** Starts a benchmark target (floor or poolkeeper) in a child process and stops it again. */
import { fork } from 'node:child_process';
import type { ChildMessage, StagesMessage, StartMessage } from './protocol.js';
import type { StageTotals } from './stages.js';

export interface RunningTarget {
  url: string;
  nodeNames: Record<string, string[]>;
  /** With `stages` on: the stage timers' totals so far; `reset` zeroes them afterwards. */
  stages(reset: boolean): Promise<StageTotals>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface TargetOptions {
  /** Extra node flags for the child, e.g. --cpu-prof. */
  execArgv?: string[];
  /** Send the child's stdout to /dev/null (its per-request log lines at level info). */
  discardStdout?: boolean;
}

export function startTarget(start: StartMessage, options: TargetOptions = {}): Promise<RunningTarget> {
  const child = fork(new URL('./server-process.js', import.meta.url), [], {
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

  function stages(reset: boolean): Promise<StageTotals> {
    return new Promise<StageTotals>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no stage timings from the server process')), 10_000);
      child.once('message', (message: StagesMessage) => {
        clearTimeout(timer);
        resolve(message.totals);
      });
      child.send({ type: reset ? 'reset-stages' : 'get-stages' });
    });
  }

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
      if (message.type === 'ready') resolve({ url: message.url, nodeNames: message.nodeNames, stages, stop });
      else reject(new Error(`${start.role} failed to start: ${message.type === 'failed' ? message.error : message.type}`));
    });
    child.send(start);
  });
}
