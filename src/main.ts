#!/usr/bin/env node
import { Command } from 'commander';
import { credentialsPath, readSavedCredentials } from './bootstrap.js';
import { ConfigError, loadConfig, maskPasswords } from './config.js';
import { PoolkeeperClient } from './client/client.js';
import { registerAdminCommands } from './cli/admin.js';
import { describeCliFailure, parseJsonOption } from './cli/errors.js';
import { startService } from './serve.js';
import { openStore } from './store/open-store.js';

// A reader that stops early (`poolkeeper request ... | head`) closes the pipe: that ends the output, it is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command()
  .name('poolkeeper')
  .description('A self-hostable control plane for AI compute node pools that speaks the ModelArts v2 resource-pool API.');

program
  .command('serve', { isDefault: true })
  .description('Start the service (configured by PORT, HOST and POOLKEEPER_* environment variables; see the README).')
  .action(async () => {
    const config = loadConfig();
    const service = await startService(config);
    const { bootstrap: boot } = service;
    const lines = [`poolkeeper listening on ${service.url}  (database: ${maskPasswords(config.databaseUrl)})`];
    if (boot.credentials) {
      lines.push(`  project id : ${boot.credentials.projectId}`, `  access key : ${boot.credentials.accessKey}`);
      if (boot.created) lines.push(`  secret key : ${boot.credentials.secretKey}   (shown once; saved below)`);
      lines.push(`  credentials: ${boot.credentialsFile} (owner-only)`);
    } else {
      lines.push(`  credentials: created on first start; ${boot.credentialsFile} is missing, so they are not shown`);
    }
    if (boot.demoPool) lines.push(`  demo pool  : ${boot.demoPool} (8 simulated nodes)`);
    lines.push(
      '  authenticate: sign requests with the AK/SK (any Huawei Cloud SDK, or `./bin/poolkeeper request GET /v2/{project_id}/pools`)',
    );
    // For the person who started it; stdout carries only the JSON log lines.
    process.stderr.write(`${lines.join('\n')}\n`);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await service.stop();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

const admin = program.command('admin').description('Administer the configured store (POOLKEEPER_DATABASE_URL).');

admin
  .command('migrate')
  .description('Bring the database schema to the latest version (the service also does this on start).')
  .action(async () => {
    const config = loadConfig();
    const { store } = await openStore(config);
    try {
      await store.migrate();
      process.stdout.write(`${store.dialect} database is at the latest schema\n`);
    } finally {
      await store.close();
    }
  });

registerAdminCommands(admin);

program
  .command('request')
  .description('Send one signed request and print the status, X-Request-Id and JSON answer. "{project_id}" in PATH is replaced.')
  .argument('<method>', 'HTTP method, e.g. GET or POST')
  .argument('<path>', 'e.g. /v2/{project_id}/pools')
  .option('-d, --data <json>', 'JSON request body')
  .option('--endpoint <url>', 'service URL (default: POOLKEEPER_ENDPOINT, the saved credentials, or http://127.0.0.1:9710)')
  .option('--ak <accessKey>', 'access key (default: POOLKEEPER_AK or the saved credentials)')
  .option('--sk <secretKey>', 'secret key (default: POOLKEEPER_SK or the saved credentials)')
  .option('--project <projectId>', 'project id (default: POOLKEEPER_PROJECT_ID or the saved credentials)')
  .option('--credentials <file>', 'saved credentials file (default: <data dir>/credentials.json)')
  .action(async (method: string, path: string, options: Record<string, string | undefined>) => {
    const config = loadConfig();
    const saved = readSavedCredentials(options.credentials ?? credentialsPath(config.dataDir));
    const accessKey = options.ak ?? process.env.POOLKEEPER_AK ?? saved?.accessKey;
    const secretKey = options.sk ?? process.env.POOLKEEPER_SK ?? saved?.secretKey;
    const projectId = options.project ?? process.env.POOLKEEPER_PROJECT_ID ?? saved?.projectId;
    const endpoint = options.endpoint ?? process.env.POOLKEEPER_ENDPOINT ?? saved?.endpoint ?? `http://127.0.0.1:${config.port}`;
    if (!accessKey || !secretKey) throw new ConfigError('no credentials: start the service once, or pass --ak/--sk (or POOLKEEPER_AK/POOLKEEPER_SK)');
    if (options.data !== undefined) parseJsonOption(options.data, '--data');
    const client = new PoolkeeperClient(endpoint, { accessKey, secretKey });
    const resolvedPath = projectId ? path.replaceAll('{project_id}', projectId) : path;
    const response = await client.request(method.toUpperCase(), resolvedPath, options.data);
    process.stdout.write(`HTTP ${response.status}\nX-Request-Id: ${response.requestId ?? '-'}\n`);
    const operationId = response.headers.get('x-operation-id');
    if (operationId) process.stdout.write(`X-Operation-Id: ${operationId}\n`);
    process.stdout.write(`${typeof response.body === 'string' ? response.body : JSON.stringify(response.body, null, 2)}\n`);
    if (response.status >= 400) process.exitCode = 1;
  });

let running: string | undefined;
program.hook('preAction', (_program, command) => {
  const names: string[] = [];
  for (let c: Command | null = command; c && c !== program; c = c.parent) names.unshift(c.name());
  running = names.join(' ');
});

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${maskPasswords(describeCliFailure(error, running))}\n`);
  process.exit(1);
});
