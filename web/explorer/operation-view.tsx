import { useMemo, useState } from 'preact/hooks';
import type { ApiResult } from '../lib/api.js';
import type { Operation, OperationParam } from '../lib/openapi.js';
import { buildSamples, type Sample } from '../lib/samples.js';
import type { Session } from '../lib/session.js';

export interface FormState {
  path: Record<string, string>;
  query: Record<string, string>;
  body: string;
}

/** Node-list fields of batch bodies, which the live node list can fill. */
const NODE_LIST_FIELDS = ['nodeNames', 'deleteNodeNames'];

export function initialForm(op: Operation, pools: readonly string[]): FormState {
  const path: Record<string, string> = {};
  for (const p of op.params) if (p.in === 'path' && p.name !== 'project_id') path[p.name] = p.name === 'pool_name' ? (pools[0] ?? '') : '';
  const example = op.body?.examples[0];
  return { path, query: {}, body: op.body ? JSON.stringify(example ?? {}, null, 2) : '' };
}

/** Text with `backticked` spans shown as code (the document's descriptions use them). */
function withCode(text: string) {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

function inputValue(event: Event): string {
  return (event.currentTarget as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

interface Props {
  op: Operation;
  form: FormState;
  onChange: (next: FormState) => void;
  session: Session | null;
  pools: readonly string[];
  nodes: readonly string[];
  sending: boolean;
  result: ApiResult | { failure: string } | undefined;
  onSend: () => void;
}

export function OperationView({ op, form, onChange, session, pools, nodes, sending, result, onSend }: Props) {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const parsedBody = op.body ? parseJson(form.body) : undefined;
  const nodeField = op.body && NODE_LIST_FIELDS.find((f) => op.body!.schema.properties?.[f]?.type === 'array');
  const canSend = op.public || session !== null;

  function setPath(name: string, value: string) {
    onChange({ ...form, path: { ...form.path, [name]: value } });
  }
  function setQuery(name: string, value: string) {
    onChange({ ...form, query: { ...form.query, [name]: value } });
  }
  function toggleNode(name: string, on: boolean) {
    if (!nodeField || !parsedBody?.ok || typeof parsedBody.value !== 'object' || parsedBody.value === null) return;
    const body = parsedBody.value as Record<string, unknown>;
    const current = Array.isArray(body[nodeField]) ? (body[nodeField] as unknown[]).filter((n): n is string => typeof n === 'string') : [];
    const next = on ? [...current.filter((n) => n !== name), name] : current.filter((n) => n !== name);
    onChange({ ...form, body: JSON.stringify({ ...body, [nodeField]: next }, null, 2) });
  }

  function paramField(p: OperationParam, value: string, set: (v: string) => void) {
    const id = `param-${p.in}-${p.name}`;
    const list = p.name === 'pool_name' ? pools : p.name === 'node_name' ? nodes : null;
    return (
      <div class="field" key={id}>
        <label for={id}>
          <code>{p.name}</code>
          {p.required && <span class="required"> required</span>}
        </label>
        {p.schema.enum ? (
          <select id={id} value={value} onChange={(e) => set(inputValue(e))}>
            <option value="">(not set)</option>
            {p.schema.enum.map((v) => (
              <option key={String(v)} value={String(v)}>
                {String(v)}
              </option>
            ))}
          </select>
        ) : (
          <input id={id} value={value} list={list ? `${id}-list` : undefined} onInput={(e) => set(inputValue(e))} required={p.required} spellcheck={false} placeholder={p.example === undefined ? '' : String(p.example)} />
        )}
        {list && (
          <datalist id={`${id}-list`}>
            {list.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        )}
        {p.description && <p class="hint">{p.description}</p>}
      </div>
    );
  }

  return (
    <article class="operation" aria-labelledby="operation-title">
      <div class="card">
        <div class="op-heading">
          <h1 id="operation-title">{op.summary}</h1>
          <span class="op-id">{op.id}</span>
          {op.extension && <span class="badge">poolkeeper extension</span>}
          {op.public && <span class="badge badge-public">no credentials needed</span>}
        </div>
        <p class="endpoint">
          <span class={`method method-${op.method.toLowerCase()}`}>{op.method}</span> <code>{op.path}</code>
        </p>
        {op.description && <p class="description">{withCode(op.description)}</p>}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onSend();
          }}
          aria-label={`${op.id} request`}
        >
          {pathParams.length > 0 && (
            <fieldset>
              <legend>Path parameters</legend>
              {pathParams.map((p) =>
                p.name === 'project_id' ? (
                  <div class="field" key="project_id">
                    <label for="param-path-project_id">
                      <code>project_id</code> <span class="hint">from the session</span>
                    </label>
                    <input id="param-path-project_id" value={session?.projectId ?? ''} readOnly placeholder="sign in first" />
                  </div>
                ) : (
                  paramField(p, form.path[p.name] ?? '', (v) => setPath(p.name, v))
                ),
              )}
            </fieldset>
          )}
          {queryParams.length > 0 && (
            <fieldset>
              <legend>Query parameters</legend>
              {queryParams.map((p) => paramField(p, form.query[p.name] ?? '', (v) => setQuery(p.name, v)))}
            </fieldset>
          )}
          {op.body && (
            <fieldset>
              <legend>Body (JSON)</legend>
              {op.body.examples.length > 1 && (
                <div class="examples" role="group" aria-label="Body examples">
                  <span class="hint">Examples:</span>
                  {op.body.examples.map((example, i) => (
                    <button type="button" key={i} class="small" onClick={() => onChange({ ...form, body: JSON.stringify(example, null, 2) })}>
                      {i + 1}
                    </button>
                  ))}
                </div>
              )}
              <textarea
                id="request-body"
                aria-label="Request body (JSON)"
                class="code-input"
                rows={Math.min(24, Math.max(6, form.body.split('\n').length + 1))}
                value={form.body}
                onInput={(e) => onChange({ ...form, body: inputValue(e) })}
                spellcheck={false}
              />
              {parsedBody && !parsedBody.ok && <p class="error-text">Not valid JSON ({parsedBody.message}); it is sent as typed.</p>}
              {nodeField && nodes.length > 0 && parsedBody?.ok && (
                <div class="node-picker" role="group" aria-label={`Pick ${nodeField} from ${form.path.pool_name}`}>
                  <span class="hint">
                    <code>{nodeField}</code> from the pool’s nodes:
                  </span>
                  <div class="node-grid">
                    {nodes.map((name) => {
                      const picked = ((parsedBody.value as Record<string, unknown>)[nodeField] as unknown[] | undefined)?.includes(name) ?? false;
                      return (
                        <label key={name} class="node-option">
                          <input type="checkbox" checked={picked} onChange={(e) => toggleNode(name, (e.currentTarget as HTMLInputElement).checked)} />
                          {name}
                        </label>
                      );
                    })}
                  </div>
                </div>
              )}
            </fieldset>
          )}
          <div class="actions">
            <button type="submit" class="primary" disabled={!canSend || sending}>
              {sending ? 'Sending…' : 'Send'}
            </button>
            {!canSend && <span class="hint">Sign in to send this request.</span>}
          </div>
        </form>
      </div>
      {result && <ResultView op={op} result={result} />}
      <SamplesView op={op} form={form} session={session} body={parsedBody} />
    </article>
  );
}

interface OperationRecord {
  operation: string;
  action: string | null;
  successCount: number;
  failCount: number;
  nodes: Array<{ name: string; status: string; errorCode?: string; errorMsg?: string; completion?: { status: string; errorCode?: string; errorMsg?: string } }>;
}

function isOperationRecord(value: unknown): value is OperationRecord {
  return typeof value === 'object' && value !== null && Array.isArray((value as OperationRecord).nodes) && typeof (value as OperationRecord).operation === 'string';
}

function ResultView({ op, result }: { op: Operation; result: ApiResult | { failure: string } }) {
  if ('failure' in result) {
    return (
      <section class="card result" aria-live="polite" aria-label="Response">
        <p class="error-text">The request did not complete: {result.failure}</p>
      </section>
    );
  }
  const ok = result.status < 400;
  return (
    <section class="card result" aria-live="polite" aria-labelledby="response-title">
      <h2 id="response-title">Response</h2>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span class={`status ${ok ? 'status-ok' : 'status-error'}`} data-testid="status">
              {result.status}
            </span>
          </dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd data-testid="duration">{result.durationMs.toFixed(1)} ms</dd>
        </div>
        <div>
          <dt>X-Request-Id</dt>
          <dd>
            <code data-testid="request-id">{result.requestId ?? '—'}</code>
          </dd>
        </div>
        {result.operationId && (
          <div>
            <dt>X-Operation-Id</dt>
            <dd>
              <a href={`#/operations/${result.operationId}`} data-testid="operation-link" title="Open the operation record: each node’s result and reason">
                {result.operationId}
              </a>
            </dd>
          </div>
        )}
      </dl>
      {result.error && (
        <div class="error-panel" role="alert">
          <p class="error-code" data-testid="error-code">
            {result.error.code}
          </p>
          <p class="error-msg" data-testid="error-msg">
            {result.error.message}
          </p>
        </div>
      )}
      {op.id === 'ShowOperation' && result.status === 200 && isOperationRecord(result.json) && <RecordTable record={result.json} />}
      {result.text !== '' ? (
        <pre class="code" data-testid="response-body" tabIndex={0}>
          {result.json === undefined ? result.text : JSON.stringify(result.json, null, 2)}
        </pre>
      ) : (
        <p class="hint">Empty body.</p>
      )}
    </section>
  );
}

function RecordTable({ record }: { record: OperationRecord }) {
  return (
    <div class="record">
      <h3>
        {record.operation}
        {record.action ? ` · ${record.action}` : ''} — {record.successCount} succeeded, {record.failCount} failed
      </h3>
      <table data-testid="operation-record">
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Result</th>
            <th scope="col">Code</th>
            <th scope="col">Reason</th>
            <th scope="col">Completion</th>
          </tr>
        </thead>
        <tbody>
          {record.nodes.map((node) => (
            <tr key={node.name}>
              <td>
                <code>{node.name}</code>
              </td>
              <td>
                <span class={node.status === 'success' ? 'status-ok' : 'status-error'}>{node.status}</span>
              </td>
              <td>{node.errorCode ?? ''}</td>
              <td>{node.errorMsg ?? ''}</td>
              <td>{node.completion ? `${node.completion.status}${node.completion.errorMsg ? `: ${node.completion.errorMsg}` : ''}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SamplesView({ op, form, session, body }: { op: Operation; form: FormState; session: Session | null; body: ReturnType<typeof parseJson> | undefined }) {
  const [language, setLanguage] = useState<Sample['language']>('node');
  const [copied, setCopied] = useState<string | null>(null);
  const samples = useMemo(() => {
    if (body && !body.ok) return null;
    const query = Object.fromEntries(Object.entries(form.query).filter(([, v]) => v !== ''));
    return buildSamples(
      { operationId: op.id, method: op.method, pathTemplate: op.path, pathParams: form.path, query, ...(body?.ok ? { body: body.value } : {}), extension: op.extension },
      { endpoint: location.origin, projectId: session?.projectId ?? '<project id>' },
    );
  }, [op, form, session, body]);
  const current = samples?.find((s) => s.language === language) ?? samples?.[0];

  async function copy(sample: Sample) {
    try {
      await navigator.clipboard.writeText(sample.code);
    } catch {
      const area = document.getElementById('sample-code') as HTMLElement | null;
      if (area) getSelection()?.selectAllChildren(area);
      document.execCommand('copy');
    }
    setCopied(sample.language);
    setTimeout(() => setCopied(null), 1500);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (!samples || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
    const index = samples.findIndex((s) => s.language === language);
    const next = samples[(index + (event.key === 'ArrowRight' ? 1 : samples.length - 1)) % samples.length]!;
    setLanguage(next.language);
    document.getElementById(`tab-${next.language}`)?.focus();
  }

  return (
    <section class="card samples" aria-labelledby="samples-title">
      <h2 id="samples-title">Sample code for this request</h2>
      {!samples || !current ? (
        <p class="hint">Fix the JSON body to see sample code.</p>
      ) : (
        <>
          <div class="tabs" role="tablist" aria-label="Language" onKeyDown={onKeyDown}>
            {samples.map((s) => (
              <button
                type="button"
                role="tab"
                id={`tab-${s.language}`}
                key={s.language}
                aria-selected={s.language === current.language}
                aria-controls="sample-panel"
                tabIndex={s.language === current.language ? 0 : -1}
                onClick={() => setLanguage(s.language)}
              >
                {s.label}
              </button>
            ))}
          </div>
          <div id="sample-panel" role="tabpanel" aria-labelledby={`tab-${current.language}`}>
            <div class="sample-bar">
              <span class="hint">{current.filename}</span>
              {current.note && <span class="note">{current.note}</span>}
              <button type="button" class="small" onClick={() => void copy(current)} aria-label={`Copy the ${current.label} sample`}>
                {copied === current.language ? 'Copied' : 'Copy'}
              </button>
            </div>
            <pre class="code" id="sample-code" data-testid={`sample-${current.language}`} tabIndex={0}>
              {current.code}
            </pre>
          </div>
        </>
      )}
    </section>
  );
}
