import { CommanderError } from 'commander';
import { ApiCallError } from '../client/api.js';
import { ServiceUnreachableError } from '../client/client.js';
import { ConfigError } from '../config.js';
import { MasterKeyError } from '../security/secrets.js';
import { ApiError } from '../server/errors.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';

/** The message and exit code for a failed command; anything unexpected is named as such, never shown bare. */
export function describeFailure(error: unknown): { message: string | undefined; code: ExitCode } {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help, or the version) already.
    const done = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code);
    return { message: undefined, code: done ? EXIT.ok : EXIT.usage };
  }
  if (error instanceof CliError) return { message: error.message, code: error.exitCode };
  if (error instanceof ServiceUnreachableError) return { message: error.message, code: EXIT.unreachable };
  if (error instanceof ApiCallError) return { message: `the service refused the request: ${error.message}`, code: EXIT.requestFailed };
  if (error instanceof ConfigError) return { message: error.message, code: EXIT.usage };
  if (error instanceof MasterKeyError || error instanceof ApiError) return { message: error.message, code: EXIT.requestFailed };
  const kind = error instanceof Error ? error.name : typeof error;
  return { message: `unexpected error (${kind}: ${error instanceof Error ? error.message : String(error)})`, code: EXIT.requestFailed };
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
  } catch (error) {
    const { message, code } = describeFailure(error);
    if (message !== undefined) process.stderr.write(`poolkeeper: ${message}\n`);
    process.exitCode = code;
  }
}
