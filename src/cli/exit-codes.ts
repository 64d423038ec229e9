/** What a script can rely on: every command exits with one of these. */
export const EXIT = {
  /** Everything asked for succeeded (every node of a batch command). */
  ok: 0,
  /** The service refused the request (an HTTP error answer), or the command failed otherwise. */
  requestFailed: 1,
  /** A bad argument, option, selector or configuration: nothing was sent. */
  usage: 2,
  /** Some nodes failed, the others succeeded. */
  someFailed: 3,
  /** Every node failed. */
  allFailed: 4,
  /** --wait, `operations wait` or `wait-ready` ran out of time. */
  timedOut: 5,
  /** The service could not be reached (connection refused, unknown host, ...). */
  unreachable: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  success: every node (or the request) succeeded
  1  the service refused the request (HTTP 4xx/5xx), or the command failed
  2  usage or configuration error (bad argument, option, selector, seed): nothing was sent
  3  some nodes failed (each is printed with its code and reason), the others succeeded
  4  every node failed
  5  timed out (--wait, operations wait, wait-ready)
  6  the service could not be reached (the message names the URL and the cause)`;

/** An error with the exit code it means; its message is for the user as it is. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** The exit code for a batch outcome: all, some or none of the nodes failed. */
export function exitForFailures(failed: number, total: number): ExitCode {
  if (failed === 0) return EXIT.ok;
  return failed === total ? EXIT.allFailed : EXIT.someFailed;
}
