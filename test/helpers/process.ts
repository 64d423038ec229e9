import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_AK, TEST_PROJECT_ID, TEST_SK } from './service.js';

const entry = resolve(import.meta.dirname, '../../dist/src/main.js');

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/** Starts the built service (`dist/`) as its own process on a loopback port, resolved once it prints its URL. */
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
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolvePromise, reject) => {
    // The banner goes to stderr; a pino line on stdout names the URL too.
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        resolvePromise({
          child,
          url: match[1]!,
          output: () => output,
          kill: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
}
