import { Option, type Command } from 'commander';
import { ApiCallError, type PoolApi } from '../client/api.js';
import type { CreatePoolBody, PatchPoolBody, Pool } from '../schemas/pool.js';
import type { NodeOutcome } from '../domain/operation-progress.js';
import { reportOutcomes, waitForNodes } from './batch.js';
import { action, checkOutputOptions, poolIdOf, POOL_ARGUMENT_HELP, timeoutOf, withExitCodes, withOutputOptions, withWaitOptions } from './common.js';
import { connect, withConnectionOptions, type ConnectionOptions } from './connection.js';
import { CliError, EXIT, usageError, type ExitCode } from './exit-codes.js';
import { printDocument, type OutputOptions, type View } from './output.js';
import { Progress, sleep } from './progress.js';

type FlavorCount = Array<{ flavor: string; count: number }>;

function nodeCount(pool: Pool, bucket?: keyof Pool['status']['resources']): number {
  const buckets = bucket ? [pool.status.resources[bucket]] : Object.values(pool.status.resources);
  return buckets.reduce((sum, entries) => sum + (entries as FlavorCount | undefined ?? []).reduce((s, e) => s + e.count, 0), 0);
}

const POOL_VIEW: View<Pool> = {
  columns: [
    { header: 'NAME', value: (p) => p.metadata.name },
    { header: 'PHASE', value: (p) => p.status.phase },
    { header: 'AVAILABLE', value: (p) => `${nodeCount(p, 'available')}/${nodeCount(p)}` },
    { header: 'FLAVORS', value: (p) => p.spec.resources.map((r) => `${r.flavor}×${r.count}`).join(',') },
  ],
  wide: [
    { header: 'SCOPE', value: (p) => p.spec.scope.join(',') },
    { header: 'DRIVER', value: (p) => Object.entries(p.status.driver ?? {}).map(([kind, d]) => `${kind} ${d!.version} (${d!.state})`).join(',') },
    { header: 'CREATED', value: (p) => p.metadata.creationTimestamp },
  ],
  name: (p) => p.metadata.name,
};

function positiveInteger(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw usageError(`${option} must be a whole number of at least 1, got "${text}"`);
  return value;
}

function labels(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of values ?? []) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw usageError(`--label "${text}" must be KEY=VALUE`);
    out[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return out;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Waits until the pool's new nodes (those not in `before`) are no longer Creating (Available: succeeded; any other
 * phase: failed) and the removed ones (in `before`, now Deleting) are gone; progress per node on stderr. Answers
 * whether it ended in time, and the outcomes.
 */
async function waitForPoolNodes(api: PoolApi, pool: string, label: string, before: ReadonlySet<string>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const nodes = await api.listNodes(pool);
  const now = new Set(nodes.map((n) => n.metadata.name));
  const created = new Map<string, NodeOutcome>();
  const removed = new Map<string, NodeOutcome>();
  for (const node of nodes) {
    const name = node.metadata.name;
    if (!before.has(name)) created.set(name, { name, status: 'in-progress', operationId: '' });
    else if (node.status.phase === 'Deleting') removed.set(name, { name, status: 'in-progress', operationId: '' });
  }
  for (const name of before) if (!now.has(name)) removed.set(name, { name, status: 'succeeded', operationId: '' });
  const createdInTime = await waitForNodes(api, pool, label, 'create', created, Math.max(0, deadline - Date.now()));
  const removedInTime = createdInTime && (await waitForNodes(api, pool, `${label} (removals)`, 'delete', removed, Math.max(0, deadline - Date.now())));
  return { done: removedInTime, outcomes: new Map([...created, ...removed]) };
}

type PoolCommandOptions = ConnectionOptions & OutputOptions & { wait?: boolean; timeout?: string };

/** Prints the pool (or, after --wait, the node outcomes) and answers the exit code. */
async function finish(api: PoolApi, pool: string, label: string, options: PoolCommandOptions, before: ReadonlySet<string>): Promise<ExitCode> {
  if (!options.wait) {
    const current = await api.getPool(pool);
    await printDocument(current, [current], POOL_VIEW, options);
    return EXIT.ok;
  }
  const { done, outcomes } = await waitForPoolNodes(api, pool, label, before, timeoutOf(options));
  return reportOutcomes(pool, label, [], outcomes, options, !done);
}

