import { CommanderError } from 'commander';
import { ApiCallError } from '../client/api.js';
import { ServiceUnreachableError } from '../client/client.js';
import { ConfigError } from '../config.js';
import { MasterKeyError } from '../security/secrets.js';
import { ApiError } from '../errors/catalogue.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';
import { maskPasswords } from '../security/redact.js';
import type { Command } from 'commander';

/** The message and exit code for a failed command; anything unexpected is named as such, never shown bare. */
function describeFailure(error: unknown, command?: string): { message: string | undefined; code: ExitCode } {
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
  const what = command ? `\`${command}\` failed with an unexpected error` : 'unexpected error';
  return { message: `${what} (${kind}: ${error instanceof Error ? error.message : String(error)})`, code: EXIT.requestFailed };
}

export async function runCli(argv: string[]): Promise<void> {
  let running: string | undefined;
  try {
    const program = await buildProgram(argv);
    program.hook('preAction', (_program, command) => {
      const names: string[] = [];
      for (let c: Command | null = command; c && c !== program; c = c.parent) names.unshift(c.name());
      running = names.join(' ');
    });
    await program.parseAsync(argv);
  } catch (error) {
    const { message, code } = describeFailure(error, running);
    if (message !== undefined) process.stderr.write(`poolkeeper: ${maskPasswords(message)}\n`);
    process.exitCode = code;
  }
}
