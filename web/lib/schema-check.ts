/**
 * Checks a value against a JSON schema as the service's OpenAPI document publishes it, before a form sends it: the
 * keywords poolkeeper's request schemas use (type, required, properties, patternProperties, additionalProperties, enum/const, pattern,
 * lengths, minimum/maximum, item counts, uniqueItems). Field paths are written as the service writes them in its 400
 * answers (`spec.resources[0].count`), so a form places both at the same field. Free of browser APIs (unit-tested).
 */
import type { JsonSchema } from './openapi.js';

export interface SchemaProblem {
  /** e.g. `metadata.labels.os.modelarts/name`, `spec.resources[1].flavor`; '' for the value itself. */
  path: string;
  message: string;
}

function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return actual === expected || (expected === 'number' && actual === 'integer');
}

/** Every problem of `value` under `schema`, each once, in document order. */
export function checkAgainstSchema(value: unknown, schema: JsonSchema, path = ''): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const problem = (message: string, at = path) => problems.push({ path: at, message });
  const allowed = (schema.enum as unknown[] | undefined) ?? ('const' in schema ? [schema.const] : undefined);
  if (allowed && !allowed.includes(value)) {
    problem(`must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
    return problems;
  }
  if (typeof schema.type === 'string' && !typeMatches(schema.type, value)) {
    problem(`must be ${schema.type}`);
    return problems;
  }
  if (typeof value === 'string') {
    const minLength = schema.minLength as number | undefined;
    const maxLength = schema.maxLength as number | undefined;
    if (minLength !== undefined && [...value].length < minLength) problem(`must NOT have fewer than ${minLength} characters`);
    else if (maxLength !== undefined && [...value].length > maxLength) problem(`must NOT have more than ${maxLength} characters`);
    else if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) problem(`must match pattern "${schema.pattern}"`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < (schema.minimum as number)) problem(`must be >= ${String(schema.minimum)}`);
    if (schema.maximum !== undefined && value > (schema.maximum as number)) problem(`must be <= ${String(schema.maximum)}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < (schema.minItems as number)) problem(`must NOT have fewer than ${String(schema.minItems)} items`);
    if (schema.maxItems !== undefined && value.length > (schema.maxItems as number)) problem(`must NOT have more than ${String(schema.maxItems)} items`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) problem('must NOT have duplicate items');
    if (schema.items) value.forEach((item, i) => problems.push(...checkAgainstSchema(item, schema.items!, join(path, i))));
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (object[key] === undefined) problem('is required', join(path, key));
    const properties = schema.properties ?? {};
    const patterns = Object.entries((schema.patternProperties as Record<string, JsonSchema> | undefined) ?? {}).map(([p, s]) => [new RegExp(p, 'u'), s] as const);
    const extra = schema.additionalProperties as JsonSchema | boolean | undefined;
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) continue;
      const at = join(path, key);
      const matching = patterns.filter(([pattern]) => pattern.test(key));
      if (properties[key]) problems.push(...checkAgainstSchema(item, properties[key], at));
      for (const [, itemSchema] of matching) problems.push(...checkAgainstSchema(item, itemSchema, at));
      if (properties[key] || matching.length > 0) continue;
      if (extra === false) problem('is not a known field', at);
      else if (typeof extra === 'object') problems.push(...checkAgainstSchema(item, extra, at));
    }
  }
  return problems;
}

/** The schema of a property path, stepping into an array's items on the way (`'spec', 'resources', 'flavor'`). */
export function schemaAt(schema: JsonSchema | undefined, ...keys: string[]): JsonSchema | undefined {
  let at = schema;
  for (const key of keys) {
    if (at === undefined) return undefined;
    at = at.type === 'array' ? at.items?.properties?.[key] : at.properties?.[key];
  }
  return at;
}
