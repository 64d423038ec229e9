import type { BatchCall, PoolApi } from '../client/api.js';
import { observeProgress, outcomesOf, type NodeOutcome, type NodeStatus, type ProgressSource, type WaitKind } from '../domain/operation-progress.js';
import type { NodeFailure } from '../errors/catalogue.js';
import type { Node } from '../schemas/node.js';
import { EXIT, exitForFailures, type ExitCode } from './exit-codes.js';
import { printDocument, type OutputOptions, type View } from './output.js';
import { Progress, sleep, type NodeCompletion } from './progress.js';

/** The calls a batch command sends (already chunked), for which nodes, and how to wait for them. */
export interface BatchPlan {
  pool: string;
  /** The command, e.g. `reboot` or `tag`, for messages. */
  action: string;
  nodes: string[];
  calls: BatchCall[];
  wait: WaitKind;
}

export interface WaitOptions {
  wait?: boolean;
  timeoutMs: number;
}

const POLL_MS = 250;

const OUTCOME_VIEW: View<NodeOutcome> = {
  columns: [
    { header: 'NODE', value: (o) => o.name },
    { header: 'STATUS', value: (o) => o.status },
    { header: 'CODE', value: (o) => o.errorCode ?? '' },
    { header: 'REASON', value: (o) => o.errorMsg ?? '' },
  ],
  wide: [{ header: 'OPERATION', value: (o) => o.operationId }],
  name: (o) => o.name,
};

/** A per-node failure of the error catalogue as an outcome's code and reason. */
export function reason(failure: NodeFailure): Pick<NodeOutcome, 'errorCode' | 'errorMsg'> {
  return { errorCode: failure.code, errorMsg: failure.message };
}

/** Splits names into chunks of at most `limit`. */
export function chunk<T>(items: readonly T[], limit: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += limit) chunks.push(items.slice(i, i + limit));
  return chunks;
}

/** The service as a source of progress: operation records, and node states from the pool's node list. */
export function progressSource(api: PoolApi): ProgressSource {
  return {
    operation: (id) => api.operation(id),
    nodes: async (pool) => new Map<string, Node>((await api.listNodes(pool)).map((n) => [n.metadata.name, n])),
  };
}

/** Polls until no node is in progress or the time is up; true when every node ended. Progress goes to stderr. */
export async function waitForNodes(api: PoolApi, pool: string, action: string, wait: WaitKind, outcomes: Map<string, NodeOutcome>, timeoutMs: number): Promise<boolean> {
  const inProgress = () => [...outcomes.values()].filter((o) => o.status === 'in-progress').length;
  if (wait === 'none' || inProgress() === 0) return true;
  const progress = new Progress(action, inProgress());
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      for (const outcome of await observeProgress(progressSource(api), pool, wait, outcomes)) progress.complete(outcome as NodeCompletion);
      if (inProgress() === 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    }
  } finally {
    progress.stop();
  }
}

/** The document a batch command prints (-o json), its outcomes in request order. */
function resultDocument(pool: string, action: string, operationIds: string[], outcomes: Map<string, NodeOutcome>) {
  const nodes = [...outcomes.values()];
  const count = (status: NodeStatus) => nodes.filter((n) => n.status === status).length;
  return {
    pool,
    action,
    operationIds,
    summary: { nodes: nodes.length, succeeded: count('succeeded'), failed: count('failed'), inProgress: count('in-progress') },
    nodes,
  };
}

/**
 * Prints the outcomes and answers the exit code: 5 when a wait ran out with nodes still in progress, else 0, 3 or 4
 * by how many nodes failed. With `-o name` (names of the nodes that did not fail) the failures go to stderr.
 */
export async function reportOutcomes(pool: string, action: string, operationIds: string[], outcomes: Map<string, NodeOutcome>, options: OutputOptions, timedOut: boolean): Promise<ExitCode> {
  const document = resultDocument(pool, action, operationIds, outcomes);
  const failed = document.nodes.filter((n) => n.status === 'failed');
  const shown = options.output === 'name' && options.query === undefined ? document.nodes.filter((n) => n.status !== 'failed') : document.nodes;
  await printDocument(document, shown, OUTCOME_VIEW, options);
  if (options.output === 'name' || options.query !== undefined) {
    for (const node of failed) process.stderr.write(`node ${node.name} failed: ${node.errorCode ?? ''} ${node.errorMsg ?? ''}\n`);
  }
  const { summary } = document;
  process.stderr.write(
    `${action}: ${summary.succeeded} succeeded, ${summary.failed} failed${summary.inProgress > 0 ? `, ${summary.inProgress} in progress` : ''} (of ${summary.nodes})\n`,
  );
  if (timedOut) return EXIT.timedOut;
  return exitForFailures(summary.failed, summary.nodes);
}

/**
 * Sends the plan's calls one after the other, reads each call's operation record for every node's result and
 * reason, waits when asked, prints, and answers the exit code. A call the service refuses stops the run: the
 * nodes of earlier calls are reported on stderr before the error.
 */
export async function runBatch(api: PoolApi, plan: BatchPlan, options: OutputOptions & WaitOptions): Promise<ExitCode> {
  const outcomes = new Map<string, NodeOutcome>();
  const operationIds: string[] = [];
  for (const call of plan.calls) {
    let operationId: string;
    try {
      ({ operationId } = await api.batch(plan.pool, call));
    } catch (error) {
      if (operationIds.length > 0) {
        process.stderr.write(`${plan.action}: ${outcomes.size} node(s) were sent in earlier requests (operations ${operationIds.join(', ')}) before this one failed\n`);
      }
      throw error;
    }
    operationIds.push(operationId);
    for (const [name, outcome] of outcomesOf(await api.operation(operationId), plan.wait)) outcomes.set(name, outcome);
  }
  const done = options.wait ? await waitForNodes(api, plan.pool, plan.action, plan.wait, outcomes, options.timeoutMs) : true;
  return reportOutcomes(plan.pool, plan.action, operationIds, outcomes, options, !done);
}

/** `--dry-run`: the resolved nodes and the requests, exactly as they would be sent; nothing is sent. */
export async function printDryRun(api: PoolApi, plan: BatchPlan, options: OutputOptions): Promise<ExitCode> {
  const requests = plan.calls.map((call) => ({ method: 'POST', path: api.batchPath(plan.pool, call), body: call.body }));
  const document = { dryRun: true, pool: plan.pool, action: plan.action, nodes: plan.nodes, requests };
  const view: View<string> = { columns: [{ header: 'NODE', value: (n) => n }], name: (n) => n };
  await printDocument(document, plan.nodes, view, options);
  if (options.output === undefined ? process.stdout.isTTY : options.output === 'table' || options.output === 'wide') {
    if (options.query === undefined) for (const r of requests) process.stdout.write(`${r.method} ${r.path} ${JSON.stringify(r.body)}\n`);
  }
  process.stderr.write(`${plan.action}: dry run, ${plan.nodes.length} node(s) in ${requests.length} request(s); nothing was sent\n`);
  return EXIT.ok;
}
