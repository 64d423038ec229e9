/** Pool management from the console: create, scale, patch the driver, delete — each a dialog over the public API. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { JsonSchema } from '../lib/openapi.js';
import { createPool, deletePool, patchPool } from '../lib/resources.js';
import { schemaAt } from '../lib/schema-check.js';
import type { Session } from '../lib/session.js';
import type { Pool } from '../lib/types.js';
import { requestSchema } from './api-document.js';
import { invalid, Modal, Problems } from './modal.js';
import {
  answerProblems,
  checkPoolBody,
  createPoolBody,
  driverBody,
  emptyPoolForm,
  knownFlavors,
  LABEL_NAME,
  onFormRows,
  scaleBody,
  type FieldProblems,
  type PoolForm,
} from './pool-form.js';

const POOLS_PATH = '/v2/{project_id}/pools';
const POOL_PATH = '/v2/{project_id}/pools/{pool_name}';

export function displayName(pool: Pool): string {
  return pool.metadata.labels[LABEL_NAME] ?? pool.metadata.name;
}

function useSchema(session: Session, path: string, method: string): JsonSchema | undefined {
  const [schema, setSchema] = useState<JsonSchema | undefined>(undefined);
  useEffect(() => {
    requestSchema(session, path, method).then(setSchema, () => setSchema(undefined));
  }, [session, path, method]);
  return schema;
}

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

/** A labelled input with its hint and problems under it (outside the label, so they do not become its name). */
function TextField(props: {
  id: string;
  /** The form field its problems are filed under. */
  field: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  problems: FieldProblems;
  hint?: string;
  placeholder?: string;
}) {
  const messages = props.problems.get(props.field);
  return (
    <div class="form-field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        value={props.value}
        placeholder={props.placeholder}
        spellcheck={false}
        autocomplete="off"
        onInput={(e) => props.onInput(value(e))}
        {...invalid(`${props.id}-problems`, messages, props.hint ? `${props.id}-hint` : undefined)}
      />
      {props.hint && (
        <small class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </small>
      )}
      <Problems id={`${props.id}-problems`} messages={messages} />
    </div>
  );
}

