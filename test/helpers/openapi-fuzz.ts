import fc from 'fast-check';

/** The subset of JSON Schema (OpenAPI 3.0 flavour) the service's request schemas use. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  nullable?: boolean;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { operationId: string; parameters?: Array<{ in: string; name: string; schema: JsonSchema }>; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
  >;
}

export interface Operation {
  id: string;
  method: string;
  /** The path template, e.g. `/v2/{project_id}/pools/{pool_name}`. */
  path: string;
  pathParams: Array<{ name: string; schema: JsonSchema }>;
  query: Array<{ name: string; schema: JsonSchema }>;
  body: JsonSchema | undefined;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = op.parameters ?? [];
      operations.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map(({ name, schema }) => ({ name, schema })),
        query: parameters.filter((p) => p.in === 'query').map(({ name, schema }) => ({ name, schema })),
        body: op.requestBody?.content['application/json']?.schema,
      });
    }
  }
  return operations;
}

/** One request as it goes on the wire (the test signs it), and which mutations produced it. */
export interface FuzzRequest {
  operation: string;
  method: string;
  /** Path and query, already percent-encoded where the generator meant it (odd escapes are kept on purpose). */
  target: string;
  contentType: string | undefined;
  body: string | Buffer | undefined;
  mutations: string[];
}

/**
 * Values the generator prefers, so most requests reach the handlers: path parameters by name, and string properties
 * (or the strings of an array property) by property name, e.g. `nodeNames` or `flavor`.
 */
export interface Hints {
  path: Record<string, string[]>;
  values: Record<string, string[]>;
  /** Known-good bodies by operation id, mutated like generated ones: they get past cross-field rules a schema cannot state. */
  examples: Record<string, unknown[]>;
}

const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  '\uffff',
  '\ufeff{}',
  '\u202eevil',
  '\u2028\u2029',
  'İıß',
  'e\u0301',
  '😀'.repeat(64),
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\\',
  '"',
  "'; DROP TABLE nodes; --",
  '%s%n',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'true',
  '1e309',
  '-0',
  '0x10',
];

const ODD_SEGMENTS = [
  '',
  '.',
  '..',
  '%2e%2e',
  '%FF',
  '%',
  '%zz',
  '%00',
  '%2F',
  'a%2Fb',
  '%3B',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '%C0%AF',
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(256),
  'x'.repeat(257),
  'x'.repeat(4_000),
  encodeURIComponent('😀'.repeat(64)),
  encodeURIComponent('😀'.repeat(129)),
  '__proto__',
  'constructor',
  '-1',
  '0',
  '{project_id}',
];

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json;charset="UTF-8"',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=',
  'application/json; foo=bar',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  '',
];

const ODD_QUERIES = ['', '&', '&&=&', '=x', 'x', '%FF', 'a=%', 'a=%zz', 'limit[]=1', 'continue=%00', 'labelSelector=' + 'k'.repeat(5_000), '__proto__=1', 'constructor[prototype]=1'];

/** A value of the wrong kind, or the right kind at an extreme. */
const weirdValue: fc.Arbitrary<{ label: string; value: unknown }> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e308, 2 ** 53, -(2 ** 63), '', '0', 'true', [], {}, [null], { '': '' }).map((value) => ({ label: 'wrong type', value })),
  fc.constantFrom(...EDGE_STRINGS).map((value) => ({ label: 'unicode edge', value })),
  fc.string({ unit: 'binary', maxLength: 40 }).map((value) => ({ label: 'any code points', value })),
  fc.constantFrom(1_000, 70_000, 1_000_000).map((n) => ({ label: `huge string ${n}`, value: 'ä'.repeat(n) })),
  fc.constantFrom(100, 5_000, 50_000).map((n) => ({ label: `huge array ${n}`, value: Array.from({ length: n }, (_, i) => `os-node-created-${i}`) })),
  fc.constantFrom(64, 1_000).map((depth) => ({ label: `deep ${depth}`, value: deep(depth) })),
  fc.constantFrom(1_000, 20_000).map((n) => ({ label: `many keys ${n}`, value: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])) })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => ({ label: 'random JSON', value })),
);

