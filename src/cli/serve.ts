import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { maskPasswords } from '../security/redact.js';

interface ServeOptions {
  ephemeral?: boolean;
  seed?: string;
  port?: string;
  host?: string;
  ak?: string;
  sk?: string;
  project?: string;
}

/** A value for `export NAME=...` that any POSIX shell reads back as it is. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The environment the service is configured from: the flags are the matching variables, set for this start. */
function environmentFor(options: ServeOptions): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (options.ephemeral) env.POOLKEEPER_EPHEMERAL = '1';
  if (options.seed !== undefined) env.POOLKEEPER_SEED = options.seed;
  if (options.port !== undefined) env.PORT = options.port;
  if (options.host !== undefined) env.HOST = options.host;
  // An ephemeral service takes the credentials the CLI will use (POOLKEEPER_AK/SK/PROJECT_ID) when none is given.
  const ephemeral = options.ephemeral || env.POOLKEEPER_EPHEMERAL === '1' || env.POOLKEEPER_EPHEMERAL === 'true';
  const pick = (flag: string | undefined, bootstrap: string | undefined, client: string | undefined) => flag ?? bootstrap ?? (ephemeral ? client : undefined);
  const ak = pick(options.ak, env.POOLKEEPER_BOOTSTRAP_AK, env.POOLKEEPER_AK);
  const sk = pick(options.sk, env.POOLKEEPER_BOOTSTRAP_SK, env.POOLKEEPER_SK);
  const project = pick(options.project, env.POOLKEEPER_BOOTSTRAP_PROJECT_ID, env.POOLKEEPER_PROJECT_ID);
  if (ak !== undefined) env.POOLKEEPER_BOOTSTRAP_AK = ak;
  if (sk !== undefined) env.POOLKEEPER_BOOTSTRAP_SK = sk;
  if (project !== undefined) env.POOLKEEPER_BOOTSTRAP_PROJECT_ID = project;
  return env;
}

/** `poolkeeper serve` (the default command). */
export function registerServeCommand(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .summary('Start the service (the default command).')
    .description(
      'Start the service (configured by PORT, HOST and POOLKEEPER_* environment variables; see the README). It stops ' +
        'gracefully on SIGTERM, SIGINT or SIGHUP: in-flight requests finish, the store closes and the log is written out.',
    )
    .option('--ephemeral', 'keep the store in memory and write no file; simulated delays are 0 unless set (POOLKEEPER_EPHEMERAL=1)')
    .option('--seed <file>', 'load this YAML or JSON seed into the empty store at start; `poolkeeper reset` returns to it (POOLKEEPER_SEED)')
    .option('--port <port>', 'port to listen on (PORT, default 9710; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (HOST, default 127.0.0.1)')
    .option('--ak <accessKey>', 'an empty store’s first access key (POOLKEEPER_BOOTSTRAP_AK; ephemeral: also POOLKEEPER_AK)')
    .option('--sk <secretKey>', 'its secret key (POOLKEEPER_BOOTSTRAP_SK; ephemeral: also POOLKEEPER_SK)')
    .option('--project <id>', 'the first project’s id, 32 lowercase hex (POOLKEEPER_BOOTSTRAP_PROJECT_ID; ephemeral: also POOLKEEPER_PROJECT_ID)')
    .action(async (options: ServeOptions) => {
      const config = loadConfig(environmentFor(options));
      const { startService } = await import('../serve.js');
      const service = await startService(config);
      const { bootstrap: boot } = service;
      const where = config.ephemeral ? 'in memory: nothing is written to disk' : `database: ${maskPasswords(config.databaseUrl)}`;
      const lines = [`poolkeeper listening on ${service.url}  (${where})`];
      if (config.seedFile) lines.push(`  seed       : ${config.seedFile} (\`poolkeeper reset\` returns to it)`);
      if (boot.credentials) {
        lines.push(`  project id : ${boot.credentials.projectId}`, `  access key : ${boot.credentials.accessKey}`);
        if (boot.created && boot.credentialsFile) {
          lines.push(`  secret key : ${boot.credentials.secretKey}   (shown once; saved below)`, `  credentials: ${boot.credentialsFile} (owner-only)`);
        } else if (boot.credentialsFile) {
          lines.push(`  credentials: ${boot.credentialsFile} (owner-only)`);
        } else {
          lines.push('  credentials: on stdout, as `export` lines');
        }
      } else {
        lines.push(`  credentials: created on first start; ${boot.credentialsFile} is missing, so they are not shown`);
      }
      if (boot.demoPool) lines.push(`  demo pool  : ${boot.demoPool} (8 simulated nodes)`);
      lines.push('  try        : poolkeeper pools list   (or any Huawei Cloud SDK with the AK/SK)');
      lines.push(`  in a browser: ${service.url}/explorer (API Explorer), ${service.url}/console (web console)`);
      process.stderr.write(`${lines.join('\n')}\n`);
      if (config.ephemeral && boot.credentials) {
        const exports = {
          POOLKEEPER_ENDPOINT: service.url,
          POOLKEEPER_PROJECT_ID: boot.credentials.projectId,
          POOLKEEPER_AK: boot.credentials.accessKey,
          POOLKEEPER_SK: boot.credentials.secretKey,
        };
        process.stdout.write(Object.entries(exports).map(([name, value]) => `export ${name}=${shellQuote(value)}\n`).join(''));
      }
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`poolkeeper: ${signal} again, exiting now\n`);
          process.exit(1);
        }
        stopping = true;
        process.stderr.write(`poolkeeper: ${signal}, stopping: in-flight requests finish, then the store closes\n`);
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`poolkeeper: stopping failed: ${(error as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      // SIGHUP too (a closed terminal, a supervisor's hangup): its default would end the process without a clean stop.
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
    });
}
