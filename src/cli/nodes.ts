import { Option, type Command } from 'commander';
import type { BatchCall, PoolApi } from '../client/api.js';
import { checkBatchUpdateRequest, checkNodeName } from '../domain/batch-update-request.js';
import { ANNOTATION_DRAIN, ANNOTATION_LOCK, ANNOTATION_TAGS, LABEL_HA_REDUNDANT, TAINT_HA_REDUNDANT } from '../domain/node.js';
import type { BatchUpdateBody } from '../schemas/batch-update.js';
import { DRIVER_UPDATE_STRATEGIES, TAINT_EFFECTS, type Node } from '../schemas/node.js';
import type { WaitKind } from '../domain/operation-progress.js';
import { chunk, printDryRun, runBatch, type BatchPlan } from './batch.js';
import { action, checkOutputOptions, poolIdOf, POOL_ARGUMENT_HELP, timeoutOf, withExitCodes, withOutputOptions, withWaitOptions } from './common.js';
import { connect, withConnectionOptions, type ConnectionOptions } from './connection.js';
import { EXIT, usageError } from './exit-codes.js';
import { printDocument, type OutputOptions, type View } from './output.js';
import { matchesNode, parseNodeSelector, type SelectorTerm } from './selector.js';

const SELECTOR_HELP =
  'select nodes: comma-joined terms that all hold, KEY=V, KEY!=V, KEY in (A,B), KEY notin (A,B), KEY, !KEY; KEY is a label ' +
  '(or label:KEY), tag:KEY, taint:KEY, or phase, flavor, az, driver, driver-phase';

/** ModelArts' own batch limit, used when the service's OpenAPI document does not publish one. */
const DEFAULT_BATCH_LIMIT = 10_000;

function tagsOf(node: Node): Array<{ key: string; value: string }> {
  const raw = node.metadata.annotations[ANNOTATION_TAGS];
  return raw ? (JSON.parse(raw) as Array<{ key: string; value: string }>) : [];
}

const NODE_VIEW: View<Node> = {
  columns: [
    { header: 'NAME', value: (n) => n.metadata.name },
    { header: 'PHASE', value: (n) => n.status.phase },
    { header: 'FLAVOR', value: (n) => n.spec.flavor },
    { header: 'DRIVER', value: (n) => (n.status.driver ? `${n.status.driver.version} (${n.status.driver.phase})` : '') },
    { header: 'TAGS', value: (n) => tagsOf(n).map((t) => `${t.key}=${t.value}`).join(',') },
    { header: 'TAINTS', value: (n) => n.status.taints.map((t) => `${t.key}:${t.effect}`).join(',') },
  ],
  wide: [
    { header: 'AZ', value: (n) => n.status.az },
    { header: 'IP', value: (n) => n.status.privateIp },
    { header: 'LOCKED', value: (n) => n.metadata.annotations[ANNOTATION_LOCK] ?? '' },
    { header: 'DRAIN', value: (n) => n.metadata.annotations[ANNOTATION_DRAIN] ?? '' },
    { header: 'CREATED', value: (n) => n.metadata.creationTimestamp },
  ],
  name: (n) => n.metadata.name,
};

interface TargetOptions extends ConnectionOptions, OutputOptions {
  selector?: string;
  all?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  timeout?: string;
}

/** Exactly one of: names, a selector, --all. The selector is parsed before anything is sent. */
function targetMode(names: string[], options: TargetOptions): { kind: 'names' } | { kind: 'selector'; terms: SelectorTerm[] } | { kind: 'all' } {
  const given = [names.length > 0, options.selector !== undefined, Boolean(options.all)].filter(Boolean).length;
  if (given !== 1) throw usageError('name the nodes, or select them with -l SELECTOR, or use --all (exactly one of the three)');
  for (const name of names) {
    const problem = checkNodeName(name);
    if (problem) throw usageError(`node name "${name}" ${problem}`);
  }
  if (options.selector !== undefined) return { kind: 'selector', terms: parseNodeSelector(options.selector) };
  return options.all ? { kind: 'all' } : { kind: 'names' };
}

