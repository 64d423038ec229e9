import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

function all(command: Command): Command[] {
  return [command, ...command.commands.flatMap(all)];
}

describe('the command line help', () => {
  it('describes every command, admin commands included, and marks required options', async () => {
    const program = await buildProgram(['node', 'poolkeeper', 'admin']);
    const commands = all(program);
    const admin = commands.find((c) => c.name() === 'admin')!;
    expect(admin.commands.map((c) => c.name())).toContain('attach-policy');
    for (const command of commands) {
      expect(command.description(), command.name()).not.toBe('');
      const help = command.createHelp();
      for (const option of command.options) {
        expect(help.optionDescription(option).endsWith('(required)'), `${command.name()} ${option.flags}`).toBe(option.mandatory);
      }
    }
    expect(commands.filter((c) => c.options.some((o) => o.mandatory)).map((c) => c.name())).toEqual(expect.arrayContaining(['create-account', 'upgrade-driver', 'create']));
  });

  it('states the exit codes', async () => {
    const program = await buildProgram(['node', 'poolkeeper']);
    let text = '';
    program.configureOutput({ writeOut: (s) => (text += s) });
    program.outputHelp();
    expect(text).toContain('Exit codes:');
    expect(text).toMatch(/ 3 {2}some nodes failed/);
    expect(text).toMatch(/ 6 {2}the service could not be reached/);
  });
});
