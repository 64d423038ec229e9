/** One operation: every node's outcome with its code and reason, followed live until the work has ended on each. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { outcomesOf, waitKindOf, type NodeOutcome } from '../../src/domain/operation-progress.js';
import { showOperation } from '../lib/resources.js';
import type { Session } from '../lib/session.js';
import type { OperationRecord } from '../lib/types.js';
import { formatTime } from './format.js';
import { byConcern, completionOf, operationState, operationTitle, poolDisplayName, STATE_LABELS } from './operation-model.js';
import { ProgressBar } from './operations.js';
import { followProgress, progressSource } from './progress.js';
import { VirtualTable } from './virtual-rows.js';

type Show = 'all' | 'failed' | 'in-progress';

interface Row extends NodeOutcome {
  /** What the call answered for the node: accepted (`success`) or refused (`failed`). */
  accepted: boolean;
}

export function OperationPage(props: { session: Session; id: string }) {
  const [record, setRecord] = useState<OperationRecord | null>(null);
  const [outcomes, setOutcomes] = useState<ReadonlyMap<string, NodeOutcome>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [following, setFollowing] = useState(false);
  const [show, setShow] = useState<Show>('all');

  useEffect(() => {
    const controller = new AbortController();
    void (async () => {
      try {
        const found = await showOperation(props.session, props.id);
        const wait = waitKindOf(found.operation);
        const progress = outcomesOf(found, wait);
        setRecord(found);
        setOutcomes(new Map(progress));
        setFollowing(true);
        await followProgress(progressSource(props.session, wait), found.poolName, wait, progress, () => setOutcomes(new Map(progress)), controller.signal);
      } catch (caught) {
        if (!controller.signal.aborted) setError(caught instanceof Error ? caught.message : String(caught));
      } finally {
        if (!controller.signal.aborted) setFollowing(false);
      }
    })();
    return () => controller.abort();
  }, [props.session, props.id]);

  const rows = useMemo<Row[]>(() => {
    if (!record) return [];
    const accepted = new Map(record.nodes.map((n) => [n.name, n.status === 'success']));
    return byConcern([...outcomes.values()].map((o) => ({ ...o, accepted: accepted.get(o.name) ?? false })));
  }, [record, outcomes]);
  const shown = show === 'all' ? rows : rows.filter((r) => r.status === show);
  const completion = completionOf(outcomes.values());
  const state = operationState(completion);
  const projectId = props.session.projectId;

  return (
    <section aria-labelledby="operation-title" class="operation-page">
      <div class="page-heading">
        <a href="#/operations" class="back">
          ← Operations
        </a>
        <h1 id="operation-title">{record ? operationTitle(record) : 'Operation'}</h1>
        {record && (
          <span class={`pill pill-state-${state}`} data-testid="operation-state">
            {STATE_LABELS[state]}
          </span>
        )}
      </div>
      {error && (
        <p class="error-panel" role="alert">
          {error}
        </p>
      )}
      {!record && !error && <p aria-busy="true">Loading the operation…</p>}
      {record && (
        <>
          <div class="card">
            <dl class="facts">
              <div>
                <dt>Pool</dt>
                <dd>
                  <a href={`#/pools/${encodeURIComponent(record.poolName)}`}>{poolDisplayName(record.poolName, projectId)}</a>
                </dd>
              </div>
              <div>
                <dt>Operation</dt>
                <dd class="mono">
                  {record.operation}
                  {record.action ? ` (${record.action})` : ''}
                </dd>
              </div>
              <div>
                <dt>When</dt>
                <dd>{formatTime(record.creationTimestamp)}</dd>
              </div>
              <div>
                <dt>By</dt>
                <dd>{record.principal}</dd>
              </div>
              <div>
                <dt>Request</dt>
                <dd class="mono">{record.requestId}</dd>
              </div>
              <div>
                <dt>Id</dt>
                <dd class="mono">{record.id}</dd>
              </div>
            </dl>
            <ProgressBar completion={completion} />
            <p class="hint" aria-live="polite" data-testid="operation-following">
              {following ? 'Following the work on each node (the page polls, backing off to every 5 s)…' : state === 'running' ? 'Stopped following.' : 'Every node has ended.'}{' '}
              <a href={`/explorer#/operations/${record.id}`}>The record in the API Explorer</a>
            </p>
          </div>
          <div class="toolbar" role="group" aria-label="Which nodes to show">
            <label>
              Show
              <select aria-label="Show" value={show} onChange={(e) => setShow((e.currentTarget as HTMLSelectElement).value as Show)}>
                <option value="all">every node ({rows.length})</option>
                <option value="failed">failed ({completion.failed})</option>
                <option value="in-progress">in progress ({completion.pending})</option>
              </select>
            </label>
          </div>
          <VirtualTable
            rows={shown}
            columns={5}
            label={`Nodes of the operation, failures first`}
            head={
              <tr aria-rowindex={1}>
                <th scope="col">Node</th>
                <th scope="col">Call</th>
                <th scope="col">Outcome</th>
                <th scope="col">Code</th>
                <th scope="col">Reason</th>
              </tr>
            }
            renderRow={(row, index) => (
              <tr key={row.name} aria-rowindex={index + 2} data-outcome={row.status} data-node={row.name}>
                <td class="mono">{row.name}</td>
                <td>{row.accepted ? 'accepted' : <span class="error-text">refused</span>}</td>
                <td>
                  <span class={`pill pill-${row.status === 'in-progress' ? 'updating' : row.status}`}>{row.status === 'in-progress' ? 'in progress' : row.status}</span>
                </td>
                <td class="mono">{row.errorCode ?? ''}</td>
                <td title={row.errorMsg}>{row.errorMsg ?? ''}</td>
              </tr>
            )}
          />
        </>
      )}
    </section>
  );
}
