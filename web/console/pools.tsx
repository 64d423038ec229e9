import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { listPools } from '../lib/resources.js';
import type { FlavorCount, Pool } from '../lib/types.js';
import type { Session } from '../lib/session.js';
import { formatTime } from './format.js';
import { CreatePoolDialog, DeletePoolDialog, displayName, DriverDialog, ScaleDialog } from './pool-dialogs.js';
import { FIRST_POLL_MS, nextDelay, pause } from './progress.js';

export const NODE_STATES = ['available', 'creating', 'abnormal', 'deleting'] as const;

function total(counts: FlavorCount[] | undefined): number {
  return (counts ?? []).reduce((sum, c) => sum + c.count, 0);
}

/** The pool's nodes by state as one stacked bar, with the numbers spelled out for screen readers and tests. */
function CapacityBar(props: { pool: Pool }) {
  const counts = NODE_STATES.map((state) => [state, total(props.pool.status.resources[state])] as const);
  const all = counts.reduce((sum, [, n]) => sum + n, 0);
  const text = counts.map(([state, n]) => `${n} ${state}`).join(', ');
  return (
    <div class="capacity">
      <div class="bar" role="img" aria-label={`Nodes: ${text}`}>
        {counts.map(([state, n]) => (n > 0 ? <span key={state} class={`seg seg-${state}`} style={{ flexGrow: n }} title={`${n} ${state}`} /> : null))}
        {all === 0 && <span class="seg seg-empty" style={{ flexGrow: 1 }} />}
      </div>
      <ul class="legend" data-testid="counts">
        {counts.map(([state, n]) => (
          <li key={state}>
            <span class={`dot seg-${state}`} aria-hidden="true" />
            {state} <strong>{n}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Drivers(props: { pool: Pool }) {
  const status = props.pool.status.driver;
  const entries = (['gpu', 'npu'] as const).flatMap((kind) => {
    const d = status?.[kind];
    return d ? [[kind, d] as const] : [];
  });
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <>
      {entries.map(([kind, d]) => (
        <div key={kind}>
          {kind.toUpperCase()} <code>{d.version}</code> <span class={`pill pill-${d.state.toLowerCase()}`}>{d.state}</span>
        </div>
      ))}
    </>
  );
}

/** Work on the pool still going on: nodes being created or deleted, the pool itself, or a driver upgrade. */
export function poolInFlight(pool: Pool): boolean {
  const r = pool.status.resources;
  return (
    pool.status.phase === 'Creating' ||
    pool.status.phase === 'Deleting' ||
    total(r.creating) > 0 ||
    total(r.deleting) > 0 ||
    pool.status.driver?.gpu?.state === 'Upgrading' ||
    pool.status.driver?.npu?.state === 'Upgrading'
  );
}

type Dialog = { kind: 'create' } | { kind: 'scale' | 'driver' | 'delete'; pool: Pool };

export function PoolsPage(props: { session: Session }) {
  const [pools, setPools] = useState<Pool[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selector, setSelector] = useState('');
  const [status, setStatus] = useState('');
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [notice, setNotice] = useState<{ text: string; operationId?: string } | null>(null);
  const filter = useRef({ labelSelector: '', status: '' });
  // Bumped by every change made here: the refresh that follows starts again from a short delay.
  const [changes, setChanges] = useState(0);

  const load = useCallback(async () => {
    try {
      setPools(await listPools(props.session, filter.current));
      setError(null);
    } catch (caught) {
      setPools((current) => current ?? []);
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  }, [props.session]);
  useEffect(() => {
    void load();
  }, [load]);

  // While any pool has work going on, the page reads the pools again, backing off from 0.5 s to 5 s.
  const busy = pools?.some(poolInFlight) ?? false;
  useEffect(() => {
    if (!busy) return;
    const controller = new AbortController();
    void (async () => {
      let delay = FIRST_POLL_MS;
      while (!controller.signal.aborted) {
        await pause(delay, controller.signal);
        if (controller.signal.aborted) return;
        delay = nextDelay(delay);
        await load();
      }
    })();
    return () => controller.abort();
  }, [busy, load, changes]);

  const changed = (text: string, operationId?: string) => {
    setDialog(null);
    setNotice({ text, ...(operationId ? { operationId } : {}) });
    setChanges((n) => n + 1);
    void load();
  };

  return (
    <section aria-labelledby="pools-title">
      <div class="page-heading">
        <h1 id="pools-title">Pools</h1>
        <span class="muted">{pools ? `${pools.length} pool${pools.length === 1 ? '' : 's'}` : ''}</span>
        <button type="button" class="primary heading-action" onClick={() => setDialog({ kind: 'create' })}>
          Create pool
        </button>
      </div>
      <form
        class="toolbar"
        role="search"
        aria-label="Filter pools"
        onSubmit={(event) => {
          event.preventDefault();
          filter.current = { labelSelector: selector, status };
          setPools(null);
          void load();
        }}
      >
        <label>
          Label selector
          <input value={selector} placeholder="e.g. os.modelarts/name=demo" onInput={(e) => setSelector((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          Status
          <select aria-label="Status" value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">any</option>
            <option value="created">created</option>
            <option value="creating">creating</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      <div aria-live="polite">
        {notice && (
          <p class="notice" data-testid="pools-notice">
            {notice.text}
            {notice.operationId && (
              <>
                {' '}
                <a href={`#/operations/${notice.operationId}`}>Follow the upgrade</a>
              </>
            )}
            <button type="button" class="small" onClick={() => setNotice(null)} aria-label="Dismiss the message">
              ✕
            </button>
          </p>
        )}
      </div>
      {error && (
        <p class="error-panel" role="alert">
          {error}
        </p>
      )}
      {pools === null && <p aria-busy="true">Loading pools…</p>}
      {pools?.length === 0 && !error && <p class="empty">No pool matches. Create one with Create pool.</p>}
      <div class="pool-list">
        {pools?.map((pool) => {
          const name = displayName(pool);
          const deleting = pool.status.phase === 'Deleting';
          return (
            <article class="card pool" key={pool.metadata.name} aria-labelledby={`pool-${pool.metadata.name}`} data-testid="pool">
              <div class="pool-head">
                <h2 id={`pool-${pool.metadata.name}`}>
                  <a href={`#/pools/${encodeURIComponent(pool.metadata.name)}`}>{name}</a>
                </h2>
                <span class={`pill pill-${pool.status.phase.toLowerCase()}`}>{pool.status.phase}</span>
              </div>
              <p class="muted mono">{pool.metadata.name}</p>
              <CapacityBar pool={pool} />
              <dl class="facts">
                <div>
                  <dt>Flavors</dt>
                  <dd>{pool.spec.resources.map((r) => `${r.flavor} × ${r.count}`).join(', ')}</dd>
                </div>
                <div>
                  <dt>Driver</dt>
                  <dd data-testid="driver">
                    <Drivers pool={pool} />
                  </dd>
                </div>
                <div>
                  <dt>Created</dt>
                  <dd>{formatTime(pool.metadata.creationTimestamp)}</dd>
                </div>
              </dl>
              <ul class="labels" aria-label="Labels">
                {Object.entries(pool.metadata.labels).map(([k, v]) => (
                  <li key={k} class="chip">
                    {k}={v}
                  </li>
                ))}
              </ul>
              <div class="card-actions">
                <a class="button-link small" href={`#/operations?pool=${encodeURIComponent(pool.metadata.name)}`} aria-label={`Operations of ${name}`}>
                  Operations
                </a>
                <button type="button" class="small" disabled={deleting} onClick={() => setDialog({ kind: 'scale', pool })} aria-label={`Scale ${name}`}>
                  Scale
                </button>
                <button type="button" class="small" disabled={deleting} onClick={() => setDialog({ kind: 'driver', pool })} aria-label={`Driver of ${name}`}>
                  Driver
                </button>
                <button type="button" class="small danger-outline" disabled={deleting} onClick={() => setDialog({ kind: 'delete', pool })} aria-label={`Delete ${name}`}>
                  Delete
                </button>
              </div>
            </article>
          );
        })}
      </div>
      {dialog?.kind === 'create' && (
        <CreatePoolDialog
          session={props.session}
          pools={pools ?? []}
          onClose={() => setDialog(null)}
          onCreated={(pool) => changed(`Pool ${displayName(pool)} created: its nodes are being created.`)}
        />
      )}
      {dialog?.kind === 'scale' && (
        <ScaleDialog session={props.session} pool={dialog.pool} onClose={() => setDialog(null)} onDone={() => changed(`Pool ${displayName(dialog.pool)} is being scaled.`)} />
      )}
      {dialog?.kind === 'driver' && (
        <DriverDialog
          session={props.session}
          pool={dialog.pool}
          onClose={() => setDialog(null)}
          onDone={(operationId) => changed(operationId ? `Driver upgrade of ${displayName(dialog.pool)} scheduled.` : `Driver settings of ${displayName(dialog.pool)} saved.`, operationId ?? undefined)}
        />
      )}
      {dialog?.kind === 'delete' && (
        <DeletePoolDialog session={props.session} pool={dialog.pool} onClose={() => setDialog(null)} onDone={() => changed(`Pool ${displayName(dialog.pool)} is being deleted.`)} />
      )}
    </section>
  );
}