function deep(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

const ABSENT = Symbol('absent');

/** A value the schema accepts (mostly: patterns and uniqueness are best effort), kept small. */
export function validValue(schema: JsonSchema, hints: Hints, property = ''): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      // Optional fields come one time in four: many are only allowed with some other value (say, an action).
      const required = new Set(schema.required ?? []);
      const model = Object.fromEntries(
        Object.entries(properties).map(([name, sub]) => {
          const value = validValue(sub, hints, name);
          return [name, required.has(name) ? value : fc.oneof({ weight: 3, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: value })];
        }),
      );
      const fixed = fc.record(model).map((record) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== ABSENT)));
      if (typeof schema.additionalProperties !== 'object') return fixed;
      const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), validValue(schema.additionalProperties, hints), { maxKeys: 3 });
      return fc.tuple(extra, fixed).map(([more, base]) => ({ ...more, ...base }));
    }
    case 'array': {
      const item = validValue(schema.items ?? {}, hints, property);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? minLength + 4, minLength + 4);
      // Unique items, so a hinted list (node names) is not refused for a repeat.
      return fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) });
    }
    case 'string': {
      const generated = schema.pattern
        ? fc.stringMatching(new RegExp(schema.pattern))
        : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 16, (schema.minLength ?? 0) + 16) });
      const known = hints.values[property];
      return known ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: generated }) : generated;
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      return fc.integer({ min, max: Math.min(schema.maximum ?? min + 8, min + 8) });
    }
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** Every path into a JSON value (the value itself is `[]`). */
function pathsOf(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.slice(0, 8).forEach((item, i) => pathsOf(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
  return out;
}

function replaceAt(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = replaceAt(copy[head!], rest, replacement);
  return copy;
}

/** The body: valid, one value swapped for a weird one, a field removed or added, or broken JSON text. */
function bodyArbitrary(schema: JsonSchema, hints: Hints, examples: unknown[]): fc.Arbitrary<{ body: string | Buffer; mutations: string[] }> {
  const generated = validValue(schema, hints);
  const valid = examples.length > 0 ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...examples) }, { weight: 1, arbitrary: generated }) : generated;
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((v) => ({ body: JSON.stringify(v), mutations: [] as string[] })) },
    {
      weight: 6,
      arbitrary: fc.tuple(valid, fc.nat(), weirdValue).map(([v, pick, weird]) => {
        const paths = pathsOf(v);
        const path = paths[pick % paths.length]!;
        return { body: JSON.stringify(replaceAt(v, path, weird.value)), mutations: [`${weird.label} at /${path.join('/')}`] };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.string({ minLength: 1, maxLength: 10 }), weirdValue).map(([v, key, weird]) => ({
        body: JSON.stringify(typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, [key]: weird.value } : v),
        mutations: [`unknown field ${JSON.stringify(key)}`],
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, cut]) => {
        const text = JSON.stringify(v);
        return { body: text.slice(0, cut % Math.max(text.length, 1)), mutations: ['truncated JSON'] };
      }),
    },
    {
      weight: 1,
      arbitrary: valid.map((v) => {
        const text = JSON.stringify(v);
        const firstKey = /^\{("(?:[^"\\]|\\.)*":)/.exec(text);
        return { body: firstKey ? `{${firstKey[1]}0,${text.slice(1)}` : `{"a":1,"a":2}`, mutations: ['duplicate key'] };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom('', 'null', '[]', '"text"', '1e999', '{', '}', '{"a":}', '[1,]', '{"a":1}{"b":2}', '\ufeff{}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}'),
        fc.constantFrom(2_000, 100_000).map((n) => '['.repeat(n) + ']'.repeat(n)),
        fc.constantFrom(2_000, 100_000).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
      ).map((body) => ({ body, mutations: ['odd JSON text'] })),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
        fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
        fc.constant(Buffer.from('{"a":"b"}', 'utf16le')),
      ).map((body) => ({ body, mutations: ['bytes that are not UTF-8 JSON'] })),
    },
  );
}

