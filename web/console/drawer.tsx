import { useEffect, useRef, useState } from 'preact/hooks';
import { showNode } from '../lib/resources.js';
import type { Node } from '../lib/types.js';
import type { Session } from '../lib/session.js';
import { formatTime } from './format.js';
import { toRow, type NodeRow } from './model.js';

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