function FormProblems(props: { problems: FieldProblems }) {
  const messages = props.problems.get('form');
  if (!messages) return null;
  return (
    <div class="error-panel" role="alert">
      {messages.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

/** The form's problems, announced once they change. */
function ProblemSummary(props: { problems: FieldProblems; tried: boolean }) {
  const count = [...props.problems.values()].reduce((n, list) => n + list.length, 0);
  if (!props.tried || count === 0) return null;
  return (
    <p class="hint warn" role="alert">
      {count === 1 ? 'One field needs' : `${count} fields need`} attention (see the messages under them).
    </p>
  );
}

/** CreatePool from a form built from the request schema the service publishes; checked before it is sent. */
export function CreatePoolDialog(props: { session: Session; pools: readonly Pool[]; onCreated: (pool: Pool) => void; onClose: () => void }) {
  const schema = useSchema(props.session, POOLS_PATH, 'post');
  const flavorSchema = schemaAt(schema, 'spec', 'resources', 'flavor');
  const flavors = useMemo(() => knownFlavors(props.pools, /e\.g\. ([\w.-]+?)\.?$/.exec(flavorSchema?.description ?? '')?.[1]), [props.pools, flavorSchema]);
  const [form, setForm] = useState<PoolForm>(() => emptyPoolForm(flavors[0] ?? ''));
  const [problems, setProblems] = useState<FieldProblems>(new Map());
  const [tried, setTried] = useState(false);
  const [sending, setSending] = useState(false);
  const scopes = (schemaAt(schema, 'spec', 'scope')?.items?.enum as string[] | undefined) ?? ['Train', 'Infer', 'Notebook'];
  const maxResources = (schemaAt(schema, 'spec', 'resources')?.maxItems as number | undefined) ?? 16;
  const nameHint = schemaAt(schema, 'metadata', 'labels', LABEL_NAME)?.description;

  const update = (part: Partial<PoolForm>) => {
    const next = { ...form, ...part };
    setForm(next);
    if (tried) setProblems(checkPoolBody(createPoolBody(next), schema, next.labels));
  };
  const setRow = (i: number, part: Partial<PoolForm['resources'][number]>) => update({ resources: form.resources.map((r, j) => (j === i ? { ...r, ...part } : r)) });

  async function submit(event: Event) {
    event.preventDefault();
    setTried(true);
    const body = createPoolBody(form);
    const found = checkPoolBody(body, schema, form.labels);
    setProblems(found);
    if (found.size > 0) return;
    setSending(true);
    try {
      const answer = await createPool(props.session, body);
      if (answer.status === 200) props.onCreated(answer.json as Pool);
      else setProblems(answerProblems(answer));
    } catch (caught) {
      setProblems(new Map([['form', [String(caught)]]]));
    } finally {
      setSending(false);
    }
  }

  return (
    <Modal id="create-pool" title="Create a pool" onClose={props.onClose} wide testId="create-pool">
      <form class="pool-form" onSubmit={submit} noValidate>
        <FormProblems problems={problems} />
        <div class="form-grid">
          <TextField id="pool-name" field="name" label="Name" value={form.name} onInput={(name) => update({ name })} problems={problems} hint={nameHint} placeholder="e.g. training-a" />
          <TextField id="pool-prefix" field="prefix" label="Node name prefix (optional)" value={form.prefix} onInput={(prefix) => update({ prefix })} problems={problems} placeholder="os-node-created" />
          <TextField id="pool-network" field="network" label="Network" value={form.network} onInput={(network) => update({ network })} problems={problems} />
          <TextField id="pool-description" field="description" label="Description (optional)" value={form.description} onInput={(description) => update({ description })} problems={problems} />
        </div>
        <fieldset class="inline" aria-describedby={problems.get('scope') ? 'pool-scope-problems' : undefined}>
          <legend>Scope</legend>
          {scopes.map((scope) => (
            <label key={scope}>
              <input
                type="checkbox"
                checked={form.scope.includes(scope)}
                onChange={(e) => update({ scope: (e.currentTarget as HTMLInputElement).checked ? [...form.scope, scope] : form.scope.filter((s) => s !== scope) })}
              />{' '}
              {scope}
            </label>
          ))}
          <Problems id="pool-scope-problems" messages={problems.get('scope')} />
        </fieldset>
        <fieldset>
          <legend>Nodes</legend>
          <datalist id="known-flavors">
            {flavors.map((f) => (
              <option key={f} value={f} />
            ))}
          </datalist>
          {form.resources.map((row, i) => {
            const n = form.resources.length > 1 ? ` ${i + 1}` : '';
            return (
              <div class="resource-row" key={i} data-testid="resource-row">
                <div class="form-field grow">
                  <label for={`pool-flavor-${i}`}>Flavor{n}</label>
                  <input
                    id={`pool-flavor-${i}`}
                    list="known-flavors"
                    value={row.flavor}
                    spellcheck={false}
                    autocomplete="off"
                    onInput={(e) => setRow(i, { flavor: value(e) })}
                    {...invalid(`pool-flavor-${i}-problems`, problems.get(`flavor-${i}`))}
                  />
                  <Problems id={`pool-flavor-${i}-problems`} messages={problems.get(`flavor-${i}`)} />
                </div>
                <div class="form-field count">
                  <label for={`pool-count-${i}`}>Count{n}</label>
                  <input id={`pool-count-${i}`} type="number" min={1} value={row.count} onInput={(e) => setRow(i, { count: value(e) })} {...invalid(`pool-count-${i}-problems`, problems.get(`count-${i}`))} />
                  <Problems id={`pool-count-${i}-problems`} messages={problems.get(`count-${i}`)} />
                </div>
                {form.resources.length > 1 && (
                  <button type="button" class="small" aria-label={`Remove flavor ${i + 1}`} onClick={() => update({ resources: form.resources.filter((_, j) => j !== i) })}>
                    Remove
                  </button>
                )}
              </div>
            );
          })}
          <Problems id="pool-resources-problems" messages={problems.get('resources')} />
          <button type="button" class="small" disabled={form.resources.length >= maxResources} onClick={() => update({ resources: [...form.resources, { flavor: '', count: '1' }] })}>
            Add a flavor
          </button>
        </fieldset>
        <fieldset>
          <legend>Driver (optional)</legend>
          <div class="form-grid">
            <TextField id="pool-gpu" field="gpuVersion" label="GPU driver version" value={form.gpuVersion} onInput={(gpuVersion) => update({ gpuVersion })} problems={problems} placeholder="e.g. 535.54.03" />
            <TextField id="pool-npu" field="npuVersion" label="NPU driver version" value={form.npuVersion} onInput={(npuVersion) => update({ npuVersion })} problems={problems} placeholder="e.g. 23.0.6" />
            <StrategyField id="pool-strategy" value={form.strategy} onChange={(strategy) => update({ strategy })} problems={problems} />
          </div>
        </fieldset>
        <div class="form-field">
          <label for="pool-labels">Labels (key=value, one per line)</label>
          <textarea
            id="pool-labels"
            rows={2}
            value={form.labels}
            spellcheck={false}
            onInput={(e) => update({ labels: (e.currentTarget as HTMLTextAreaElement).value })}
            {...invalid('pool-labels-problems', problems.get('labels'))}
          />
          <Problems id="pool-labels-problems" messages={problems.get('labels')} />
        </div>
        <ProblemSummary problems={problems} tried={tried} />
        <div class="modal-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={sending}>
            {sending ? 'Creating…' : 'Create pool'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function StrategyField(props: { id: string; value: PoolForm['strategy']; onChange: (v: PoolForm['strategy']) => void; problems: FieldProblems }) {
  return (
    <div class="form-field">
      <label for={props.id}>Upgrade strategy</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value as PoolForm['strategy'])} {...invalid(`${props.id}-problems`, props.problems.get('strategy'))}>
        <option value="">default (idle)</option>
        <option value="idle">idle: when the node runs no work</option>
        <option value="force">force: now, stopping its work</option>
      </select>
      <Problems id={`${props.id}-problems`} messages={props.problems.get('strategy')} />
    </div>
  );
}

/** PatchPool with new counts per flavor: the service adds or removes nodes (unlocked ones, unhealthy first). */
export function ScaleDialog(props: { session: Session; pool: Pool; onDone: () => void; onClose: () => void }) {
  const schema = useSchema(props.session, POOL_PATH, 'patch');
  const resources = props.pool.spec.resources;
  const [counts, setCounts] = useState(() => resources.map((r) => String(r.count)));
  const [problems, setProblems] = useState<FieldProblems>(new Map());
  const [sending, setSending] = useState(false);
  const name = displayName(props.pool);

  async function submit(event: Event) {
    event.preventDefault();
    const { body, rowOf } = scaleBody(resources, counts);
    const found = onFormRows(checkPoolBody(body, schema), rowOf);
    setProblems(found);
    if (found.size > 0) return;
    setSending(true);
    try {
      const answer = await patchPool(props.session, props.pool.metadata.name, body);
      if (answer.status === 200) props.onDone();
      else setProblems(onFormRows(answerProblems(answer), rowOf));
    } catch (caught) {
      setProblems(new Map([['form', [String(caught)]]]));
    } finally {
      setSending(false);
    }
  }

  return (
    <Modal id="scale-pool" title={`Scale ${name}`} onClose={props.onClose} testId="scale-pool">
      <form onSubmit={submit} noValidate>
        <FormProblems problems={problems} />
        <p class="hint">New nodes start Creating; fewer nodes removes unlocked ones, unhealthy first, then the newest. 0 drops the flavor.</p>
        {resources.map((r, i) => {
          const rowProblems = [...(problems.get(`count-${i}`) ?? []), ...(problems.get(`flavor-${i}`) ?? [])];
          return (
            <div class="form-field" key={`${r.flavor}-${r.nodePool ?? ''}`}>
              <label for={`scale-count-${i}`}>
                Nodes of <code>{r.flavor}</code> (now {r.count})
              </label>
              <input id={`scale-count-${i}`} type="number" min={0} value={counts[i]} onInput={(e) => setCounts(counts.map((c, j) => (j === i ? value(e) : c)))} {...invalid(`scale-count-${i}-problems`, rowProblems)} />
              <Problems id={`scale-count-${i}-problems`} messages={rowProblems} />
            </div>
          );
        })}
        <Problems id="scale-resources-problems" messages={problems.get('resources')} />
        <div class="modal-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={sending}>
            {sending ? 'Scaling…' : 'Scale'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** PatchPool `spec.driver`: the pool's GPU or NPU nodes are upgraded, recorded as an operation (followed in Operations). */
export function DriverDialog(props: { session: Session; pool: Pool; onDone: (operationId: string | null) => void; onClose: () => void }) {
  const schema = useSchema(props.session, POOL_PATH, 'patch');
  const status = props.pool.status.driver;
  const spec = props.pool.spec.driver;
  const [form, setForm] = useState({ gpuVersion: status?.gpu?.version ?? '', npuVersion: status?.npu?.version ?? '', strategy: spec?.updateStrategy ?? ('' as PoolForm['strategy']) });
  const [problems, setProblems] = useState<FieldProblems>(new Map());
  const [sending, setSending] = useState(false);
  const name = displayName(props.pool);

  async function submit(event: Event) {
    event.preventDefault();
    const patch = {
      gpuVersion: status?.gpu && form.gpuVersion !== status.gpu.version ? form.gpuVersion : '',
      npuVersion: status?.npu && form.npuVersion !== status.npu.version ? form.npuVersion : '',
      strategy: form.strategy,
    };
    if (!patch.gpuVersion && !patch.npuVersion && form.strategy === (spec?.updateStrategy ?? '')) {
      setProblems(new Map([['form', ['Nothing to change: give a new version or strategy.']]]));
      return;
    }
    const body = driverBody(patch);
    const found = checkPoolBody(body, schema);
    setProblems(found);
    if (found.size > 0) return;
    setSending(true);
    try {
      const answer = await patchPool(props.session, props.pool.metadata.name, body);
      if (answer.status === 200) props.onDone(answer.operationId);
      else setProblems(answerProblems(answer));
    } catch (caught) {
      setProblems(new Map([['form', [String(caught)]]]));
    } finally {
      setSending(false);
    }
  }

  return (
    <Modal id="pool-driver" title={`Driver of ${name}`} onClose={props.onClose} testId="pool-driver">
      <form onSubmit={submit} noValidate>
        <FormProblems problems={problems} />
        {!status?.gpu && !status?.npu ? (
          <p class="empty">This pool has no GPU or NPU nodes: there is no driver to upgrade.</p>
        ) : (
          <>
            <p class="hint">Every GPU (or NPU) node of the pool not already on the new version is upgraded, each as the strategy says; locked nodes are refused and listed in the operation.</p>
            {status?.gpu && (
              <TextField
                id="driver-gpu"
                field="gpuVersion"
                label={`GPU driver version (now ${status.gpu.version}, ${status.gpu.state})`}
                value={form.gpuVersion}
                onInput={(gpuVersion) => setForm({ ...form, gpuVersion })}
                problems={problems}
              />
            )}
            {status?.npu && (
              <TextField
                id="driver-npu"
                field="npuVersion"
                label={`NPU driver version (now ${status.npu.version}, ${status.npu.state})`}
                value={form.npuVersion}
                onInput={(npuVersion) => setForm({ ...form, npuVersion })}
                problems={problems}
              />
            )}
            <StrategyField id="driver-strategy" value={form.strategy} onChange={(strategy) => setForm({ ...form, strategy })} problems={problems} />
          </>
        )}
        <div class="modal-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={sending || (!status?.gpu && !status?.npu)}>
            {sending ? 'Saving…' : 'Upgrade'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** DeletePool, once the pool's name is typed (as deleting nodes needs DELETE typed). */
export function DeletePoolDialog(props: { session: Session; pool: Pool; onDone: () => void; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [problems, setProblems] = useState<FieldProblems>(new Map());
  const [sending, setSending] = useState(false);
  const name = displayName(props.pool);
  const nodes = props.pool.spec.resources.reduce((n, r) => n + r.count, 0);

  async function submit(event: Event) {
    event.preventDefault();
    if (typed !== name) return;
    setSending(true);
    try {
      const answer = await deletePool(props.session, props.pool.metadata.name);
      if (answer.status === 200) props.onDone();
      else setProblems(answerProblems(answer));
    } catch (caught) {
      setProblems(new Map([['form', [String(caught)]]]));
    } finally {
      setSending(false);
    }
  }

  return (
    <Modal id="delete-pool" title={`Delete ${name}`} onClose={props.onClose} testId="delete-pool">
      <form onSubmit={submit} noValidate>
        <FormProblems problems={problems} />
        <p>
          The pool <code>{props.pool.metadata.name}</code> and its {nodes} node{nodes === 1 ? '' : 's'} go <strong>Deleting</strong> and then disappear. This cannot be undone.
        </p>
        <div class="form-field">
          <label for="delete-pool-name">
            Type <strong class="mono">{name}</strong> to delete the pool
          </label>
          <input id="delete-pool-name" value={typed} autocomplete="off" spellcheck={false} onInput={(e) => setTyped(value(e))} />
        </div>
        <div class="modal-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={typed !== name || sending}>
            {sending ? 'Deleting…' : 'Delete pool'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
