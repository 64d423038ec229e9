import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { outcomesOf, type NodeOutcome, type WaitKind } from '../../src/domain/operation-progress.js';
import { batchCall, showOperation } from '../lib/resources.js';
import { publishedLimit } from './api-document.js';
import { followProgress, inProgress, progressSource } from './progress.js';
import type { Session } from '../lib/session.js';
import { batchAction, checkDriverVersion, chunk, MAX_DRAIN_NODES, parseTags, type BatchKind, type NodeRow } from './model.js';

const DEFAULT_MAX_BATCH = 10_000;

const KINDS: Array<[BatchKind, string]> = [
  ['haOpen', 'Open HA redundancy'],
  ['haClose', 'Close HA redundancy'],
  ['tagsAdd', 'Add tags'],
  ['tagsDelete', 'Delete tags'],
  ['driver', 'Upgrade the driver'],
  ['lock', 'Lock against delete'],
  ['unlock', 'Unlock'],
  ['reboot', 'Reboot'],
  ['drain', 'Drain'],
  ['delete', 'Delete nodes'],
];

interface Outcome {
  name: string;
  status: string;
  code?: string;
  reason?: string;
  /** How the node's work ended: from the record (upgrades, reboots) or from the node's state (drains, deletions). */
  completion?: { status: string; errorCode?: string; errorMsg?: string };
}

interface Run {
  label: string;
  outcomes: Outcome[];
  operations: string[];
  /** A chunk the service refused as a whole (400 and the like): its error, field first. */
  refusals: string[];
  running: boolean;
  /** The action's work goes on after the answer and is followed to its end on each node. */
  follows: boolean;
  /** Nodes whose work still goes on. */
  pending: number;
}

const DRAIN_LIMIT = `Drain takes at most ${MAX_DRAIN_NODES} nodes per call: draining moves running work off the nodes, so the service limits how much capacity one call can take away.`;