/** The target nodes' names, and their objects when the pool had to be listed (selector, --all, or `needNodes`). */
async function resolveTargets(api: PoolApi, pool: string, names: string[], mode: ReturnType<typeof targetMode>, needNodes: boolean) {
  if (mode.kind === 'names' && !needNodes) return { names, nodes: new Map<string, Node>() };
  const listed = await api.listNodes(pool);
  const nodes = new Map(listed.map((n) => [n.metadata.name, n]));
  if (mode.kind === 'names') return { names, nodes };
  const selected = mode.kind === 'all' ? listed : listed.filter((n) => matchesNode(n, mode.terms));
  return { names: selected.map((n) => n.metadata.name), nodes };
}

/**
 * The request-level rules the service applies to what a user can type (node names, tags, driver version), checked
 * with the service's own functions before anything is sent: breaking one is a usage error (exit 2). The body's shape
 * is the CLI's to get right; anything else the service refuses answers exit 1 with its message.
 */
function checked(call: BatchCall): BatchCall {
  const problem =
    call.path === 'batch-update'
      ? checkBatchUpdateRequest(call.body)
      : duplicateName(call.path === 'batch-delete' ? call.body.deleteNodeNames : call.body.nodeNames);
  if (problem) throw usageError(`the request would be refused: ${problem}`);
  return call;
}

function duplicateName(names: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return `duplicate node name ${JSON.stringify(name)}`;
    seen.add(name);
  }
  return null;
}

/** The most node names one call of this kind takes, as the service publishes it (read only when there is more than one). */
async function limitFor(api: PoolApi, path: BatchCall['path'], count: number): Promise<number> {
  if (count <= 1) return DEFAULT_BATCH_LIMIT;
  return (await api.publishedLimit(path)) ?? DEFAULT_BATCH_LIMIT;
}

type CallsFor = (names: string[], nodes: ReadonlyMap<string, Node>, limit: number) => BatchCall[];

interface Verb {
  /** `nodes <name>` (or `nodes ha <name>`). */
  name: string;
  description: string;
  path: BatchCall['path'];
  wait: WaitKind;
  /** What --wait waits for (async verbs only). */
  waitsFor?: string;
  /** The command needs every named node's object (upgrade-driver keeps each node's HA state). */
  needNodes?: boolean;
  options?: (command: Command) => Command;
  calls: (options: Record<string, unknown>) => CallsFor;
}

const simple = (path: Exclude<BatchCall['path'], 'batch-update'>): ((options: Record<string, unknown>) => CallsFor) => () => (names, _nodes, limit) =>
  chunk(names, limit).map((part): BatchCall => {
    switch (path) {
      case 'batch-lock':
      case 'batch-unlock':
        return { path, body: { nodeNames: part, actions: ['delete'] } };
      case 'batch-delete':
        return { path, body: { deleteNodeNames: part } };
      default:
        return { path, body: { nodeNames: part } };
    }
  });

const update = (body: (options: Record<string, unknown>) => Omit<BatchUpdateBody, 'nodeNames'>) => (options: Record<string, unknown>): CallsFor => {
  const rest = body(options);
  return (names, _nodes, limit) => chunk(names, limit).map((part): BatchCall => ({ path: 'batch-update', body: { nodeNames: part, ...rest } }));
};

