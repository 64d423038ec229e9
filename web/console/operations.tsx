/** The operations view: the project's recent operation records, with each one's progress, followed live while it runs. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { observeProgress, outcomesOf, waitKindOf, type NodeOutcome, type WaitKind } from '../../src/domain/operation-progress.js';
import { OPERATION_KINDS } from '../../src/schemas/operation-kinds.js';
import { listOperations, listPools, showOperation, type OperationFilter } from '../lib/resources.js';
import type { Session } from '../lib/session.js';
import type { OperationCompletion, OperationSummary, Pool } from '../lib/types.js';
import { formatTime } from './format.js';
import { completionOf, completionText, followsNodes, kindLabel, operationsHash, operationState, operationTitle, poolDisplayName, STATE_LABELS } from './operation-model.js';
import { FIRST_POLL_MS, nextDelay, pause, progressSource } from './progress.js';

const PAGE = 50;
/** A filtered page may come back short (the service reads at most 500 records per call): read on, up to this many calls. */
const MAX_CALLS_PER_PAGE = 6;

/** Reads pages from `token` until `want` records are in hand or none are left. */
export async function readOperations(session: Session, filter: OperationFilter, want: number, token?: string): Promise<{ items: OperationSummary[]; token?: string }> {
  const items: OperationSummary[] = [];
  let next = token;
  for (let calls = 0; calls < MAX_CALLS_PER_PAGE; calls++) {
    const page = await listOperations(session, { ...filter, limit: Math.min(500, want - items.length) }, next);
    items.push(...page.items);
    next = page.continue;
    if (next === undefined || items.length >= want) break;
  }
  return next === undefined ? { items } : { items, token: next };
}

/** A stacked bar of a call's nodes: done, failed, in progress. */
export function ProgressBar(props: { completion: OperationCompletion }) {
  const { succeeded, failed, pending } = props.completion;
  const text = completionText(props.completion);
  return (
    <div class="op-progress">
      <div class="bar" role="img" aria-label={text}>
        {succeeded > 0 && <span class="seg seg-available" style={{ flexGrow: succeeded }} />}
        {failed > 0 && <span class="seg seg-abnormal" style={{ flexGrow: failed }} />}
        {pending > 0 && <span class="seg seg-creating seg-moving" style={{ flexGrow: pending }} />}
        {succeeded + failed + pending === 0 && <span class="seg seg-empty" style={{ flexGrow: 1 }} />}
      </div>
      <span class="op-progress-text">{text}</span>
    </div>
  );
}

interface Followed {
  pool: string;
  wait: WaitKind;
  outcomes: Map<string, NodeOutcome>;
}

