import type { Command } from 'commander';
import type { Operation } from '../client/api.js';
import { outcomesOf, reportOutcomes, waitForNodes, waitKindOf } from './batch.js';
import { action, checkOutputOptions, timeoutOf, withExitCodes, withOutputOptions } from './common.js';
import { connect, withConnectionOptions, type ConnectionOptions } from './connection.js';
import { EXIT } from './exit-codes.js';
import { printDocument, type OutputOptions, type View } from './output.js';

type Entry = Operation['nodes'][number];

const ENTRY_VIEW: View<Entry> = {
  columns: [
    { header: 'NODE', value: (e) => e.name },
    { header: 'STATUS', value: (e) => e.status },
    { header: 'CODE', value: (e) => e.errorCode ?? e.completion?.errorCode ?? '' },
    { header: 'REASON', value: (e) => e.errorMsg ?? e.completion?.errorMsg ?? '' },
    { header: 'COMPLETION', value: (e) => e.completion?.status ?? '' },
  ],
  wide: [{ header: 'COMPLETED', value: (e) => e.completion?.completionTimestamp ?? '' }],
  name: (e) => e.name,
};

/** `poolkeeper operations show|wait ID`: a batch call's record, and waiting for the work it started. */
export function registerOperationCommands(program: Command): void {
  const operations = program.command('operations').description('Operation records of batch calls (the X-Operation-Id of their answers).');

  withExitCodes(withConnectionOptions(withOutputOptions(operations.command('show'))))
    .description('Show an operation record: who, what, and each node’s result with its code and reason.')
    .argument('<id>', 'operation id')
    .action(
      action(async (id: string, options: ConnectionOptions & OutputOptions) => {
        await checkOutputOptions(options);
        const { api } = await connect(options);
        const record = await api.operation(id);
        await printDocument(record, record.nodes, ENTRY_VIEW, options);
        return EXIT.ok;
      }),
    );

  withExitCodes(withConnectionOptions(withOutputOptions(operations.command('wait'))))
    .description(
      'Wait until the work an operation started has ended on every node it accepted (upgrades and reboots: their completion; ' +
        'drains: Drained; deletions: gone), with live progress on stderr; the exit code says how it ended.',
    )
    .argument('<id>', 'operation id')
    .option('--timeout <duration>', 'how long to wait, e.g. 90s, 5m (default 5m); exit 5 when it runs out', '5m')
    .action(
      action(async (id: string, options: ConnectionOptions & OutputOptions & { timeout: string }) => {
        await checkOutputOptions(options);
        const timeoutMs = timeoutOf(options);
        const { api } = await connect(options);
        const record = await api.operation(id);
        const wait = waitKindOf(record.operation);
        const outcomes = outcomesOf(record, wait);
        const done = await waitForNodes(api, record.poolName, `${record.operation} ${id}`, wait, outcomes, timeoutMs);
        return reportOutcomes(record.poolName, record.operation, [id], outcomes, options, !done);
      }),
    );
}
