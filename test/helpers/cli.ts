import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built CLI (`npm run build`), run as a user would run it. */
export const CLI_ENTRY = resolve(import.meta.dirname, '../../dist/src/main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a CLI process gets: this process's, without any POOLKEEPER_* setting (so nothing of the machine's
 * leaks in), with a config file and data folder of its own that do not exist unless a test creates them.
 */
export function isolatedEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('POOLKEEPER_') && name !== 'PORT' && name !== 'HOST') env[name] = value;
  const home = mkdtempSync(join(tmpdir(), 'poolkeeper-cli-home-'));
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), POOLKEEPER_CONFIG: join(home, 'config.json'), POOLKEEPER_DATA_DIR: join(home, 'data'), ...extra };
}

/** Runs `poolkeeper ARGS` to its end; `input` is written to its stdin (then closed). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; cwd?: string } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Resolves once `child` has exited; its exit code (null when a signal ended it). */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

/** Whether a process with this pid still runs. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
