import { useEffect, useRef, useState } from 'preact/hooks';
import { showNode } from '../lib/resources.js';
import type { Node, OperationSummary } from '../lib/types.js';
import type { Session } from '../lib/session.js';
import { formatTime } from './format.js';
import { toRow, type NodeRow } from './model.js';
import { operationTitle } from './operation-model.js';
import { readOperations } from './operations.js';

const OPERATIONS_SHOWN = 10;

function Pairs(props: { title: string; entries: Array<[string, string]> }) {
  return (
    <section>
      <h3>{props.title}</h3>
      {props.entries.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <dl class="pairs">
          {props.entries.map(([k, v]) => (
            <div key={k}>
              <dt class="mono">{k}</dt>
              <dd class="mono">{v}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

/** The operations whose records name the node, newest first, a few at a time. */
function NodeOperations(props: { session: Session; pool: string; node: string }) {
  const [items, setItems] = useState<OperationSummary[] | null>(null);
  const [token, setToken] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const filter = { pool: props.pool, node: props.node };

  async function read(from?: string) {
    try {
      const page = await readOperations(props.session, filter, OPERATIONS_SHOWN, from);
      setItems((current) => [...(from ? (current ?? []) : []), ...page.items]);
      setToken(page.token);
    } catch (caught) {
      setItems((current) => current ?? []);
      setError(String(caught));
    }
  }
  useEffect(() => {
    void read();
  }, [props.session, props.pool, props.node]);

  return (
    <section aria-labelledby="drawer-operations">
      <h3 id="drawer-operations">Operations</h3>
      {error && (
        <p class="error-panel" role="alert">
          {error}
        </p>
      )}
      {items === null && <p aria-busy="true">Loading…</p>}
      {items?.length === 0 && !error && <p class="muted">{token ? 'None among the most recent records of this pool.' : 'No operation has named this node.'}</p>}
      {items && items.length > 0 && (
        <ul class="node-operations" data-testid="node-operations">
          {items.map((item) => (
            <li key={item.id}>
              <a href={`#/operations/${item.id}`}>{operationTitle(item)}</a> <span class="muted">{formatTime(item.creationTimestamp)}</span>
            </li>
          ))}
        </ul>
      )}
      {token && (
        <button type="button" class="small" onClick={() => void read(token)}>
          Look further back
        </button>
      )}
    </section>
  );
}

/** A node's details, fetched fresh when opened; a modal dialog (Escape closes it, focus returns to the table). */
export function NodeDrawer(props: { session: Session; pool: string; row: NodeRow; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [node, setNode] = useState<Node>(props.row.node);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);

  useEffect(() => {
    showNode(props.session, props.pool, props.row.name).then(setNode, (caught: unknown) => setError(String(caught)));
  }, [props.session, props.pool, props.row.name]);

  const row = toRow(node);
  return (
    <dialog ref={dialog} class="drawer" aria-labelledby="drawer-title" onClose={props.onClose} data-testid="node-drawer">
      <div class="drawer-head">
        <h2 id="drawer-title" class="mono">
          {row.name}
        </h2>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      {error && (
        <p class="error-panel" role="alert">
          {error}
        </p>
      )}
      <dl class="facts">
        <div>
          <dt>Phase</dt>
          <dd>{row.phase}</dd>
        </div>
        <div>
          <dt>Flavor</dt>
          <dd>{node.spec.flavor}</dd>
        </div>
        <div>
          <dt>Zone / IP</dt>
          <dd>
            {node.status.az} / {node.status.privateIp}
          </dd>
        </div>
        <div>
          <dt>Driver</dt>
          <dd>{row.driverVersion ? `${row.driverVersion} (${row.driverPhase})` : 'none'}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(node.metadata.creationTimestamp)}</dd>
        </div>
      </dl>
      <Pairs title="Tags" entries={row.tags.map((t) => [t.key, t.value])} />
      <NodeOperations session={props.session} pool={props.pool} node={props.row.name} />
      <section>
        <h3>Taints</h3>
        {node.status.taints.length === 0 ? (
          <p class="muted">none</p>
        ) : (
          <ul data-testid="taints">
            {node.status.taints.map((t) => (
              <li key={`${t.key}:${t.effect}`} class="mono">
                {t.key}={t.value}:{t.effect} <span class="muted">since {formatTime(t.timeAdded)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <Pairs title="Labels" entries={Object.entries(node.metadata.labels)} />
      <Pairs title="Annotations" entries={Object.entries(node.metadata.annotations)} />
    </dialog>
  );
}
