import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Help, type Option } from 'commander';
import { registerCiCommands } from './ci.js';
import { registerConfigureCommands } from './configure.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { registerNodeCommands } from './nodes.js';
import { registerOperationCommands } from './operations.js';
import { registerPoolCommands } from './pools.js';
import { registerRequestCommand } from './request.js';
import { registerServeCommand } from './serve.js';

/** The version in poolkeeper's package.json, the first one found above this file (from src/ or from dist/src/). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'poolkeeper' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

const help = new Help();

/** The `poolkeeper` command line: one command group per file under src/cli/. */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command()
    .name('poolkeeper')
    .description('A self-hostable control plane for AI compute node pools that speaks the ModelArts v2 resource-pool API.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Options belong to the command they follow (`nodes upgrade-driver --version` is the driver's, not the program's).
    .enablePositionalOptions()
    .exitOverride()
    .configureHelp({
      sortSubcommands: false,
      optionDescription: (option: Option) => `${help.optionDescription(option)}${option.mandatory ? ' (required)' : ''}`,
    })
    .showSuggestionAfterError()
    .addHelpText('after', EXIT_CODES_HELP);

  registerServeCommand(program);
  registerConfigureCommands(program);
  registerPoolCommands(program);
  registerNodeCommands(program);
  registerOperationCommands(program);
  registerCiCommands(program);
  registerRequestCommand(program);
  const admin = program.command('admin').description('Administer the configured store directly (POOLKEEPER_DATABASE_URL), without the service.');
  // The admin commands load the store drivers: only a command line that runs one pays for them.
  if (argv[2] === 'admin') {
    const { registerAdminCommands } = await import('./admin.js');
    registerAdminCommands(admin);
  }
  return program;
}
