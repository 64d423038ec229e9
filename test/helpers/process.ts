import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_AK, TEST_PROJECT_ID, TEST_SK } from './service.js';

const entry = resolve(import.meta.dirname, '../../dist/src/main.js');

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** What it printed on stdout (JSON log lines) and on stderr (the start banner, fatal errors). */
  stdout(): string;
  stderr(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/** Starts the built service (`dist/`) as its own process on a loopback port, resolved once its banner names its URL. */
export function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [entry, 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      POOLKEEPER_BOOTSTRAP_PROJECT_ID: TEST_PROJECT_ID,
      POOLKEEPER_BOOTSTRAP_AK: TEST_AK,
      POOLKEEPER_BOOTSTRAP_SK: TEST_SK,
      POOLKEEPER_SIM_NODE_CREATE_SECONDS: '0',
      POOLKEEPER_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolvePromise, reject) => {
    let started = false;
    // The start banner goes to stderr; stdout carries only JSON log lines.
    const seen = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (!match || started) return;
      started = true;
      resolvePromise({
        child,
        url: match[1]!,
        output: () => output,
        stdout: () => stdout,
        stderr: () => stderr,
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      stderr += chunk.toString();
      seen();
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
}
