import { useCallback, useEffect, useState } from 'preact/hooks';
import { listPools } from '../lib/resources.js';
import type { FlavorCount, Pool } from '../lib/types.js';
import type { Session } from '../lib/session.js';
import { formatTime } from './format.js';

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

export function PoolsPage(props: { session: Session }) {
  const [pools, setPools] = useState<Pool[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selector, setSelector] = useState('');
  const [status, setStatus] = useState('');

  const load = useCallback(
    async (filter: { labelSelector: string; status: string }) => {
      setError(null);
      try {
        setPools(await listPools(props.session, filter));
      } catch (caught) {
        setPools([]);
        setError(caught instanceof Error ? caught.message : String(caught));
      }
    },
    [props.session],
  );
  useEffect(() => {
    void load({ labelSelector: '', status: '' });
  }, [load]);

  return (
    <section aria-labelledby="pools-title">
      <div class="page-heading">
        <h1 id="pools-title">Pools</h1>
        <span class="muted">{pools ? `${pools.length} pool${pools.length === 1 ? '' : 's'}` : ''}</span>
      </div>
      <form
        class="toolbar"
        role="search"
        aria-label="Filter pools"
        onSubmit={(event) => {
          event.preventDefault();
          void load({ labelSelector: selector, status });
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
      {error && (
        <p class="error-panel" role="alert">
          {error}
        </p>
      )}
      {pools === null && <p aria-busy="true">Loading pools…</p>}
      {pools?.length === 0 && !error && <p class="empty">No pool matches. Create one with CreatePool (see the API Explorer).</p>}
      <div class="pool-list">
        {pools?.map((pool) => (
          <article class="card pool" key={pool.metadata.name} aria-labelledby={`pool-${pool.metadata.name}`} data-testid="pool">
            <div class="pool-head">
              <h2 id={`pool-${pool.metadata.name}`}>
                <a href={`#/pools/${encodeURIComponent(pool.metadata.name)}`}>{pool.metadata.labels['os.modelarts/name'] ?? pool.metadata.name}</a>
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
          </article>
        ))}
      </div>
    </section>
  );
}
