import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The service log (src/logger.ts) in a process of its own, as the service runs it: lines are written once per turn of
 * the event loop, so these end the process in the very turn that logged them, before that write.
 */
const LOGGER = pathToFileURL(resolve(import.meta.dirname, '../dist/src/logger.js')).href;
const LINES = 2_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `body` after `const { logger } = createServiceLog(...)` has logged LINES lines, all in one turn. */
function runLogging(body: string, options: { toStderr?: boolean; closeStdout?: boolean } = {}): Promise<Run> {
  const script = [
    `import { createServiceLog } from ${JSON.stringify(LOGGER)};`,
    `const { logger } = createServiceLog({ level: 'info', toStderr: ${options.toStderr === true} });`,
    `for (let i = 0; i < ${LINES}; i++) logger.info({ i, requestId: 'r' + i }, 'request completed');`,
    body,
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.closeStdout) child.stdout.destroy();
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The `i` of every JSON line of `text` whose msg is `request completed`, in order. */
function loggedIndexes(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { i?: number; msg: string })
    .filter((line) => line.msg === 'request completed')
    .map((line) => line.i!);
}

const everyLine = Array.from({ length: LINES }, (_, i) => i);

describe('the service log', () => {
  it('writes every line, in order, when the process exits in the turn that logged them', async () => {
    const run = await runLogging('process.exit(0);');
    expect(run.code).toBe(0);
    expect(loggedIndexes(run.stdout)).toEqual(everyLine);
  });

  it('writes every line logged before an uncaught exception ends the process', async () => {
    const run = await runLogging("throw new Error('boom');");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('boom');
    expect(loggedIndexes(run.stdout)).toEqual(everyLine);
  });

  it('writes every line logged before an unhandled rejection ends the process', async () => {
    const run = await runLogging("Promise.reject(new Error('rejected'));");
    expect(run.code).toBe(1);
    expect(loggedIndexes(run.stdout)).toEqual(everyLine);
  });

  it('writes the lines of a turn at its end, without waiting for an exit', async () => {
    // The process stays alive (the interval) until the lines are out; it is never ended by an exit that flushes.
    const run = await runLogging(
      "const wait = setInterval(() => {}, 1000); setImmediate(() => setImmediate(() => { process.stderr.write('turn ended\\n'); process.kill(process.pid, 'SIGKILL'); }));",
    );
    expect(run.stderr).toContain('turn ended');
    expect(loggedIndexes(run.stdout)).toEqual(everyLine);
  });

  it('goes to stderr for an ephemeral service, leaving stdout to its export lines', async () => {
    const run = await runLogging('process.exit(0);', { toStderr: true });
    expect(run.stdout).toBe('');
    expect(loggedIndexes(run.stderr)).toEqual(everyLine);
  });

  it('keeps the process running when the reader of its output goes away', async () => {
    const run = await runLogging(
      "setTimeout(() => { for (let i = 0; i < 10; i++) logger.info({ i }, 'after the reader left'); setImmediate(() => { process.stderr.write('still running\\n'); process.exit(0); }); }, 200);",
      { closeStdout: true },
    );
    expect(run.stderr).toContain('still running');
    expect(run.code).toBe(0);
  });
});
