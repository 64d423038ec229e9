import { CliError, EXIT } from './exit-codes.js';

/** Parses the JSON given to a command-line option, naming the option when it is not JSON. */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${option} is not valid JSON: ${(error as Error).message}`, EXIT.usage);
  }
}
