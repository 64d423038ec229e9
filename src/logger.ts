import pino, { type Logger } from 'pino';
import { maskPasswords } from './security/redact.js';

/**
 * The service's log: pino JSON lines on stdout, or on stderr for an ephemeral service (whose stdout carries only its
 * `export` lines).
 *
 * Lines are gathered while the event loop runs and written together, synchronously, once per turn of the loop: one
 * write for all the lines of the requests answered in that turn. pino's default destination writes asynchronously
 * through libuv's thread pool instead, and that hand-off to another thread cost more than the lines themselves
 * (`node dist/bench/log-lines.js > /dev/null` measures both; figures in bench/README.md). Synchronous writes are also what Node does for
 * process.stdout on a pipe: a reader that stops reading makes the service wait for it, instead of lines queueing in
 * memory without bound.
 *
 * What a stop can lose: nothing on a clean stop (the service flushes when it stops), on `process.exit` or an uncaught
 * exception (flushed on the process's 'exit' event); SIGKILL, or a signal whose default action ends the process
 * without that event, loses only the lines of the turn in progress, which were not written yet.
 */
export interface ServiceLog {
  logger: Logger;
  /** Writes the lines gathered so far, now. */
  flush(): void;
}

type Output = ReturnType<typeof pino.destination>;

/** Destinations with lines not written yet, flushed if the process exits before their turn ends. */
const unwritten = new Set<TurnBatchedDestination>();
let flushOnExit = false;

class TurnBatchedDestination {
  private lines: string[] = [];

  constructor(private readonly output: Output) {}

  write(line: string): void {
    if (this.lines.push(line) > 1) return;
    unwritten.add(this);
    setImmediate(() => this.flush());
  }

  /** pino's `logger.flush(callback)` calls this too. */
  flush(done?: (error?: Error) => void): void {
    if (this.lines.length > 0) {
      const text = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
      this.lines = [];
      unwritten.delete(this);
      this.output.write(text);
    }
    done?.();
  }
}

const LEVELS_WRITING_INFO = new Set(['info', 'debug', 'trace']);

/** Whether the logger writes `info` lines: below that level a per-request line is not even built. */
export function writesInfo(logger: { level: string }): boolean {
  return LEVELS_WRITING_INFO.has(logger.level);
}

/** Errors are the one place a database URL could reach a log line unplanned (a driver quoting its connection string). */
function maskedError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error);
  return { ...serialized, message: maskPasswords(serialized.message), stack: maskPasswords(serialized.stack) };
}

export function createServiceLog(options: { level: string; toStderr: boolean }): ServiceLog {
  if (!flushOnExit) {
    flushOnExit = true;
    process.on('exit', () => {
      for (const destination of unwritten) destination.flush();
    });
  }
  // SonicBoom in synchronous mode: it retries a full pipe (EAGAIN) and stops writing once the reader is gone (EPIPE).
  const destination = new TurnBatchedDestination(pino.destination({ dest: options.toStderr ? 2 : 1, sync: true }));
  const logger = pino({ level: options.level, base: { service: 'poolkeeper' }, serializers: { err: maskedError } }, destination);
  return { logger, flush: () => destination.flush() };
}
