import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { action, checkOutputOptions, withOutputOptions } from './common.js';
import { resolveConnection, withConnectionOptions, type ConnectionOptions } from './connection.js';
import { EXIT, usageError } from './exit-codes.js';
import { printDocument, type OutputOptions, type View } from './output.js';
import { configFilePath, masked, readConfigFile, SECRET_FIELDS, writeConfigFile, type Profile } from './profiles.js';

interface ConfigureOptions {
  profile?: string;
  endpoint?: string;
  project?: string;
  ak?: string;
  skStdin?: boolean;
  securityTokenStdin?: boolean;
  user?: string;
  account?: string;
  passwordStdin?: boolean;
  dataDir?: string;
}

/** Asks at the terminal (on stderr); a hidden answer is not echoed. */
function ask(question: string, hidden: boolean): Promise<string> {
  process.stderr.write(question);
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!hidden) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((done) =>
    rl.question('', (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      done(answer.trim());
    }),
  );
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.replace(/\r?\n$/, '');
}

const KV_VIEW: View<[string, string]> = {
  columns: [
    { header: 'SETTING', value: ([k]) => k },
    { header: 'VALUE', value: ([, v]) => v },
  ],
  name: ([k]) => k,
};

function shown(profile: Profile): Record<string, string> {
  return Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? masked(v as string) : String(v)]));
}

/** `poolkeeper configure`: saves a profile (owner-only file); `configure show`: what a command would use. */
export function registerConfigureCommands(program: Command): void {
  const configure = program
    .command('configure')
    .summary('Save connection settings as a profile; `configure show`: what a command would use.')
    .description(
      'Save connection settings as a profile in the config file ($POOLKEEPER_CONFIG, else config.json in your config folder, ' +
        'mode 0600). Secrets are read from stdin (--sk-stdin, --password-stdin) or asked for without echo, never taken as arguments.',
    )
    .option('--profile <name>', 'profile name (default: POOLKEEPER_PROFILE, else "default")')
    .option('--endpoint <url>', 'service URL')
    .option('--project <id>', 'project id (a name works with --user)')
    .option('--ak <accessKey>', 'access key (then give the secret key with --sk-stdin)')
    .option('--sk-stdin', 'read the secret key from stdin')
    .option('--security-token-stdin', 'read a temporary key’s security token from stdin')
    .option('--user <name>', 'log in with a password instead (then --password-stdin)')
    .option('--account <name>', 'the user’s account (default poolkeeper)')
    .option('--password-stdin', 'read the user’s password from stdin')
    .option('--data-dir <dir>', 'a local service’s data folder: use its saved credentials and the URL it listens on now')
    .action(
      action(async (options: ConfigureOptions) => {
        const name = options.profile ?? process.env.POOLKEEPER_PROFILE ?? 'default';
        const file = configFilePath();
        const config = readConfigFile(file);
        const profile: Profile = { ...config.profiles[name] };
        const fromStdin = [options.skStdin, options.securityTokenStdin, options.passwordStdin].filter(Boolean).length;
        if (fromStdin > 1) throw usageError('only one of --sk-stdin, --security-token-stdin and --password-stdin can read stdin');
        const given = fromStdin > 0 || [options.endpoint, options.project, options.ak, options.user, options.account, options.dataDir].some((v) => v !== undefined);
        if (!given) {
          if (!process.stdin.isTTY) throw usageError('give the settings as options (see `poolkeeper configure --help`), or run it at a terminal to be asked');
          const keep = (current: string | undefined) => (current ? ` [${current}]` : '');
          profile.endpoint = (await ask(`Endpoint${keep(profile.endpoint ?? 'http://127.0.0.1:9710')}: `, false)) || profile.endpoint || 'http://127.0.0.1:9710';
          profile.projectId = (await ask(`Project id${keep(profile.projectId)}: `, false)) || profile.projectId;
          profile.accessKey = (await ask(`Access key${keep(profile.accessKey)}: `, false)) || profile.accessKey;
          profile.secretKey = (await ask(`Secret key${profile.secretKey ? ' [keep the saved one]' : ''}: `, true)) || profile.secretKey;
        } else {
          if (options.ak !== undefined || options.skStdin) {
            delete profile.user;
            delete profile.password;
          }
          if (options.user !== undefined || options.passwordStdin) {
            delete profile.accessKey;
            delete profile.secretKey;
            delete profile.securityToken;
          }
          if (options.endpoint !== undefined) profile.endpoint = options.endpoint;
          if (options.project !== undefined) profile.projectId = options.project;
          if (options.ak !== undefined) profile.accessKey = options.ak;
          if (options.user !== undefined) profile.user = options.user;
          if (options.account !== undefined) profile.account = options.account;
          if (options.dataDir !== undefined) profile.dataDir = resolve(options.dataDir);
          if (options.skStdin) profile.secretKey = await readStdin();
          if (options.securityTokenStdin) profile.securityToken = await readStdin();
          if (options.passwordStdin) profile.password = await readStdin();
        }
        if (profile.endpoint !== undefined) {
          try {
            new URL(profile.endpoint);
          } catch {
            throw usageError(`the endpoint "${profile.endpoint}" is not a URL (e.g. http://127.0.0.1:9710)`);
          }
        }
        if ((profile.accessKey === undefined) !== (profile.secretKey === undefined)) {
          throw usageError(profile.accessKey ? 'the profile has an access key but no secret key: add --sk-stdin' : 'the profile has a secret key but no access key: add --ak');
        }
        const clean = Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined && v !== '')) as Profile;
        writeConfigFile(file, { profiles: { ...config.profiles, [name]: clean } });
        process.stderr.write(`saved profile "${name}" in ${file} (owner-only)\n`);
        for (const [key, value] of Object.entries(shown(clean))) process.stderr.write(`  ${key}: ${value}\n`);
        return EXIT.ok;
      }),
    );

  withConnectionOptions(withOutputOptions(configure.command('show')))
    .description('Show the settings a command would use now (flags, environment, profile, local service), secrets masked.')
    .action(
      action(async (options: ConnectionOptions & OutputOptions) => {
        await checkOutputOptions(options);
        const connection = resolveConnection(options);
        const auth = connection.auth;
        const document: Record<string, string> = {
          source: connection.source,
          endpoint: connection.endpoint,
          project: connection.project ?? '(not set)',
          auth: auth.kind,
          ...(auth.kind === 'signature' ? { accessKey: auth.accessKey, secretKey: masked(auth.secretKey), ...(auth.securityToken ? { securityToken: masked(auth.securityToken) } : {}) } : {}),
          ...(auth.kind === 'token' ? { token: masked(auth.token) } : {}),
          ...(auth.kind === 'password' ? { user: auth.user, account: auth.account, password: masked(auth.password) } : {}),
        };
        await printDocument(document, Object.entries(document), KV_VIEW, options);
        return EXIT.ok;
      }),
    );
}
