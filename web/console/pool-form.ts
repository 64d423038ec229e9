/**
 * The pool forms' model: the bodies of CreatePool and PatchPool built from what was typed, their problems by form
 * field — from the request schema the service publishes, before sending, and from its 400 answer after. Plain
 * functions, unit-tested in test/console/pool-form.test.ts.
 */
import type { JsonSchema } from '../lib/openapi.js';
import { checkAgainstSchema } from '../lib/schema-check.js';
import type { Pool, PoolDriverSpec, PoolResource } from '../lib/types.js';

export const LABEL_NAME = 'os.modelarts/name';
export const LABEL_NODE_PREFIX = 'os.modelarts/node.prefix';
export const ANNOTATION_DESCRIPTION = 'os.modelarts/description';

export interface ResourceRow {
  flavor: string;
  /** As typed: a whole number. */
  count: string;
}

export interface PoolForm {
  name: string;
  prefix: string;
  description: string;
  scope: string[];
  network: string;
  resources: ResourceRow[];
  gpuVersion: string;
  npuVersion: string;
  /** '' leaves the service's default (idle). */
  strategy: '' | 'force' | 'idle';
  /** Extra labels, `key=value` one per line. */
  labels: string;
}

export function emptyPoolForm(flavor = ''): PoolForm {
  return { name: '', prefix: '', description: '', scope: ['Train'], network: 'default', resources: [{ flavor, count: '1' }], gpuVersion: '', npuVersion: '', strategy: '', labels: '' };
}

/** A form field's problems, by field: `name`, `flavor-0`, `count-0`, `resources`, … and `form` for the rest. */
export type FieldProblems = Map<string, string[]>;

/** A count as typed: a whole number, or NaN so the schema check reports it. */
function countOf(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

function driverOf(form: Pick<PoolForm, 'gpuVersion' | 'npuVersion' | 'strategy'>): PoolDriverSpec | undefined {
  const driver: PoolDriverSpec = {
    ...(form.gpuVersion.trim() ? { gpuVersion: form.gpuVersion.trim() } : {}),
    ...(form.npuVersion.trim() ? { npuVersion: form.npuVersion.trim() } : {}),
    ...(form.strategy ? { updateStrategy: form.strategy } : {}),
  };
  return Object.keys(driver).length > 0 ? driver : undefined;
}

/** `key=value` lines as labels; a line without `=` is a problem of the `labels` field. */
export function parseLabels(text: string): { labels: Record<string, string>; problems: string[] } {
  const labels: Record<string, string> = {};
  const problems: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) problems.push(`"${line}" is not key=value`);
    else if (line.slice(0, eq).trim() in labels) problems.push(`${line.slice(0, eq).trim()} is given twice`);
    else labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { labels, problems };
}

/** The CreatePool body for the form. */
export function createPoolBody(form: PoolForm): unknown {
  const { labels } = parseLabels(form.labels);
  const driver = driverOf(form);
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: {
      labels: { ...labels, [LABEL_NAME]: form.name.trim(), ...(form.prefix.trim() ? { [LABEL_NODE_PREFIX]: form.prefix.trim() } : {}) },
      ...(form.description.trim() ? { annotations: { [ANNOTATION_DESCRIPTION]: form.description.trim() } } : {}),
    },
    spec: {
      type: 'Dedicate',
      scope: form.scope,
      network: { name: form.network.trim() },
      resources: form.resources.map((r) => ({ flavor: r.flavor.trim(), count: countOf(r.count) })),
      ...(driver ? { driver } : {}),
    },
  };
}

/**
 * PatchPool's scaling body: every flavor of the pool with its new count (0 drops the flavor), its other fields kept;
 * `rowOf[i]` is the form row of the body's `spec.resources[i]`.
 */
