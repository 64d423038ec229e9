import { Option, type Command } from 'commander';
import type { PoolApi } from '../client/api.js';
import { EXIT_CODES_HELP, usageError, type ExitCode } from './exit-codes.js';
import { checkQuery, outputFormat, OUTPUT_FORMATS, type OutputOptions } from './output.js';
import { parseDuration } from './progress.js';

export const POOL_ARGUMENT_HELP = 'pool id (metadata.name), or its display name (the project id is appended)';

/** `-o` and `--query`, checked before anything is sent. */
export function withOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('-o, --output <format>', `${OUTPUT_FORMATS.join('|')} (default: table at a terminal, else json)`).helpGroup('Output options:'))
    .addOption(new Option('--query <jmespath>', 'a JMESPath expression applied to the JSON document before it is printed').helpGroup('Output options:'));
}

export function withWaitOptions(command: Command, what: string): Command {
  return command
    .option('--wait', `wait until ${what}, with live progress on stderr`)
    .option('--timeout <duration>', 'how long --wait waits, e.g. 90s, 5m (default 5m); exit 5 when it runs out', '5m');
}

export async function checkOutputOptions(options: OutputOptions): Promise<void> {
  outputFormat(options);
  await checkQuery(options.query);
}

export function timeoutOf(options: { timeout?: string }): number {
  const ms = parseDuration(options.timeout ?? '5m');
  if (ms === undefined) throw usageError(`--timeout must be a duration such as 90s, 5m or 1h, got "${options.timeout}"`);
  return ms;
}

/** The pool id for a name the user typed: ids end with `-<project id>`; a display name gets it appended. */
export function poolIdOf(api: PoolApi, pool: string): string {
  return pool.endsWith(`-${api.projectId}`) ? pool : `${pool}-${api.projectId}`;
}

/** Runs an action and sets the process exit code it answers. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<ExitCode>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    process.exitCode = await run(...args);
  };
}

export function withExitCodes(command: Command): Command {
  return command.addHelpText('after', EXIT_CODES_HELP);
}