export function BatchPanel(props: { session: Session; pool: string; selected: NodeRow[]; onSelect: (names: string[]) => void; onChanged: () => void }) {
  const [kind, setKind] = useState<BatchKind>('haOpen');
  const [effect, setEffect] = useState('NoSchedule');
  const [tagText, setTagText] = useState('');
  const [confirm, setConfirm] = useState('');
  const [driverVersion, setDriverVersion] = useState('');
  const [strategy, setStrategy] = useState<'force' | 'idle'>('idle');
  const [maxBatch, setMaxBatch] = useState(DEFAULT_MAX_BATCH);
  const [run, setRun] = useState<Run | null>(null);
  const following = useRef<AbortController | null>(null);

  useEffect(() => {
    publishedLimit(props.session, DEFAULT_MAX_BATCH).then(setMaxBatch, () => setMaxBatch(DEFAULT_MAX_BATCH));
  }, [props.session]);

  const isTags = kind === 'tagsAdd' || kind === 'tagsDelete';
  const tagCheck = useMemo(() => (isTags ? parseTags(tagText, kind === 'tagsDelete', props.selected) : null), [isTags, tagText, kind, props.selected]);
  const count = props.selected.length;
  const blocked =
    count === 0
      ? 'Select nodes in the table first.'
      : kind === 'drain' && count > MAX_DRAIN_NODES
        ? `${DRAIN_LIMIT} Select ${MAX_DRAIN_NODES} or fewer.`
        : tagCheck && tagCheck.errors.length > 0
          ? tagCheck.errors.join('; ')
          : kind === 'driver' && checkDriverVersion(driverVersion.trim())
            ? checkDriverVersion(driverVersion.trim())
            : kind === 'delete' && confirm !== 'DELETE'
              ? 'Type DELETE to confirm.'
              : null;

  useEffect(() => () => following.current?.abort(), []);

  async function apply(event: Event) {
    event.preventDefault();
    if (blocked) return;
    const action = batchAction(kind, {
      maxBatch,
      effect,
      ...(tagCheck ? { tags: tagCheck.tags } : {}),
      driver: { version: driverVersion.trim(), updateStrategy: strategy },
    });
    const names = props.selected.map((r) => r.name);
    const calls = action.groups(props.selected).flatMap((group) => chunk(group.names, action.limit).map((part) => ({ part, body: group.body(part) })));
    const state: Run = {
      label: `${action.label} on ${names.length} node${names.length === 1 ? '' : 's'}`,
      outcomes: [],
      operations: [],
      refusals: [],
      running: true,
      follows: action.wait !== 'none',
      pending: 0,
    };
    // Each accepted node's progress, by the rules the CLI's --wait follows.
    const progress = new Map<string, NodeOutcome>();
    setRun({ ...state });
    for (const { part, body } of calls) {
      try {
        const answer = await batchCall(props.session, props.pool, action.endpoint, body);
        if (answer.operationId) state.operations.push(answer.operationId);
        if (answer.status >= 400) {
          state.refusals.push(answer.error ? `${answer.error.code}: ${answer.error.message}` : `HTTP ${answer.status}`);
        }
        if (answer.operationId) {
          const record = await showOperation(props.session, answer.operationId);
          for (const n of record.nodes) state.outcomes.push({ name: n.name, status: n.status, code: n.errorCode, reason: n.errorMsg, completion: n.completion });
          for (const [name, outcome] of outcomesOf(record, action.wait)) progress.set(name, outcome);
        } else {
          for (const name of part) state.outcomes.push({ name, status: 'failed', code: answer.error?.code, reason: answer.error?.message ?? `HTTP ${answer.status}` });
        }
      } catch (caught) {
        state.refusals.push(String(caught));
        for (const name of part) state.outcomes.push({ name, status: 'failed', reason: String(caught) });
      }
      setRun({ ...state, outcomes: [...state.outcomes] });
    }
    setConfirm('');
    props.onChanged();
    await watch(state, action.wait, progress);
    setRun({ ...state, running: false, pending: 0, outcomes: [...state.outcomes] });
  }

  /** Follows the nodes' work (polling with back-off) until every accepted node has ended; the table follows. */
  async function watch(state: Run, wait: WaitKind, progress: Map<string, NodeOutcome>) {
    following.current?.abort();
    const controller = new AbortController();
    following.current = controller;
    const show = () => setRun({ ...state, pending: inProgress(progress), outcomes: [...state.outcomes] });
    show();
    try {
      await followProgress(
        progressSource(props.session, wait),
        props.pool,
        wait,
        progress,
        (ended) => {
          const byName = new Map(ended.map((o) => [o.name, o]));
          state.outcomes = state.outcomes.map((o) => {
            const end = byName.get(o.name);
            return end ? { ...o, completion: { status: end.status, errorCode: end.errorCode, errorMsg: end.errorMsg } } : o;
          });
          show();
          props.onChanged();
        },
        controller.signal,
      );
    } catch (caught) {
      state.refusals.push(`Stopped following the progress: ${String(caught)}`);
    }
  }

  const failed = run?.outcomes.filter((o) => o.status !== 'success' || o.completion?.status === 'failed') ?? [];
  const ordered = run ? [...failed, ...run.outcomes.filter((o) => !failed.includes(o))] : [];

  return (
    <section class="card batch" aria-labelledby="batch-title">
      <h2 id="batch-title">Actions on the selection</h2>
      <form class="batch-form" onSubmit={apply}>
        <label>
          Action
          <select aria-label="Action" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as BatchKind)}>
            {KINDS.map(([k, title]) => (
              <option key={k} value={k}>
                {title}
              </option>
            ))}
          </select>
        </label>
        {kind === 'haOpen' && (
          <fieldset class="inline">
            <legend>Taint effect</legend>
            {['NoSchedule', 'NoExecute'].map((e) => (
              <label key={e}>
                <input type="radio" name="effect" value={e} checked={effect === e} onChange={() => setEffect(e)} /> {e}
              </label>
            ))}
          </fieldset>
        )}
        {isTags && (
          <label class="grow">
            Tags (key=value, one per line or comma-separated{kind === 'tagsDelete' ? '; a key alone deletes any value' : ''})
            <textarea rows={2} value={tagText} onInput={(e) => setTagText((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
          </label>
        )}
        {kind === 'driver' && (
          <>
            <label>
              Upgrade to version
              <input value={driverVersion} onInput={(e) => setDriverVersion((e.currentTarget as HTMLInputElement).value)} spellcheck={false} placeholder="e.g. 550.54.15" />
            </label>
            <fieldset class="inline">
              <legend>Strategy</legend>
              <label>
                <input type="radio" name="strategy" value="idle" checked={strategy === 'idle'} onChange={() => setStrategy('idle')} /> idle (wait for running work)
              </label>
              <label>
                <input type="radio" name="strategy" value="force" checked={strategy === 'force'} onChange={() => setStrategy('force')} /> force (now)
              </label>
            </fieldset>
          </>
        )}
        {kind === 'delete' && (
          <label>
            Type DELETE to delete {count} node{count === 1 ? '' : 's'}
            <input value={confirm} onInput={(e) => setConfirm((e.currentTarget as HTMLInputElement).value)} autocomplete="off" spellcheck={false} />
          </label>
        )}
        <button type="submit" class={kind === 'delete' ? 'danger' : 'primary'} disabled={blocked !== null || run?.running === true}>
          Apply to {count} node{count === 1 ? '' : 's'}
        </button>
      </form>
      <p class={`hint${blocked && count > 0 ? ' warn' : ''}`} data-testid="batch-hint">
        {blocked ?? (kind === 'drain' ? DRAIN_LIMIT : `Sent in calls of at most ${maxBatch.toLocaleString()} nodes.`)}
      </p>
      {run && (
        <div class="result" data-testid="batch-result" aria-live="polite">
          <div class="result-head">
            <strong>{run.label}</strong>
            <span>
              {run.outcomes.filter((o) => o.status === 'success').length} succeeded, <span class="error-text">{run.outcomes.filter((o) => o.status !== 'success').length} failed</span>
              {run.running && (run.pending > 0 ? ` — waiting for ${run.pending} node(s) to finish…` : ' — sending…')}
            </span>
            <button type="button" class="small" disabled={failed.length === 0} onClick={() => props.onSelect(failed.map((o) => o.name))}>
              Select the failed ones ({failed.length})
            </button>
            <button type="button" class="small" onClick={() => setRun(null)} aria-label="Close the result">
              ✕
            </button>
          </div>
          {run.refusals.map((r) => (
            <p class="error-panel" role="alert" key={r}>
              {r}
            </p>
          ))}
          <div class="result-rows">
            <table>
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Code</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {ordered.slice(0, 500).map((o) => (
                  <tr key={o.name} data-outcome={o.status}>
                    <td class="mono">{o.name}</td>
                    <td>
                      <span class={`pill pill-${o.status}`}>{o.status}</span>
                      {o.completion ? (
                        <span class={`pill pill-${o.completion.status}`}>{o.completion.status}</span>
                      ) : (
                        run.follows && o.status === 'success' && <span class="pill pill-updating">{run.running ? 'in progress' : 'not followed'}</span>
                      )}
                    </td>
                    <td class="mono">{o.code ?? o.completion?.errorCode ?? ''}</td>
                    <td>{o.reason ?? o.completion?.errorMsg ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {ordered.length > 500 && <p class="hint">…and {ordered.length - 500} more (failures first); the operation records have them all.</p>}
          </div>
          {run.operations.length > 0 && (
            <p class="hint">
              Operation record{run.operations.length === 1 ? '' : 's'}:{' '}
              {run.operations.map((id) => (
                <a key={id} href={`/explorer#/operations/${id}`} class="mono">
                  {id}{' '}
                </a>
              ))}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