export function scaleBody(resources: readonly PoolResource[], counts: readonly string[]): { body: unknown; rowOf: number[] } {
  const rowOf: number[] = [];
  const scaled = resources.flatMap((r, i) => {
    const count = countOf(counts[i] ?? '');
    if (count === 0) return [];
    rowOf.push(i);
    return [{ ...r, count, ...(r.maxCount !== undefined ? { maxCount: count } : {}) }];
  });
  return { body: { spec: { resources: scaled } }, rowOf };
}

/** Problems of the body's `spec.resources[i]` moved to the form row it came from (see scaleBody). */
export function onFormRows(problems: FieldProblems, rowOf: readonly number[]): FieldProblems {
  const moved: FieldProblems = new Map();
  for (const [field, messages] of problems) {
    const row = /^(flavor|count)-(\d+)$/.exec(field);
    const key = row ? `${row[1]}-${rowOf[Number(row[2])] ?? row[2]}` : field;
    moved.set(key, [...(moved.get(key) ?? []), ...messages]);
  }
  return moved;
}

/** PatchPool's driver body. */
export function driverBody(form: Pick<PoolForm, 'gpuVersion' | 'npuVersion' | 'strategy'>): unknown {
  return { spec: { driver: driverOf(form) ?? {} } };
}

/** The form field a request path belongs to (`spec.resources[1].flavor` → `flavor-1`). */
export function fieldOf(path: string): string {
  const resource = /^spec\.resources\[(\d+)\](?:\.(count|maxCount|azs))?/.exec(path);
  if (resource) return resource[2] === undefined ? `flavor-${resource[1]}` : `count-${resource[1]}`;
  const fields: Array<[string, string]> = [
    [`metadata.labels.${LABEL_NAME}`, 'name'],
    [`metadata.labels.${LABEL_NODE_PREFIX}`, 'prefix'],
    ['metadata.labels', 'labels'],
    ['metadata.annotations', 'description'],
    ['spec.scope', 'scope'],
    ['spec.network', 'network'],
    ['spec.resources', 'resources'],
    ['spec.driver.gpuVersion', 'gpuVersion'],
    ['spec.driver.npuVersion', 'npuVersion'],
    ['spec.driver.updateStrategy', 'strategy'],
  ];
  for (const [prefix, field] of fields) if (path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`) || path.startsWith(`${prefix}:`)) return field;
  return 'form';
}

function add(problems: FieldProblems, field: string, message: string): void {
  problems.set(field, [...(problems.get(field) ?? []), message]);
}

/** The body's problems under the request schema the service publishes, plus the labels that did not parse. */
export function checkPoolBody(body: unknown, schema: JsonSchema | undefined, labelsText = ''): FieldProblems {
  const problems: FieldProblems = new Map();
  for (const problem of parseLabels(labelsText).problems) add(problems, 'labels', problem);
  if (!schema) return problems;
  for (const { path, message } of checkAgainstSchema(body, schema)) add(problems, fieldOf(path), `${path ? `${path} ` : ''}${message}`);
  return problems;
}

/** The field a refused request's answer is about, from the path its message starts with; `form` when it names none. */
export function answerProblems(answer: { status: number; error?: { code: string; message: string } }): FieldProblems {
  const problems: FieldProblems = new Map();
  if (!answer.error) {
    add(problems, 'form', `HTTP ${answer.status}`);
    return problems;
  }
  const text = `${answer.error.code}: ${answer.error.message}`;
  const detail = answer.error.message.replace(/^Bad request\.\s*/, '');
  const path = /^[^\s:]+/.exec(detail)?.[0] ?? '';
  const field = answer.status === 409 ? 'name' : answer.status === 400 ? fieldOf(path) : 'form';
  add(problems, field, text);
  return problems;
}

/** The flavors a form offers: those the project's pools use, then the schema's example. */
export function knownFlavors(pools: readonly Pool[], example?: string): string[] {
  const flavors = new Set(pools.flatMap((p) => p.spec.resources.map((r) => r.flavor)));
  if (example) flavors.add(example);
  return [...flavors].sort();
}