function parseTags(values: string[] | undefined, valueRequired: boolean): Array<{ key: string; value: string }> {
  if (!values || values.length === 0) throw usageError(`give at least one --tag ${valueRequired ? 'KEY=VALUE' : 'KEY[=VALUE]'}`);
  return values.map((text) => {
    const eq = text.indexOf('=');
    if (eq < 0) {
      if (valueRequired) throw usageError(`--tag "${text}" needs a value: KEY=VALUE`);
      return { key: text, value: '' };
    }
    return { key: text.slice(0, eq), value: text.slice(eq + 1) };
  });
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * The batch-update API needs an action beside `driver`; upgrade-driver sends, for each node, the HA action that keeps
 * its HA state as it is (open with its effect, or close), so the upgrade changes nothing else.
 */
function upgradeCalls(options: Record<string, unknown>): CallsFor {
  const driver = { version: String(options.version), ...(options.strategy ? { updateStrategy: options.strategy as (typeof DRIVER_UPDATE_STRATEGIES)[number] } : {}) };
  return (names, nodes, limit) => {
    const groups = new Map<string, string[]>();
    for (const name of names) {
      const node = nodes.get(name);
      const open = node?.metadata.labels[LABEL_HA_REDUNDANT] === 'true';
      const effect = open ? (node!.status.taints.find((t) => t.key === TAINT_HA_REDUNDANT)?.effect ?? 'NoSchedule') : 'close';
      groups.set(effect, [...(groups.get(effect) ?? []), name]);
    }
    return [...groups].flatMap(([effect, group]) =>
      chunk(group, limit).map(
        (part): BatchCall => ({
          path: 'batch-update',
          body:
            effect === 'close'
              ? { nodeNames: part, action: 'closeHaRedundant', driver }
              : { nodeNames: part, action: 'openHaRedundant', haRedundantEffect: effect as (typeof TAINT_EFFECTS)[number], driver },
        }),
      ),
    );
  };
}

const VERBS: Verb[] = [
  {
    name: 'tag',
    description: 'Add or update resource tags on the nodes (createTags).',
    path: 'batch-update',
    wait: 'none',
    options: (c) => c.option('--tag <key=value>', 'a tag to set (repeatable)', collect),
    calls: update((o) => ({ action: 'createTags', tags: parseTags(o.tag as string[] | undefined, true) })),
  },
  {
    name: 'untag',
    description: 'Remove resource tags from the nodes (deleteTags); KEY removes the tag whatever its value, KEY=VALUE only with that value.',
    path: 'batch-update',
    wait: 'none',
    options: (c) => c.option('--tag <key[=value]>', 'a tag to remove (repeatable)', collect),
    calls: update((o) => ({ action: 'deleteTags', tags: parseTags(o.tag as string[] | undefined, false) })),
  },
  {
    name: 'upgrade-driver',
    description: 'Upgrade the nodes’ GPU/NPU driver (batch-update driver); each node keeps its HA state.',
    path: 'batch-update',
    wait: 'completion',
    waitsFor: 'every upgrade ended (driver Running or Abnormal)',
    needNodes: true,
    options: (c) =>
      c
        .requiredOption('--version <version>', 'the driver version to install')
        .addOption(new Option('--strategy <strategy>', 'force: now, stopping work; idle (default): isolate, then upgrade once idle').choices(DRIVER_UPDATE_STRATEGIES)),
    calls: upgradeCalls,
  },
  { name: 'lock', description: 'Lock the nodes against deletion (batch-lock, action delete).', path: 'batch-lock', wait: 'none', calls: simple('batch-lock') },
  { name: 'unlock', description: 'Unlock the nodes (batch-unlock, action delete).', path: 'batch-unlock', wait: 'none', calls: simple('batch-unlock') },
  {
    name: 'reboot',
    description: 'Reboot the nodes (batch-reboot): Checking, then Available again.',
    path: 'batch-reboot',
    wait: 'completion',
    waitsFor: 'every reboot ended',
    calls: simple('batch-reboot'),
  },
  {
    name: 'drain',
    description: 'Drain the nodes (batch-drain; the service takes 10 nodes per request: larger selections are sent in several).',
    path: 'batch-drain',
    wait: 'drain',
    waitsFor: 'every node is Drained (its work reached zero)',
    calls: simple('batch-drain'),
  },
  {
    name: 'delete',
    description: 'Delete the nodes (batch-delete; all or nothing per request).',
    path: 'batch-delete',
    wait: 'delete',
    waitsFor: 'every node is gone',
    calls: simple('batch-delete'),
  },
];

const HA_VERBS: Verb[] = [
  {
    name: 'open',
    description: 'Put the nodes into HA-redundant standby (openHaRedundant): label and taint.',
    path: 'batch-update',
    wait: 'none',
    options: (c) => c.addOption(new Option('--effect <effect>', 'the HA taint’s effect (default NoSchedule)').choices(TAINT_EFFECTS)),
    calls: update((o) => ({ action: 'openHaRedundant', ...(o.effect ? { haRedundantEffect: o.effect as (typeof TAINT_EFFECTS)[number] } : {}) })),
  },
  {
    name: 'close',
    description: 'Take the nodes out of HA-redundant standby (closeHaRedundant).',
    path: 'batch-update',
    wait: 'none',
    calls: update(() => ({ action: 'closeHaRedundant' })),
  },
];

function registerVerb(parent: Command, verb: Verb, label: string): void {
  let command = parent
    .command(verb.name)
    .summary(verb.description)
    .description(`${verb.description} Takes node names, -l SELECTOR or --all; each failed node is printed with its code and reason.`)
    .argument('<pool>', POOL_ARGUMENT_HELP)
    .argument('[nodes...]', 'node names')
    .option('-l, --selector <selector>', SELECTOR_HELP)
    .option('--all', 'every node of the pool')
    .option('--dry-run', 'print the resolved nodes and the requests it would send; send nothing');
  if (verb.options) command = verb.options(command);
  if (verb.waitsFor) command = withWaitOptions(command, verb.waitsFor);
  withExitCodes(withConnectionOptions(withOutputOptions(command)));
  command.action(
    action(async (poolArg: string, names: string[], options: TargetOptions & Record<string, unknown>) => {
      await checkOutputOptions(options);
      const mode = targetMode(names, options);
      const timeoutMs = timeoutOf(options);
      const buildCalls = verb.calls(options);
      const { api } = await connect(options);
      const pool = poolIdOf(api, poolArg);
      const targets = await resolveTargets(api, pool, names, mode, verb.needNodes === true);
      if (targets.names.length === 0) {
        process.stderr.write(`${label}: no nodes selected; nothing to do\n`);
        return EXIT.ok;
      }
      const limit = await limitFor(api, verb.path, targets.names.length);
      const calls = buildCalls(targets.names, targets.nodes, limit).map(checked);
      const plan: BatchPlan = { pool, action: label, nodes: targets.names, calls, wait: verb.wait };
      if (options.dryRun) return printDryRun(api, plan, options);
      return runBatch(api, plan, { ...options, timeoutMs });
    }),
  );
}

/** `poolkeeper nodes ...`: list and show nodes, and one verb per batch operation. */
export function registerNodeCommands(program: Command): void {
  const nodes = program.command('nodes').description('List and show a pool’s nodes, and change them in batches.');

  withExitCodes(withConnectionOptions(withOutputOptions(nodes.command('list'))))
    .description('List the pool’s nodes (every page), optionally only those a selector picks.')
    .argument('<pool>', POOL_ARGUMENT_HELP)
    .option('-l, --selector <selector>', SELECTOR_HELP)
    .action(
      action(async (poolArg: string, options: TargetOptions) => {
        await checkOutputOptions(options);
        const terms = options.selector === undefined ? undefined : parseNodeSelector(options.selector);
        const { api } = await connect(options);
        const listed = await api.listNodes(poolIdOf(api, poolArg));
        const items = terms ? listed.filter((n) => matchesNode(n, terms)) : listed;
        await printDocument(items, items, NODE_VIEW, options);
        return EXIT.ok;
      }),
    );

  withExitCodes(withConnectionOptions(withOutputOptions(nodes.command('show'))))
    .description('Show one node.')
    .argument('<pool>', POOL_ARGUMENT_HELP)
    .argument('<node>', 'node name')
    .action(
      action(async (poolArg: string, name: string, options: ConnectionOptions & OutputOptions) => {
        await checkOutputOptions(options);
        const { api } = await connect(options);
        const node = await api.getNode(poolIdOf(api, poolArg), name);
        await printDocument(node, [node], NODE_VIEW, options);
        return EXIT.ok;
      }),
    );

  const ha = nodes.command('ha').description('HA-redundant standby: open or close.');
  for (const verb of HA_VERBS) registerVerb(ha, verb, `ha ${verb.name}`);
  for (const verb of VERBS) registerVerb(nodes, verb, verb.name);
}

