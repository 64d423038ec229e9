/** Reads the operations of poolkeeper's OpenAPI document into what a form needs. */

export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  description?: string;
  pattern?: string;
  example?: unknown;
  [keyword: string]: unknown;
}

export interface OperationParam {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface OperationResponse {
  status: string;
  description: string;
  examples: unknown[];
}

export interface Operation {
  id: string;
  method: string;
  /** e.g. /v2/{project_id}/pools/{pool_name} */
  path: string;
  tag: string;
  summary: string;
  description: string;
  /** poolkeeper's own, not ModelArts. */
  extension: boolean;
  /** Answers without credentials (`security: []`). */
  public: boolean;
  params: OperationParam[];
  body?: { schema: JsonSchema; examples: unknown[]; required: boolean };
  responses: OperationResponse[];
}

export interface ApiDocument {
  tags: Array<{ name: string; description: string }>;
  operations: Operation[];
}

interface Media {
  schema?: JsonSchema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

function examplesOf(media: Media | undefined): unknown[] {
  if (!media) return [];
  if (media.examples) return Object.values(media.examples).map((e) => e.value);
  return media.example === undefined ? [] : [media.example];
}

function firstMedia(content: Record<string, Media> | undefined): Media | undefined {
  return content ? Object.values(content)[0] : undefined;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function readDocument(doc: any): ApiDocument {
  const tags: ApiDocument['tags'] = (doc.tags ?? []).map((t: any) => ({ name: String(t.name), description: String(t.description ?? '') }));
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op?.operationId) continue;
      const media = firstMedia(op.requestBody?.content);
      operations.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        tag: op.tags?.[0] ?? 'Other',
        summary: op.summary ?? op.operationId,
        description: op.description ?? '',
        extension: op['x-poolkeeper-extension'] === true,
        public: Array.isArray(op.security) && op.security.length === 0,
        params: (op.parameters ?? [])
          .filter((p: any) => p.in === 'path' || p.in === 'query')
          .map((p: any) => ({ name: p.name, in: p.in, required: p.required === true, description: p.description ?? '', schema: p.schema ?? {}, example: p.example ?? p.schema?.example })),
        ...(op.requestBody ? { body: { schema: media?.schema ?? {}, examples: examplesOf(media), required: op.requestBody.required === true } } : {}),
        responses: Object.entries<any>(op.responses ?? {}).map(([status, r]) => ({ status, description: r.description ?? '', examples: examplesOf(firstMedia(r.content)) })),
      });
    }
  }
  const order = new Map(tags.map((t, i) => [t.name, i]));
  operations.sort((a, b) => (order.get(a.tag) ?? 99) - (order.get(b.tag) ?? 99));
  return { tags, operations };
}

/** The path with `{name}` replaced by the percent-encoded values. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}
