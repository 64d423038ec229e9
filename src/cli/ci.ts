import type { Command } from 'commander';
import { send } from '../client/client.js';
import { action, checkOutputOptions, withExitCodes, withOutputOptions } from './common.js';
import { connect, resolveEndpoint, withConnectionOptions, type ConnectionOptions } from './connection.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import { printDocument, type OutputOptions, type View } from './output.js';
import { parseDuration, sleep } from './progress.js';

const RESTORED_VIEW: View<[string, number]> = {
  columns: [
    { header: 'TABLE', value: ([table]) => table },
    { header: 'ROWS', value: ([, rows]) => String(rows) },
  ],
  name: ([table]) => table,
};

/** `poolkeeper reset` and `poolkeeper wait-ready`: what a CI script needs around its tests. */
export function registerCiCommands(program: Command): void {
  withExitCodes(withConnectionOptions(withOutputOptions(program.command('reset'))))
    .summary('Put an ephemeral or seeded service back to its seed.')
    .description(
      'Put a service started with --ephemeral or --seed back to the state it had once started (POST /_poolkeeper/v1/reset), ' +
        'in one transaction and without a restart. Operator-account administrators only.',
    )
    .action(
      action(async (options: ConnectionOptions & OutputOptions) => {
        await checkOutputOptions(options);
        const { api } = await connect(options, false);
        const answer = await api.reset();
        await printDocument(answer, Object.entries(answer.restored), RESTORED_VIEW, options);
        return EXIT.ok;
      }),
    );

  withExitCodes(withConnectionOptions(program.command('wait-ready')))
    .summary('Wait until the service is ready (GET /readyz).')
    .description('Wait until the service answers GET /readyz with 200 (its database answers); needs no credentials.')
    .option('--timeout <duration>', 'how long to wait, e.g. 30s, 2m (default 60s); exit 5 when it runs out', '60s')
    .action(
      action(async (options: ConnectionOptions & { timeout: string }) => {
        const timeoutMs = parseDuration(options.timeout);
        if (timeoutMs === undefined) throw usageError(`--timeout must be a duration such as 30s or 2m, got "${options.timeout}"`);
        const endpoint = resolveEndpoint(options);
        const url = new URL('/readyz', endpoint);
        const deadline = Date.now() + timeoutMs;
        let last = 'no answer yet';
        for (;;) {
          try {
            const response = await send(url, { signal: AbortSignal.timeout(Math.max(1_000, Math.min(5_000, deadline - Date.now()))) });
            await response.body?.cancel();
            if (response.status === 200) {
              process.stderr.write(`ready: ${endpoint}\n`);
              return EXIT.ok;
            }
            last = `GET /readyz answered ${response.status}`;
          } catch (error) {
            last = (error as Error).message;
          }
          if (Date.now() >= deadline) throw new CliError(`the service at ${endpoint} is not ready after ${options.timeout}: ${last}`, EXIT.timedOut);
          await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
        }
      }),
    );
}