export function OperationsPage(props: { session: Session; pool: string; kind: string }) {
  const filter = { pool: props.pool, kind: props.kind };
  const [pools, setPools] = useState<Pool[]>([]);
  const [items, setItems] = useState<OperationSummary[] | null>(null);
  const [token, setToken] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // Drains and deletions: their progress comes from their nodes, looked at by the page (src/domain/operation-progress.ts).
  const followed = useRef(new Map<string, Followed>());
  const derivedNow = useRef(new Map<string, OperationCompletion>());
  const [derived, setDerived] = useState<ReadonlyMap<string, OperationCompletion>>(new Map());

  useEffect(() => {
    listPools(props.session).then(setPools, () => setPools([]));
  }, [props.session]);

  const read = useCallback(
    async (want: number) => {
      try {
        const page = await readOperations(props.session, { pool: props.pool || undefined, kind: props.kind || undefined }, want);
        setItems(page.items);
        setToken(page.token);
        setError(null);
      } catch (caught) {
        setItems((current) => current ?? []);
        setError(caught instanceof Error ? caught.message : String(caught));
      }
    },
    [props.session, props.pool, props.kind],
  );

  /** Looks once at the nodes of the drains and deletions shown that may still be going on. */
  const lookAtNodes = useCallback(
    async (shown: readonly OperationSummary[]) => {
      for (const item of shown.filter(followsNodes)) {
        if (derivedNow.current.get(item.id)?.pending === 0) continue;
        let entry = followed.current.get(item.id);
        if (!entry) {
          const wait = waitKindOf(item.operation);
          entry = { pool: item.poolName, wait, outcomes: outcomesOf(await showOperation(props.session, item.id), wait) };
          followed.current.set(item.id, entry);
        }
        await observeProgress(progressSource(props.session, entry.wait), entry.pool, entry.wait, entry.outcomes);
        derivedNow.current.set(item.id, completionOf(entry.outcomes.values()));
      }
      setDerived(new Map(derivedNow.current));
    },
    [props.session],
  );

  const completionOfItem = (item: OperationSummary) => item.completion ?? derived.get(item.id) ?? null;

  useEffect(() => {
    followed.current.clear();
    derivedNow.current.clear();
    setDerived(new Map());
    setItems(null);
    void read(PAGE);
  }, [read]);

  // While something shown is going on, read the list (and those nodes) again, backing off from 0.5 s to 5 s.
  const running = items?.some((item) => ['running', 'unknown'].includes(operationState(completionOfItem(item)))) ?? false;
  const latest = useRef({ running, items });
  latest.current = { running, items };
  useEffect(() => {
    if (!running) return;
    const controller = new AbortController();
    void (async () => {
      let delay = FIRST_POLL_MS;
      try {
        while (!controller.signal.aborted && latest.current.running) {
          const shown = latest.current.items ?? [];
          await lookAtNodes(shown);
          await pause(delay, controller.signal);
          if (controller.signal.aborted) return;
          delay = nextDelay(delay);
          await read(Math.max(PAGE, Math.min(500, shown.length)));
        }
      } catch (caught) {
        setError(`Stopped following the progress: ${caught instanceof Error ? caught.message : String(caught)}`);
      }
    })();
    return () => controller.abort();
  }, [running, read, lookAtNodes]);

  async function more() {
    if (!token) return;
    setLoadingMore(true);
    try {
      const page = await readOperations(props.session, { pool: props.pool || undefined, kind: props.kind || undefined }, PAGE, token);
      setItems([...(items ?? []), ...page.items]);
      setToken(page.token);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setLoadingMore(false);
    }
  }

  const go = (part: Partial<typeof filter>) => {
    location.hash = operationsHash({ ...filter, ...part });
  };
  const projectId = props.session.projectId;

  return (
    <section aria-labelledby="operations-title">
      <div class="page-heading">
        <h1 id="operations-title">Operations</h1>
        <span class="muted" aria-live="polite" data-testid="operations-count">
          {items === null ? '' : `${items.length} operation${items.length === 1 ? '' : 's'}${token ? ' (more to load)' : ''}${running ? ' — following the work in progress' : ''}`}
        </span>
      </div>
      <div class="toolbar" role="search" aria-label="Filter operations">
        <label>
          Pool
          <select aria-label="Pool" value={props.pool} onChange={(e) => go({ pool: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">any</option>
            {props.pool && !pools.some((p) => p.metadata.name === props.pool) && <option value={props.pool}>{poolDisplayName(props.pool, projectId)}</option>}
            {pools.map((p) => (
              <option key={p.metadata.name} value={p.metadata.name}>
                {poolDisplayName(p.metadata.name, projectId)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select aria-label="Kind" value={props.kind} onChange={(e) => go({ kind: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">any</option>
            {OPERATION_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kindLabel(kind)} ({kind})
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p class="error-panel" role="alert">
          {error}
        </p>
      )}
      {items === null && <p aria-busy="true">Loading operations…</p>}
      {items?.length === 0 && !error && (
        <p class="empty">{props.pool || props.kind ? 'No operation matches these filters' : 'No operation yet'}{token ? ' among the records read so far.' : '.'} Batch actions on nodes and pool driver upgrades appear here.</p>
      )}
      {items && items.length > 0 && (
        <div class="table-card">
          <table class="operations" aria-label="Operations, newest first">
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Pool</th>
                <th scope="col">Nodes</th>
                <th scope="col">Progress</th>
                <th scope="col">State</th>
                <th scope="col">When</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const completion = completionOfItem(item);
                const state = operationState(completion);
                return (
                  <tr key={item.id} data-operation={item.id} data-kind={item.operation}>
                    <td>
                      <a href={`#/operations/${item.id}`}>{operationTitle(item)}</a>
                      <div class="narrow-only muted">
                        {poolDisplayName(item.poolName, projectId)} · {formatTime(item.creationTimestamp)}
                      </div>
                    </td>
                    <td>
                      <a href={`#/pools/${encodeURIComponent(item.poolName)}`}>{poolDisplayName(item.poolName, projectId)}</a>
                    </td>
                    <td>{item.successCount + item.failCount}</td>
                    <td class="progress-cell">{completion ? <ProgressBar completion={completion} /> : <span class="muted">checking the nodes…</span>}</td>
                    <td>
                      <span class={`pill pill-state-${state}`} data-testid="operation-state">
                        {STATE_LABELS[state]}
                      </span>
                    </td>
                    <td class="nowrap">{formatTime(item.creationTimestamp)}</td>
                    <td class="muted">{item.principal}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {token && (
        <p class="load-more">
          <button type="button" onClick={() => void more()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </p>
      )}
    </section>
  );
}