function segmentArbitrary(name: string, schema: JsonSchema, hints: Hints): fc.Arbitrary<{ segment: string; mutations: string[] }> {
  const known = hints.path[name] ?? [];
  return fc.oneof(
    ...(known.length > 0 ? [{ weight: 12, arbitrary: fc.constantFrom(...known).map((v) => ({ segment: encodeURIComponent(v), mutations: [] as string[] })) }] : []),
    { weight: 1, arbitrary: validValue(schema, hints).map((v) => ({ segment: encodeURIComponent(String(v)), mutations: [`generated ${name}`] })) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_SEGMENTS).map((segment) => ({ segment, mutations: [`odd ${name}`] })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((v) => ({ segment: encodeURIComponent(v), mutations: [`random ${name}`] })) },
  );
}

function queryArbitrary(operation: Operation, hints: Hints): fc.Arbitrary<{ query: string; mutations: string[] }> {
  const params = operation.query.map(({ name, schema }) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant({ part: '', mutations: [] as string[] }) },
      { weight: 2, arbitrary: validValue(schema, hints).map((v) => ({ part: `${name}=${encodeURIComponent(String(v))}`, mutations: [] as string[] })) },
      { weight: 1, arbitrary: weirdValue.map((w) => ({ part: `${name}=${encodeURIComponent(String(JSON.stringify(w.value)).slice(0, 8_000))}`, mutations: [`${w.label} in ?${name}`] })) },
      { weight: 1, arbitrary: fc.constant({ part: `${name}=1&${name}=2`, mutations: [`repeated ?${name}`] }) },
    ),
  );
  const extra = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ part: '', mutations: [] as string[] }) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_QUERIES).map((part) => ({ part, mutations: [`odd query ${JSON.stringify(part.slice(0, 30))}`] })) },
  );
  return fc.tuple(fc.tuple(...params), extra).map(([parts, more]) => {
    const all = [...parts, more];
    const query = all.map((p) => p.part).filter((p) => p !== '').join('&');
    return { query, mutations: all.flatMap((p) => p.mutations) };
  });
}

// Not DELETE: a DELETE sent to another operation's path could remove the pool the rest of the run works on.
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'OPTIONS'];

/** Requests for one operation: mostly well-formed with one or two things wrong, so they reach the handlers. */
export function requestArbitrary(operation: Operation, hints: Hints): fc.Arbitrary<FuzzRequest> {
  const segments = fc.tuple(...operation.pathParams.map((p) => segmentArbitrary(p.name, p.schema, hints)));
  const body = operation.body
    ? fc.oneof({ weight: 12, arbitrary: bodyArbitrary(operation.body, hints, hints.examples[operation.id] ?? []) }, { weight: 1, arbitrary: fc.constant(undefined) })
    : fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant({ body: '{"unexpected":true}', mutations: ['body on a bodiless call'] }) });
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant({ value: 'application/json' as string | undefined, mutations: [] as string[] }) },
    { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((value) => ({ value: value as string | undefined, mutations: [`Content-Type ${JSON.stringify(value)}`] })) },
    { weight: 1, arbitrary: fc.constant({ value: undefined as string | undefined, mutations: ['no Content-Type'] }) },
  );
  const method = fc.oneof(
    { weight: 20, arbitrary: fc.constant({ value: operation.method, mutations: [] as string[] }) },
    { weight: 1, arbitrary: fc.constantFrom(...METHODS).map((value) => ({ value, mutations: value === operation.method ? [] : [`method ${value}`] })) },
  );
  return fc.record({ segments, query: queryArbitrary(operation, hints), body, contentType, method }).map(({ segments, query, body, contentType, method }) => {
    let path = operation.path;
    operation.pathParams.forEach((param, i) => (path = path.replace(`{${param.name}}`, segments[i]!.segment)));
    // fetch refuses a body on GET; the signature tests cover signed GET bodies.
    const sent = method.value === 'GET' ? undefined : body;
    return {
      operation: operation.id,
      method: method.value,
      target: query.query === '' ? path : `${path}?${query.query}`,
      contentType: contentType.value,
      body: sent?.body,
      mutations: [...segments.flatMap((s) => s.mutations), ...query.mutations, ...(sent?.mutations ?? []), ...contentType.mutations, ...method.mutations],
    };
  });
}
