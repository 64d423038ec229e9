/** Live progress in the console: the shared rules of src/domain/operation-progress.ts over the page's API calls. */
import { errors } from '../../src/errors/catalogue.js';
import { observeProgress, type NodeOutcome, type NodeView, type ProgressSource, type WaitKind } from '../../src/domain/operation-progress.js';
import { ApiError, findNode, listAllNodes, showOperation } from '../lib/resources.js';
import type { Session } from '../lib/session.js';

/** Up to this many nodes are looked up one by one; more, and the pool's node list is read instead. */
const FEW_NODES = 20;
export const FIRST_POLL_MS = 500;
export const MAX_POLL_MS = 5_000;

/** The next wait of a poll that backs off: ×1.6, at most MAX_POLL_MS. */
export function nextDelay(ms: number): number {
  return Math.min(Math.round(ms * 1.6), MAX_POLL_MS);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * The operation records and the nodes' current state, as the signed-in user reads them: a few nodes one by one, more
 * (or nodes expected to go, which would answer 404 once gone) from the pool's node list.
 */
export function progressSource(session: Session, wait: WaitKind): ProgressSource {
  return {
    operation: (id) => showOperation(session, id),
    async nodes(pool, names) {
      const found = new Map<string, NodeView>();
      try {
        if (names.length <= FEW_NODES && wait !== 'delete') {
          const nodes = await Promise.all(names.map((name) => findNode(session, pool, name)));
          for (const node of nodes) if (node) found.set(node.metadata.name, node);
          return found;
        }
        const wanted = new Set(names);
        await listAllNodes(session, pool, (page) => {
          for (const node of page) if (wanted.has(node.metadata.name)) found.set(node.metadata.name, node);
        });
      } catch (error) {
        // A pool that is gone has no nodes left.
        if (!(error instanceof ApiError && error.result.error?.code === errors.poolNotFound().code)) throw error;
        found.clear();
      }
      return found;
    },
  };
}

export function inProgress(outcomes: ReadonlyMap<string, NodeOutcome>): number {
  let count = 0;
  for (const o of outcomes.values()) if (o.status === 'in-progress') count++;
  return count;
}

/**
 * Polls, backing off from 0.5 s to 5 s, until no outcome is in progress or `signal` aborts; `onChange` hears of
 * every look that ended some. Answers whether every node ended.
 */
export async function followProgress(
  source: ProgressSource,
  pool: string,
  wait: WaitKind,
  outcomes: Map<string, NodeOutcome>,
  onChange: (ended: NodeOutcome[]) => void,
  signal: AbortSignal,
): Promise<boolean> {
  let delay = FIRST_POLL_MS;
  while (inProgress(outcomes) > 0) {
    await pause(delay, signal);
    if (signal.aborted) return false;
    delay = nextDelay(delay);
    const ended = await observeProgress(source, pool, wait, outcomes);
    if (ended.length > 0) onChange(ended);
  }
  return true;
}