/** `poolkeeper pools ...`. */
export function registerPoolCommands(program: Command): void {
  const pools = program.command('pools').description('List, show, create, scale and delete pools.');

  withExitCodes(withConnectionOptions(withOutputOptions(pools.command('list'))))
    .description('List the project’s pools.')
    .option('--label-selector <selector>', 'ListPools labelSelector: k=v, k!=v, k or !k, comma-joined')
    .addOption(new Option('--status <status>', 'ListPools status filter').choices(['created', 'creating', 'failed']))
    .action(
      action(async (options: PoolCommandOptions & { labelSelector?: string; status?: 'created' | 'creating' | 'failed' }) => {
        await checkOutputOptions(options);
        const { api } = await connect(options);
        const items = await api.listPools({ ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}), ...(options.status ? { status: options.status } : {}) });
        await printDocument(items, items, POOL_VIEW, options);
        return EXIT.ok;
      }),
    );

  withExitCodes(withConnectionOptions(withOutputOptions(pools.command('show'))))
    .description('Show one pool.')
    .argument('<pool>', POOL_ARGUMENT_HELP)
    .action(
      action(async (poolArg: string, options: PoolCommandOptions) => {
        await checkOutputOptions(options);
        const { api } = await connect(options);
        const pool = await api.getPool(poolIdOf(api, poolArg));
        await printDocument(pool, [pool], POOL_VIEW, options);
        return EXIT.ok;
      }),
    );

  withExitCodes(withConnectionOptions(withOutputOptions(withWaitOptions(pools.command('create'), 'every node is Available'))))
    .description('Create a pool of one flavor (CreatePool); the pool id is <name>-<project id>.')
    .argument('<name>', 'display name: 4-25 lowercase letters, digits or -, starting with a letter')
    .requiredOption('--flavor <flavor>', 'node flavor, e.g. modelarts.vm.gpu.t4u8')
    .requiredOption('--count <n>', 'number of nodes')
    .option('--scope <scopes>', 'comma-joined Train, Infer, Notebook', 'Train')
    .option('--network <name>', 'network name (default network-<name>)')
    .option('--node-prefix <prefix>', 'prefix of node names (default os-node-created)')
    .option('--label <key=value>', 'a pool label (repeatable)', collect)
    .action(
      action(async (name: string, options: PoolCommandOptions & { flavor: string; count: string; scope: string; network?: string; nodePrefix?: string; label?: string[] }) => {
        await checkOutputOptions(options);
        timeoutOf(options);
        const { LABEL_NODE_PREFIX, LABEL_POOL_DISPLAY_NAME } = await import('../schemas/pool.js');
        const body: CreatePoolBody = {
          apiVersion: 'v2',
          kind: 'Pool',
          metadata: { labels: { ...labels(options.label), [LABEL_POOL_DISPLAY_NAME]: name, ...(options.nodePrefix ? { [LABEL_NODE_PREFIX]: options.nodePrefix } : {}) } },
          spec: {
            type: 'Dedicate',
            scope: options.scope.split(',').map((s) => s.trim()) as CreatePoolBody['spec']['scope'],
            network: { name: options.network ?? `network-${name}` },
            resources: [{ flavor: options.flavor, count: positiveInteger(options.count, '--count') }],
          },
        };
        const { api } = await connect(options);
        const pool = await api.createPool(body);
        return finish(api, pool.metadata.name, `create ${name}`, options, new Set());
      }),
    );

  withExitCodes(withConnectionOptions(withOutputOptions(withWaitOptions(pools.command('scale'), 'new nodes are Available and removed ones gone'))))
    .description('Set the number of nodes of one flavor (PatchPool spec.resources); scaling down removes unlocked nodes, unhealthy first.')
    .argument('<pool>', POOL_ARGUMENT_HELP)
    .requiredOption('--count <n>', 'the number of nodes of the flavor')
    .option('--flavor <flavor>', 'which flavor (required when the pool has several; a new one is added)')
    .action(
      action(async (poolArg: string, options: PoolCommandOptions & { count: string; flavor?: string }) => {
        await checkOutputOptions(options);
        timeoutOf(options);
        const count = positiveInteger(options.count, '--count');
        const { api } = await connect(options);
        const poolId = poolIdOf(api, poolArg);
        const current = await api.getPool(poolId);
        const flavors = current.spec.resources.map((r) => r.flavor);
        const flavor = options.flavor ?? (flavors.length === 1 ? flavors[0]! : undefined);
        if (flavor === undefined) throw usageError(`pool ${poolId} has several flavors (${flavors.join(', ')}): say which with --flavor`);
        const resources = flavors.includes(flavor)
          ? current.spec.resources.map((r) => (r.flavor === flavor ? { ...r, count, ...(r.maxCount !== undefined ? { maxCount: count } : {}) } : r))
          : [...current.spec.resources, { flavor, count }];
        const body: PatchPoolBody = { spec: { resources } };
        const before = new Set((await api.listNodes(poolId)).map((n) => n.metadata.name));
        await api.patchPool(poolId, body);
        return finish(api, poolId, `scale ${poolId}`, options, before);
      }),
    );

  withExitCodes(withConnectionOptions(withOutputOptions(withWaitOptions(pools.command('delete'), 'the pool is gone'))))
    .description('Delete a pool (its nodes go Deleting, then the pool disappears).')
    .argument('<pool>', POOL_ARGUMENT_HELP)
    .action(
      action(async (poolArg: string, options: PoolCommandOptions) => {
        await checkOutputOptions(options);
        const timeoutMs = timeoutOf(options);
        const { api } = await connect(options);
        const poolId = poolIdOf(api, poolArg);
        const pool = await api.deletePool(poolId);
        if (!options.wait) {
          await printDocument(pool, [pool], POOL_VIEW, options);
          return EXIT.ok;
        }
        const deadline = Date.now() + timeoutMs;
        const progress = new Progress(`delete ${poolId}`, 1);
        try {
          for (;;) {
            try {
              await api.getPool(poolId);
            } catch (error) {
              if (error instanceof ApiCallError && error.status === 404) {
                progress.complete({ name: poolId, status: 'succeeded' });
                await printDocument({ pool: poolId, deleted: true }, [pool], POOL_VIEW, options);
                return EXIT.ok;
              }
              throw error;
            }
            if (Date.now() >= deadline) throw new CliError(`pool ${poolId} still exists after ${options.timeout}`, EXIT.timedOut);
            await sleep(250);
          }
        } finally {
          progress.stop();
        }
      }),
    );
}
