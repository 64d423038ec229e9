import { Option, type Command } from 'commander';
import type { Operation } from '../client/api.js';
import { MAX_OPERATION_PAGE, OPERATION_KINDS } from '../schemas/operation-kinds.js';
import type { OperationSummary } from '../schemas/operation.js';
import { outcomesOf, waitKindOf } from '../domain/operation-progress.js';
import { reportOutcomes, waitForNodes } from './batch.js';
import { action, checkOutputOptions, poolIdOf, POOL_ARGUMENT_HELP, timeoutOf, withExitCodes, withOutputOptions } from './common.js';
import { connect, withConnectionOptions, type ConnectionOptions } from './connection.js';
import { EXIT, usageError } from './exit-codes.js';
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

/** Where a record's nodes stand, e.g. `5 done, 2 failed, 2 running`; `-` for drains and deletions (not tracked). */
function progressText(item: OperationSummary): string {
  if (item.completion === null) return '-';
  const { succeeded, failed, pending } = item.completion;
  return [`${succeeded} done`, ...(failed > 0 ? [`${failed} failed`] : []), ...(pending > 0 ? [`${pending} running`] : [])].join(', ');
}

const SUMMARY_VIEW: View<OperationSummary> = {
  columns: [
    { header: 'ID', value: (o) => o.id },
    { header: 'OPERATION', value: (o) => o.operation },
    { header: 'ACTION', value: (o) => o.action ?? '' },
    { header: 'POOL', value: (o) => o.poolName },
    { header: 'NODES', value: (o) => String(o.successCount + o.failCount) },
    { header: 'PROGRESS', value: progressText },
  ],
  wide: [
    { header: 'PRINCIPAL', value: (o) => o.principal },
    { header: 'CREATED', value: (o) => o.creationTimestamp },
    { header: 'REQUEST', value: (o) => o.requestId },
  ],
  name: (o) => o.id,
};

interface ListOptions extends ConnectionOptions, OutputOptions {
  pool?: string;
  kind?: (typeof OPERATION_KINDS)[number];
  node?: string;
  limit: string;
}

/** `poolkeeper operations list|show|wait`: batch calls' records, and waiting for the work they started. */
export function registerOperationCommands(program: Command): void {
  const operations = program.command('operations').description('Operation records of batch calls (the X-Operation-Id of their answers).');

  withExitCodes(withConnectionOptions(withOutputOptions(operations.command('list'))))
    .description('List the project’s operation records, newest first, with where each one’s nodes stand (PROGRESS; - for drains and deletions).')
    .option('--pool <pool>', `only this pool’s records: ${POOL_ARGUMENT_HELP}`)
    .addOption(new Option('--kind <operation>', 'only the records of this operation').choices(OPERATION_KINDS))
    .option('--node <node>', 'only the records that name this node (with --pool)')
    .option('--limit <n>', 'show at most this many records (pages are read until there are as many, or none is left)', '50')
    .action(
      action(async (options: ListOptions) => {
        await checkOutputOptions(options);
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit must be a whole number of at least 1, got "${options.limit}"`);
        if (options.node !== undefined && options.pool === undefined) throw usageError('--node needs --pool: node names are unique only within a pool');
        const { api } = await connect(options);
        const filters = {
          ...(options.pool === undefined ? {} : { pool: poolIdOf(api, options.pool) }),
          ...(options.kind === undefined ? {} : { kind: options.kind }),
          ...(options.node === undefined ? {} : { node: options.node }),
        };
        const items: OperationSummary[] = [];
        let next: string | undefined;
        do {
          const page = await api.listOperations({ ...filters, limit: String(Math.min(limit - items.length, MAX_OPERATION_PAGE)), ...(next === undefined ? {} : { continue: next }) });
          items.push(...page.items);
          next = page.continue;
        } while (next !== undefined && items.length < limit);
        await printDocument(items, items, SUMMARY_VIEW, options);
        return EXIT.ok;
      }),
    );

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
