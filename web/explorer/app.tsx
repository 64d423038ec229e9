import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { sendCall, type ApiResult } from '../lib/api.js';
import { fillPath, readDocument, type ApiDocument, type Operation } from '../lib/openapi.js';
import type { Session } from '../lib/session.js';
import { OperationView, initialForm, type FormState } from './operation-view.js';
import { SessionStatus } from '../lib/session-status.js';
import { SignIn } from '../lib/sign-in.js';

const OPERATION_RECORD = /^#\/operations\/([0-9a-f-]{36})$/;

/** What the location hash asks for: an operation by id, or an operation record to open. */
function readHash(): { operationId?: string; record?: string } {
  const record = OPERATION_RECORD.exec(location.hash)?.[1];
  if (record) return { record };
  const id = /^#\/([A-Za-z]+)$/.exec(location.hash)?.[1];
  return id ? { operationId: id } : {};
}

export function App() {
  const [doc, setDoc] = useState<ApiDocument | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [forms, setForms] = useState<Record<string, FormState>>({});
  const [results, setResults] = useState<Record<string, ApiResult | { failure: string }>>({});
  const [sending, setSending] = useState(false);
  const [pools, setPools] = useState<string[]>([]);
  const [nodesByPool, setNodesByPool] = useState<Record<string, string[]>>({});
  const [pendingRecord, setPendingRecord] = useState<string | null>(null);

  useEffect(() => {
    fetch('/openapi.json', { credentials: 'omit' })
      .then(async (response) => {
        if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
        setDoc(readDocument(await response.json()));
      })
      .catch((error: unknown) => setLoadError(String(error)));
  }, []);

  useEffect(() => {
    if (doc) performance.mark('explorer-ready');
  }, [doc]);

  const byId = useMemo(() => new Map((doc?.operations ?? []).map((op) => [op.id, op])), [doc]);
  const selected = (selectedId && byId.get(selectedId)) || doc?.operations.find((op) => op.id === 'ListPools') || doc?.operations[0] || null;

  const followHash = useCallback(() => {
    const { operationId, record } = readHash();
    if (record) {
      setSelectedId('ShowOperation');
      setPendingRecord(record);
    } else if (operationId) {
      setSelectedId(operationId);
    }
  }, []);
  useEffect(() => {
    followHash();
    addEventListener('hashchange', followHash);
    return () => removeEventListener('hashchange', followHash);
  }, [followHash]);

  const loadPools = useCallback(async (current: Session) => {
    const answer = await sendCall(current, { method: 'GET', path: `/v2/${encodeURIComponent(current.projectId)}/pools` });
    const items = (answer.json as { items?: Array<{ metadata: { name: string } }> } | undefined)?.items;
    setPools(answer.status === 200 && items ? items.map((p) => p.metadata.name) : []);
  }, []);

  const loadNodes = useCallback(async (current: Session, pool: string) => {
    const answer = await sendCall(current, { method: 'GET', path: `/v2/${encodeURIComponent(current.projectId)}/pools/${encodeURIComponent(pool)}/nodes`, query: [['limit', '500']] });
    const items = (answer.json as { items?: Array<{ metadata: { name: string } }> } | undefined)?.items;
    setNodesByPool((known) => ({ ...known, [pool]: answer.status === 200 && items ? items.map((n) => n.metadata.name) : [] }));
  }, []);

  useEffect(() => {
    setPools([]);
    setNodesByPool({});
    if (session) void loadPools(session);
  }, [session, loadPools]);

  const form = selected ? (forms[selected.id] ?? initialForm(selected, pools)) : null;
  const setForm = useCallback((op: Operation, next: FormState) => setForms((all) => ({ ...all, [op.id]: next })), []);
  const pool = form?.path.pool_name ?? '';
  useEffect(() => {
    if (session && pool && selected?.params.some((p) => p.name === 'pool_name') && nodesByPool[pool] === undefined) void loadNodes(session, pool);
  }, [session, pool, selected, nodesByPool, loadNodes]);

  const send = useCallback(
    async (op: Operation, state: FormState) => {
      setSending(true);
      try {
        const path = fillPath(op.path, { ...state.path, project_id: session?.projectId ?? '' });
        const query = Object.entries(state.query).filter(([, v]) => v !== '');
        const result = await sendCall(op.public ? null : session, { method: op.method, path, query, ...(op.body ? { body: state.body } : {}) });
        setResults((all) => ({ ...all, [op.id]: result }));
        if (session && op.method !== 'GET' && result.status < 300) {
          if (op.path.includes('{pool_name}') && state.path.pool_name) void loadNodes(session, state.path.pool_name);
          else void loadPools(session);
        }
      } catch (error) {
        setResults((all) => ({ ...all, [op.id]: { failure: String(error) } }));
      } finally {
        setSending(false);
      }
    },
    [session, loadNodes, loadPools],
  );

  // Opening an operation record from an X-Operation-Id link: fill ShowOperation's form and send it.
  useEffect(() => {
    const show = byId.get('ShowOperation');
    if (!pendingRecord || !show || !session) return;
    const state = { ...initialForm(show, pools), path: { operation_id: pendingRecord } };
    setForm(show, state);
    setPendingRecord(null);
    void send(show, state);
  }, [pendingRecord, byId, session, pools, send, setForm]);

  function signOut() {
    setSession(null);
    setResults({});
    setForms({});
  }

  return (
    <div class="page">
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>
          <span>
            poolkeeper <strong>API Explorer</strong>
          </span>
        </div>
        <div class="session" aria-live="polite">
          <SessionStatus session={session} onSignOut={signOut} />
        </div>
        <nav class="doc-links" aria-label="Documents">
          <a href="/openapi.json">openapi.json</a>
          <a href="/openapi.yaml">openapi.yaml</a>
        </nav>
      </header>
      <div class="layout">
        <nav class="sidebar" aria-label="Operations">
          {loadError && <p class="error-text">{loadError}</p>}
          {doc?.tags.map((tag) => {
            const ops = doc.operations.filter((op) => op.tag === tag.name);
            if (ops.length === 0) return null;
            return (
              <section key={tag.name} aria-labelledby={`group-${tag.name}`}>
                <h2 id={`group-${tag.name}`} title={tag.description}>
                  {tag.name}
                </h2>
                <ul>
                  {ops.map((op) => (
                    <li key={op.id}>
                      <a href={`#/${op.id}`} class={`op-link${op === selected ? ' active' : ''}`} aria-current={op === selected ? 'page' : undefined}>
                        <span class={`method method-${op.method.toLowerCase()}`}>{op.method}</span>
                        <span>{op.summary}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
        </nav>
        <main class="content">
          {!session && <SignIn onSignedIn={setSession} />}
          {selected && form && (
            <OperationView
              key={selected.id}
              op={selected}
              form={form}
              onChange={(next) => setForm(selected, next)}
              session={session}
              pools={pools}
              nodes={nodesByPool[form.path.pool_name ?? ''] ?? []}
              sending={sending}
              result={results[selected.id]}
              onSend={() => void send(selected, form)}
            />
          )}
          {!doc && !loadError && <p>Loading the OpenAPI document…</p>}
        </main>
      </div>
    </div>
  );
}
