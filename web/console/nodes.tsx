import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { listAllNodes } from '../lib/resources.js';
import type { Node } from '../lib/types.js';
import type { Session } from '../lib/session.js';
import { BatchPanel } from './batch.js';
import { NodeDrawer } from './drawer.js';
import { matches, NO_FILTER, rangeBetween, sortRows, toRow, type NodeFilter, type NodeRow, type SortKey } from './model.js';
import { VirtualTable } from './virtual-rows.js';

const PHASES = ['Available', 'Creating', 'Deleting', 'Abnormal', 'Checking'];
const COLUMNS: Array<[SortKey | null, string]> = [
  ['name', 'Name'],
  ['phase', 'Phase'],
  ['ha', 'HA'],
  [null, 'Tags'],
  ['driverVersion', 'Driver'],
  ['locked', 'Lock'],
  [null, 'Drain'],
];

export function NodesPage(props: { session: Session; pool: string }) {
  const [rows, setRows] = useState<NodeRow[]>([]);
  const [loading, setLoading] = useState<{ loaded: number; remaining: number } | null>({ loaded: 0, remaining: 0 });
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<NodeFilter>(NO_FILTER);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'name', descending: false });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<string | null>(null);
  const [detail, setDetail] = useState<string | null>(null);
  const firstRendered = useRef(false);

  const loadGeneration = useRef<AbortController | null>(null);

  const reload = useCallback(async () => {
    // A newer load supersedes an older one still paging.
    loadGeneration.current?.abort();
    const controller = new AbortController();
    loadGeneration.current = controller;
    const collected: NodeRow[] = [];
    setLoading({ loaded: 0, remaining: 0 });
    setError(null);
    try {
      await listAllNodes(
        props.session,
        props.pool,
        (page: Node[], remaining) => {
          if (controller.signal.aborted) return;
          for (const node of page) collected.push(toRow(node));
          setRows([...collected]);
          setLoading({ loaded: collected.length, remaining });
        },
        controller.signal,
      );
      if (!controller.signal.aborted) setLoading(null);
    } catch (caught) {
      if (controller.signal.aborted) return;
      setLoading(null);
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  }, [props.session, props.pool]);

  useEffect(() => {
    void reload();
    return () => loadGeneration.current?.abort();
  }, [reload]);

  useEffect(() => {
    if (!firstRendered.current && rows.length > 0) {
      firstRendered.current = true;
      performance.mark('nodes-first-render');
    }
  }, [rows]);

  const shown = useMemo(() => sortRows(rows.filter((r) => matches(r, filter)), sort.key, sort.descending), [rows, filter, sort]);
  const order = useMemo(() => shown.map((r) => r.name), [shown]);
  const byName = useMemo(() => new Map(rows.map((r) => [r.name, r])), [rows]);
  const selectedRows = useMemo(() => rows.filter((r) => selected.has(r.name)), [rows, selected]);
  const driverVersions = useMemo(() => [...new Set(rows.map((r) => r.driverVersion).filter((v) => v !== ''))].sort(), [rows]);

  function toggle(name: string, event: MouseEvent) {
    const next = new Set(selected);
    if (event.shiftKey && anchor.current !== null) {
      const on = !selected.has(name);
      for (const n of rangeBetween(order, anchor.current, name)) {
        if (on) next.add(n);
        else next.delete(n);
      }
    } else if (next.has(name)) {
      next.delete(name);
    } else {
      next.add(name);
    }
    anchor.current = name;
    setSelected(next);
  }

  const update = (part: Partial<NodeFilter>) => setFilter((f) => ({ ...f, ...part }));
  const input = (e: Event) => (e.currentTarget as HTMLInputElement).value;

  return (
    <section aria-labelledby="nodes-title" class="nodes-page">
      <div class="page-heading">
        <a href="#/pools" class="back">
          ← Pools
        </a>
        <h1 id="nodes-title">
          Nodes of <span class="mono">{props.pool}</span>
        </h1>
        <span class="muted" aria-live="polite" data-testid="node-count">
          {loading ? `Loading… ${loading.loaded} loaded${loading.remaining ? `, ${loading.remaining} to go` : ''}` : `${shown.length} of ${rows.length} nodes shown`}
        </span>
      </div>
      {error && (
        <p class="error-panel" role="alert">
          {error}
        </p>
      )}
      <div class="toolbar" role="search" aria-label="Filter nodes">
        <label>
          Name
          <input type="search" value={filter.search} placeholder="part of the name" onInput={(e) => update({ search: input(e) })} />
        </label>
        <label>
          Phase
          <select aria-label="Phase" value={filter.phase} onChange={(e) => update({ phase: input(e) })}>
            <option value="">any</option>
            {PHASES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          HA
          <select aria-label="HA" value={filter.ha} onChange={(e) => update({ ha: input(e) })}>
            <option value="">any</option>
            <option value="closed">closed</option>
            <option value="NoSchedule">NoSchedule</option>
            <option value="NoExecute">NoExecute</option>
          </select>
        </label>
        <label>
          Tag
          <input value={filter.tag} placeholder="key or key=value" onInput={(e) => update({ tag: input(e) })} />
        </label>
        <label>
          Driver version
          <select aria-label="Driver version" value={filter.driver} onChange={(e) => update({ driver: input(e) })}>
            <option value="">any</option>
            {driverVersions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
      </div>
      <div class="selection-bar">
        <span data-testid="selection-count" aria-live="polite">
          {selected.size} selected
        </span>
        <button type="button" class="small" onClick={() => setSelected(new Set([...selected, ...order]))} disabled={order.length === 0}>
          Select all {order.length} matching
        </button>
        <button type="button" class="small" onClick={() => setSelected(new Set())} disabled={selected.size === 0}>
          Clear selection
        </button>
        <span class="hint">Shift-click a checkbox to select a range.</span>
      </div>
      <BatchPanel
        session={props.session}
        pool={props.pool}
        selected={selectedRows}
        onSelect={(names) => setSelected(new Set(names))}
        onChanged={() => void reload()}
      />
      {rows.length === 0 && !loading && !error ? (
        <p class="empty">This pool has no nodes.</p>
      ) : (
        <VirtualTable
          rows={shown}
          columns={COLUMNS.length + 1}
          label={`Nodes of ${props.pool}`}
          head={
            <tr aria-rowindex={1}>
              <th scope="col" class="check">
                <span class="visually-hidden">Selected</span>
              </th>
              {COLUMNS.map(([key, title]) => (
                <th
                  scope="col"
                  key={title}
                  aria-sort={key && sort.key === key ? (sort.descending ? 'descending' : 'ascending') : undefined}
                >
                  {key ? (
                    <button type="button" class="sort" onClick={() => setSort((s) => ({ key, descending: s.key === key ? !s.descending : false }))}>
                      {title}
                      <span aria-hidden="true">{sort.key === key ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                    </button>
                  ) : (
                    title
                  )}
                </th>
              ))}
            </tr>
          }
          renderRow={(row, index) => (
            <tr key={row.name} aria-rowindex={index + 2} aria-selected={selected.has(row.name)} class={selected.has(row.name) ? 'selected' : undefined} data-node={row.name}>
              <td class="check">
                <input type="checkbox" aria-label={`Select ${row.name}`} checked={selected.has(row.name)} onClick={(e) => toggle(row.name, e)} />
              </td>
              <td>
                <button type="button" class="link mono" onClick={() => setDetail(row.name)} aria-label={`Details of ${row.name}`}>
                  {row.name}
                </button>
              </td>
              <td>
                <span class={`pill pill-${row.phase.toLowerCase()}`}>{row.phase}</span>
              </td>
              <td data-col="ha">{row.ha ?? <span class="muted">closed</span>}</td>
              <td data-col="tags" class="tags-cell" title={row.tags.map((t) => `${t.key}=${t.value}`).join(', ')}>
                {row.tags.map((t) => (
                  <span key={t.key} class="chip">
                    {t.value === '' ? t.key : `${t.key}=${t.value}`}
                  </span>
                ))}
              </td>
              <td>
                {row.driverVersion ? (
                  <>
                    <code>{row.driverVersion}</code> <span class={`pill pill-${row.driverPhase.toLowerCase()}`}>{row.driverPhase}</span>
                  </>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
              <td data-col="lock">{row.locked ? <span class="pill pill-locked">locked</span> : <span class="muted">—</span>}</td>
              <td>{row.drain || <span class="muted">—</span>}</td>
            </tr>
          )}
        />
      )}
      {detail && byName.get(detail) && <NodeDrawer session={props.session} pool={props.pool} row={byName.get(detail)!} onClose={() => setDetail(null)} />}
    </section>
  );
}
