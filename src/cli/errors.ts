import { ConfigError } from '../config.js';
import { ApiError } from '../server/errors.js';

/** Something wrong with what the user typed; its message is meant for them as it is. */
export class UsageError extends Error {}

/** Parses the JSON given to a command-line option, naming the option when it is not JSON. */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${option} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The one line a failed command prints. Errors made for the user (bad input, configuration, the service's own answers)
 * read as they are; anything else is shown as unexpected, with the command, its kind and its message — never bare.
 */
export function describeCliFailure(error: unknown, command: string | undefined): string {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof ApiError) return `poolkeeper: ${error.message}`;
  const kind = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return `poolkeeper: ${command ? `\`${command}\`` : 'the command'} failed with an unexpected error (${kind}: ${message})`;
}
