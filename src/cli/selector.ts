import { ANNOTATION_TAGS } from '../domain/node.js';
import type { Node } from '../schemas/node.js';
import { usageError } from './exit-codes.js';

/**
 * Node selectors (`-l`), kubectl's label-selector syntax over more than labels. Terms are joined by commas and all
 * must hold:
 *
 *   KEY=VALUE  KEY==VALUE  KEY!=VALUE  KEY in (V1,V2)  KEY notin (V1,V2)  KEY (exists)  !KEY (does not exist)
 *
 * KEY is a node label (`os.modelarts.node/ha.redundant.enabled`, or `label:KEY` to be explicit), a resource tag
 * `tag:KEY`, a taint `taint:KEY` (its value; "exists" means the node has a taint with that key), or one of the fields
 * `phase`, `flavor`, `az`, `driver` (driver version) and `driver-phase`. The first `=` (or `!=`) ends the key.
 */
export type SelectorTerm = { key: SelectorKey; op: 'in' | 'notin'; values: string[] } | { key: SelectorKey; op: 'exists' | 'absent' };

export type SelectorKey =
  | { kind: 'label' | 'tag' | 'taint'; name: string }
  | { kind: 'field'; name: (typeof FIELDS)[number] };

const FIELDS = ['phase', 'flavor', 'az', 'driver', 'driver-phase'] as const;

function parseKey(text: string, term: string): SelectorKey {
  const key = text.trim();
  if (key === '') throw usageError(`selector term "${term}" has no key`);
  if ((FIELDS as readonly string[]).includes(key)) return { kind: 'field', name: key as (typeof FIELDS)[number] };
  const colon = key.indexOf(':');
  if (colon > 0) {
    const prefix = key.slice(0, colon);
    const name = key.slice(colon + 1).trim();
    if (prefix === 'label' || prefix === 'tag' || prefix === 'taint') {
      if (name === '') throw usageError(`selector term "${term}" has no key after ${prefix}:`);
      return { kind: prefix, name };
    }
    throw usageError(`selector term "${term}": unknown prefix "${prefix}:" (use label:, tag: or taint:, or one of ${FIELDS.join(', ')})`);
  }
  return { kind: 'label', name: key };
}

/** Splits on commas outside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw usageError(`selector "${selector}" has an unmatched ")"`);
  }
  if (depth !== 0) throw usageError(`selector "${selector}" has an unmatched "("`);
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim());
}

export function parseNodeSelector(selector: string): SelectorTerm[] {
  const terms = splitTerms(selector);
  if (terms.every((t) => t === '')) throw usageError('the selector is empty');
  return terms.map((term): SelectorTerm => {
    if (term === '') throw usageError(`selector "${selector}" has an empty term`);
    const set = /^(.+?)\s+(in|notin)\s*\((.*)\)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      if (values.some((v) => v === '')) throw usageError(`selector term "${term}" has an empty value`);
      return { key: parseKey(set[1]!, term), op: set[2] as 'in' | 'notin', values };
    }
    const ne = term.indexOf('!=');
    const eq = term.indexOf('=');
    if (ne >= 0 && (eq < 0 || ne < eq)) return { key: parseKey(term.slice(0, ne), term), op: 'notin', values: [term.slice(ne + 2).trim()] };
    if (eq >= 0) {
      const value = term.slice(term[eq + 1] === '=' ? eq + 2 : eq + 1).trim();
      return { key: parseKey(term.slice(0, eq), term), op: 'in', values: [value] };
    }
    if (term.startsWith('!')) return { key: parseKey(term.slice(1), term), op: 'absent' };
    return { key: parseKey(term, term), op: 'exists' };
  });
}

/** The values a node has for a key: none when it does not have it (a taint key may have several effects). */
function valuesOf(node: Node, key: SelectorKey): string[] {
  switch (key.kind) {
    case 'label': {
      const value = node.metadata.labels[key.name];
      return value === undefined ? [] : [value];
    }
    case 'tag': {
      const raw = node.metadata.annotations[ANNOTATION_TAGS];
      const tags = raw ? (JSON.parse(raw) as Array<{ key: string; value: string }>) : [];
      return tags.filter((t) => t.key === key.name).map((t) => t.value);
    }
    case 'taint':
      return node.status.taints.filter((t) => t.key === key.name).map((t) => t.value);
    case 'field': {
      const value = { phase: node.status.phase, flavor: node.spec.flavor, az: node.status.az, driver: node.status.driver?.version, 'driver-phase': node.status.driver?.phase }[key.name];
      return value === undefined ? [] : [value];
    }
  }
}

export function matchesNode(node: Node, terms: readonly SelectorTerm[]): boolean {
  return terms.every((term) => {
    const values = valuesOf(node, term.key);
    switch (term.op) {
      case 'exists':
        return values.length > 0;
      case 'absent':
        return values.length === 0;
      case 'in':
        return values.some((v) => term.values.includes(v));
      case 'notin':
        return !values.some((v) => term.values.includes(v));
    }
  });
}
